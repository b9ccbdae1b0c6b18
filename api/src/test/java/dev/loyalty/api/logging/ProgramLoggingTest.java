package dev.loyalty.api.logging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.config.EngineConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProgramLoggingTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Logger log = new ProgramLogProvider().getLoggerFactory().getLogger("dev.loyalty.test.Thing");

    private String logged() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @AfterEach
    void reset() {
        ProgramLogging.configure(new EngineConfig.Log(EngineConfig.LogFormat.TEXT, "info"));
        ProgramLogging.output(System.err);
    }

    @Test
    void shouldWriteOneJsonObjectPerEventWithFieldsAndTheError() throws Exception {
        ProgramLogging.configure(new EngineConfig.Log(EngineConfig.LogFormat.JSON, "info"));
        ProgramLogging.output(new PrintStream(bytes, true, StandardCharsets.UTF_8));

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
        assertThat(second.path("kv_msg").asText()).as("a field never hides msg").isEqualTo("clash");
        assertThat(second.path("error").asText()).contains("IllegalStateException: boom\nsecond line");
    }

    @Test
    void shouldWriteTextLinesAndHoldChattyLibrariesAtWarn() {
        ProgramLogging.configure(new EngineConfig.Log(EngineConfig.LogFormat.TEXT, "debug"));
        ProgramLogging.output(new PrintStream(bytes, true, StandardCharsets.UTF_8));

        log.debug("shown at {}", "debug");
        Logger netty = new ProgramLogProvider().getLoggerFactory().getLogger("io.netty.Whatever");
        netty.info("hidden");
        netty.warn("shown");

        assertThat(logged()).contains("DEBUG Thing - shown at debug").contains("WARN Whatever - shown")
                .doesNotContain("hidden");
    }
}
