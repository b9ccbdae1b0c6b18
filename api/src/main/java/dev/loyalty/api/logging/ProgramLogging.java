package dev.loyalty.api.logging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.loyalty.engine.config.EngineConfig;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where and how log events are written: to stderr, one event per line (text: a stack trace follows on its
 * own lines; JSON: one object per line, the stack trace inside it), at or above the configured level.
 * Chatty libraries (Netty, Vert.x, Chronicle) are held at warn. Configured once a command has loaded its
 * configuration; until then text at info. Thread-safe: each event is one write.
 */
public final class ProgramLogging {

    /** Libraries whose info lines are noise in the program's log. */
    private static final Map<String, Level> QUIET_LIBRARIES = Map.of(
            "io.netty", Level.WARN, "io.vertx", Level.WARN, "net.openhft", Level.WARN);
    private static final Set<String> RESERVED = Set.of("ts", "level", "logger", "thread", "msg", "error");
    private static final DateTimeFormatter TEXT_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final JsonFactory JSON = new JsonFactory();

    private static volatile EngineConfig.LogFormat format = EngineConfig.LogFormat.TEXT;
    private static volatile Level threshold = Level.INFO;
    private static volatile PrintStream out = System.err;

    private ProgramLogging() {
    }

    /** Applies {@code log.format} and {@code log.level}. */
    public static void configure(EngineConfig.Log log) {
        format = log.format();
        threshold = Level.valueOf(log.level().toUpperCase(Locale.ROOT));
    }

    /** Sets the least level written (tools other than {@code serve} keep the engine's info lines out). */
    public static void threshold(Level level) {
        threshold = level;
    }

    /** Redirects the output (tests). */
    static void output(PrintStream stream) {
        out = stream;
    }

    static boolean enabled(String logger, Level level) {
        Level least = threshold;
        for (Map.Entry<String, Level> quiet : QUIET_LIBRARIES.entrySet()) {
            if (logger.startsWith(quiet.getKey()) && quiet.getValue().toInt() > least.toInt()) {
                least = quiet.getValue();
            }
        }
        return level.toInt() >= least.toInt();
    }

    static void write(long timeMs, Level level, String logger, String thread, String message,
                      List<KeyValuePair> fields, Throwable error) {
        String line = format == EngineConfig.LogFormat.JSON
                ? json(timeMs, level, logger, thread, message, fields, error)
                : text(timeMs, level, logger, thread, message, fields, error);
        out.print(line);
        out.flush();
    }

    private static String text(long timeMs, Level level, String logger, String thread, String message,
                               List<KeyValuePair> fields, Throwable error) {
        StringBuilder sb = new StringBuilder(128);
        sb.append(TEXT_TIME.format(Instant.ofEpochMilli(timeMs))).append(" [").append(thread).append("] ")
                .append(level).append(' ').append(logger.substring(logger.lastIndexOf('.') + 1))
                .append(" - ").append(message);
        for (KeyValuePair kv : fields) {
            sb.append(' ').append(kv.key).append('=').append(kv.value);
        }
        sb.append(System.lineSeparator());
        if (error != null) {
            sb.append(stackTrace(error));
        }
        return sb.toString();
    }

    private static String json(long timeMs, Level level, String logger, String thread, String message,
                               List<KeyValuePair> fields, Throwable error) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("ts", Instant.ofEpochMilli(timeMs).toString());
            g.writeStringField("level", level.toString());
            g.writeStringField("logger", logger);
            g.writeStringField("thread", thread);
            g.writeStringField("msg", message);
            for (KeyValuePair kv : fields) {
                String key = RESERVED.contains(kv.key) ? "kv_" + kv.key : kv.key;
                if (kv.value instanceof Number n && (n instanceof Long || n instanceof Integer)) {
                    g.writeNumberField(key, n.longValue());
                } else if (kv.value instanceof Boolean b) {
                    g.writeBooleanField(key, b);
                } else {
                    g.writeStringField(key, String.valueOf(kv.value));
                }
            }
            if (error != null) {
                g.writeStringField("error", stackTrace(error));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory
        }
        return w.append(System.lineSeparator()).toString();
    }

    private static String stackTrace(Throwable error) {
        StringWriter w = new StringWriter();
        error.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
