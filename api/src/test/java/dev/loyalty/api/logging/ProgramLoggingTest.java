package dev.loyalty.api.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.config.EngineConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class ProgramLoggingTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Logger log = LoggerFactory.getLogger("dev.loyalty.test.Thing");

    /** Everything logged so far: installing the defaults again stops the async writer, which writes out its queue. */
    private String logged() {
        ProgramLogging.install(context, EngineConfig.LogFormat.TEXT, Level.INFO, null);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @AfterEach
    void reset() {
        ProgramLogging.install(context, EngineConfig.LogFormat.TEXT, Level.INFO, null);
    }

    @Test
    void shouldWriteOneJsonObjectPerEventWithFieldsAndTheError() throws Exception {
        ProgramLogging.install(context, EngineConfig.LogFormat.JSON, Level.INFO, bytes);

        log.info("dropped {} files", 2);
        log.atWarn().setMessage("retention").addKeyValue("bytes", 42L).addKeyValue("msg", "clash")
                .setCause(new IllegalStateException("boom\nsecond line")).log();
        log.debug("not written at info");

        String[] lines = logged().split("\n");
        assertThat(lines).hasSize(2);
        JsonNode first = new ObjectMapper().readTree(lines[0]);
        assertThat(first.path("level").asText()).isEqualTo("INFO");
        assertThat(first.path("logger").asText()).isEqualTo("dev.loyalty.test.Thing");
        assertThat(first.path("msg").asText()).isEqualTo("dropped 2 files");
        assertThat(first.path("thread").asText()).isEqualTo(Thread.currentThread().getName());
        assertThat(first.path("ts").asText()).endsWith("Z");
        JsonNode second = new ObjectMapper().readTree(lines[1]);
        assertThat(second.path("bytes").asLong()).isEqualTo(42);
        assertThat(second.path("bytes").isNumber()).isTrue();
        assertThat(second.path("kv_msg").asText()).as("a field never hides msg").isEqualTo("clash");
        assertThat(second.path("error").asText()).contains("IllegalStateException: boom\nsecond line");
    }

    @Test
    void shouldWriteTextLinesAndHoldChattyLibrariesAtWarn() {
        ProgramLogging.install(context, EngineConfig.LogFormat.TEXT, Level.DEBUG, bytes);

        log.debug("shown at {}", "debug");
        log.atInfo().setMessage("with fields").addKeyValue("file", "a.cq4").log();
        Logger netty = LoggerFactory.getLogger("io.netty.Whatever");
        netty.info("hidden");
        netty.warn("shown");

        assertThat(logged())
                .containsPattern("(?m)^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000 \\["
                        + Thread.currentThread().getName() + "] DEBUG Thing - shown at debug$")
                .contains("INFO Thing - with fields file=a.cq4")
                .contains("WARN Whatever - shown")
                .doesNotContain("hidden");
    }

    @Test
    void shouldNeverDropWarningsWhenTheQueueOverflows() {
        ProgramLogging.install(context, EngineConfig.LogFormat.TEXT, Level.INFO, bytes);
        int warnings = ProgramLogging.QUEUE_SIZE * 2;

        for (int i = 0; i < warnings; i++) {
            log.info("filler {}", i);
            log.warn("warning {}", i);
        }

        String text = logged();
        assertThat(text.lines().filter(l -> l.contains("WARN Thing - warning ")).count()).isEqualTo(warnings);
    }

    @Test
    void shouldWriteOutTheQueueAtStopAndSayWhenAStuckWriterLeftEventsUnwritten() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        LoggerContext ok = new LoggerContext();
        ok.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        ok.start();
        ProgramLogging.install(ok, EngineConfig.LogFormat.TEXT, Level.INFO, bytes, 5_000);
        ok.getLogger("dev.loyalty.test.Start").error("cannot start: {}", "the folder is in use");
        ProgramLogging.stop(ok, new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("ERROR Start - cannot start: the folder is in use");
        assertThat(err.size()).isZero();

        java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.io.OutputStream stuck = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writing.countDown();
                // as a write(2) stuck in the kernel: the writer's interrupt at stop does not end it
                boolean interrupted = false;
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
                while (release.getCount() > 0 && System.nanoTime() < deadline) {
                    try {
                        release.await(deadline - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        LoggerContext blocked = new LoggerContext();
        blocked.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        blocked.start();
        try {
            ProgramLogging.install(blocked, EngineConfig.LogFormat.TEXT, Level.INFO, stuck, 200);
            blocked.getLogger("dev.loyalty.test.Start").warn("first, its write blocks");
            assertThat(writing.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            blocked.getLogger("dev.loyalty.test.Start").error("cannot start: queued behind it");
            ProgramLogging.stop(blocked, new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .isEqualTo("log: 1 event(s) not written: the log writer did not finish within 200 ms\n");
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldConfigureItselfAndNeverReadALogbackXml() throws Exception {
        // src/test/resources/logback-test.xml would add an appender named "stray" if Logback read it
        LoggerContext fresh = new LoggerContext();
        try {
            new ContextInitializer(fresh).autoConfig();
            ch.qos.logback.classic.Logger root = fresh.getLogger(Logger.ROOT_LOGGER_NAME);
            assertThat(root.getAppender("async")).as("ProgramLogConfigurator ran").isNotNull();
            assertThat(root.getAppender("stray")).as("no logback.xml read").isNull();
            assertThat(root.getLevel()).isEqualTo(Level.INFO);
            assertThat(fresh.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
        } finally {
            fresh.stop();
        }
    }
}
