package dev.loyalty.api.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import dev.loyalty.engine.config.EngineConfig;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Where and how log events are written: to stderr, one event per line (text: a stack trace follows on its
 * own lines; JSON: one object per line, the stack trace inside it), at or above the configured level.
 * Chatty libraries (Netty, Vert.x, Chronicle) are held at warn. Until a command has loaded its configuration,
 * text at info ({@link ProgramLogConfigurator}).
 *
 * <p>The calling thread only queues the event; one Logback worker writes. When the queue is four-fifths
 * full, info and debug events are dropped rather than making callers (event loops) wait; warnings and
 * errors are never dropped: they wait for room. {@link #stop()} writes out what is queued.
 */
public final class ProgramLogging {

    /** Libraries whose info lines are noise in the program's log. */
    private static final String[] QUIET_LIBRARIES = {"io.netty", "io.vertx", "net.openhft", "org.apache.kafka", "kafka"};
    /** Events that may wait for the writer: a burst of warnings during an outage fits. */
    static final int QUEUE_SIZE = 8192;
    /**
     * Longest wait at {@link #stop()} for queued events to be written: only a stuck writer (a stream that blocks)
     * ever waits this long. The last lines are what an operator reads ("cannot start: ...", "shut down in ..."): a
     * refused start on a loaded CI machine once exited without its refusal line, and a wait that runs out (2 s then)
     * is the one way Logback drops a queued line at stop; {@link #stop(LoggerContext, PrintStream)} now says so.
     */
    static final int FLUSH_MS = 10_000;
    static final String TEXT_PATTERN =
            "%d{yyyy-MM-dd'T'HH:mm:ss.SSSZ,UTC} [%thread] %level %logger{0} - %msg%fields%n";

    private ProgramLogging() {
    }

    /** Applies {@code log.format} and {@code log.level}. */
    public static void configure(EngineConfig.Log log) {
        LoggerContext context = context();
        if (context != null) {
            install(context, log.format(), Level.toLevel(log.level(), Level.INFO), null);
        }
    }

    /** Sets the least level written (tools other than {@code serve} keep the engine's info lines out). */
    public static void threshold(org.slf4j.event.Level level) {
        LoggerContext context = context();
        if (context != null) {
            applyLevels(context, Level.convertAnSLF4JLevel(level));
        }
    }

    /**
     * Writes out the queued events and stops logging. Call it last before the JVM ends: a shutdown hook that
     * halts the JVM skips other hooks, and the writer thread is a daemon.
     */
    public static void stop() {
        LoggerContext context = context();
        if (context != null) {
            stop(context, System.err);
        }
    }

    /**
     * Stops {@code context}, which writes out the queue; says on {@code err} how many events its writer left
     * unwritten when the wait ran out (the writer is a daemon: they are lost at exit).
     */
    static void stop(LoggerContext context, PrintStream err) {
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        AsyncAppender async = root.getAppender("async") instanceof AsyncAppender a ? a : null;
        // The writer first, then the context: the context's stop stops the components it registered (the sink
        // among them) before it reaches the root's appenders, so what was still queued (the last lines: a refused
        // start's "cannot start: ...") was dropped rather than written out.
        context.stop();
        int left = async == null ? 0 : async.getNumberOfElementsInQueue();
        if (left > 0) {
            err.println("log: " + left + " event(s) not written: the log writer did not finish within "
                    + async.getMaxFlushTime() + " ms");
        }
    }

    /**
     * Replaces the appenders of {@code context}: text or JSON lines to {@code out}, or to stderr when null.
     * The old appenders are stopped first, which writes out what they had queued.
     */
    static void install(LoggerContext context, EngineConfig.LogFormat format, Level level, OutputStream out) {
        install(context, format, level, out, FLUSH_MS);
    }

    /** {@link #install(LoggerContext, EngineConfig.LogFormat, Level, OutputStream)} with its wait at stop (tests). */
    static void install(LoggerContext context, EngineConfig.LogFormat format, Level level, OutputStream out,
            int flushMs) {
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();

        Encoder<ILoggingEvent> encoder = format == EngineConfig.LogFormat.JSON ? new JsonLineEncoder() : textEncoder(context);
        encoder.setContext(context);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> sink;
        if (out == null) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.err");
            sink = console;
        } else {
            sink = new OutputStreamAppender<>();
            sink.setOutputStream(out);
        }
        sink.setName("lines");
        sink.setContext(context);
        sink.setEncoder(encoder);
        sink.start();

        AsyncAppender async = new AsyncAppender();
        async.setName("async");
        async.setContext(context);
        async.setQueueSize(QUEUE_SIZE);
        async.setNeverBlock(false); // a full queue makes a warning wait rather than vanish
        async.setMaxFlushTime(flushMs);
        async.addAppender(sink);
        async.start();
        root.addAppender(async);
        applyLevels(context, level);
    }

    private static Encoder<ILoggingEvent> textEncoder(LoggerContext context) {
        PatternLayout layout = new PatternLayout();
        layout.getInstanceConverterMap().put("fields", FieldsConverter::new);
        layout.setPattern(TEXT_PATTERN);
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setLayout(layout);
        encoder.setCharset(StandardCharsets.UTF_8);
        return encoder;
    }

    private static void applyLevels(LoggerContext context, Level level) {
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(level);
        Level quiet = level.isGreaterOrEqual(Level.WARN) ? level : Level.WARN;
        for (String library : QUIET_LIBRARIES) {
            context.getLogger(library).setLevel(quiet);
        }
    }

    /** Logback's context, or null when another SLF4J binding was chosen by whoever embeds the program. */
    private static LoggerContext context() {
        return LoggerFactory.getILoggerFactory() instanceof LoggerContext context ? context : null;
    }
}
