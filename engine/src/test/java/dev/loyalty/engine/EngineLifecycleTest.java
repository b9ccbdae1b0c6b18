package dev.loyalty.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.state.PartitionCheckpoint;
import dev.loyalty.engine.state.PartitionStore;
import dev.loyalty.engine.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Who may use a data folder, and what a clean close leaves behind. */
@Timeout(300)
class EngineLifecycleTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private EngineConfig config(Map<String, String> extra) {
        Map<String, String> overrides = new java.util.HashMap<>(Map.of(
                "data-dir", dir.resolve("data").toString(), "partitions", "2"));
        overrides.putAll(extra);
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), overrides);
    }

    private static LoyaltyEngine awaitReady(LoyaltyEngine engine) {
        return Eventually.ready(engine);
    }

    @Test
    void shouldRefuseASecondEngineOnTheSameDataFolderAndNameTheHolder() throws Exception {
        EngineConfig config = config(Map.of());
        try (LoyaltyEngine first = awaitReady(Engine.start(config, new SimpleMeterRegistry(), "serve"))) {
            assertThat(first.ready()).isTrue();
            assertThatThrownBy(() -> Engine.start(config, new SimpleMeterRegistry(), "import"))
                    .isInstanceOf(DataFolderInUseException.class)
                    .hasMessageContaining("in use by pid " + ProcessHandle.current().pid() + " (serve");
            assertThatThrownBy(() -> Replay.run(config, dir.resolve("rebuilt"), n -> { }))
                    .isInstanceOf(DataFolderInUseException.class);
        }
        try (LoyaltyEngine again = awaitReady(Engine.start(config, new SimpleMeterRegistry()))) {
            assertThat(again.ready()).as("the folder is free once the first engine closed").isTrue();
        }
    }

    @Test
    void shouldApplyEverythingJournaledBeforeClosing() throws Exception {
        // One record per batch: thousands of commits are still to do when close() is called.
        EngineConfig config = config(Map.of("processor.batch-max", "1"));
        long lastSubmitted;
        try (LoyaltyEngine engine = awaitReady(Engine.start(config, new SimpleMeterRegistry()))) {
            List<List<Submitted>> records = new java.util.ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                JsonNode node = JSON.readTree("{\"customer\":\"c-" + (i % 50) + "\",\"action\":\"opt_in\"}");
                Validated v = engine.validator().validate(node, engine.nowMs());
                records.add(List.of(new Submitted(v.event(), 0)));
            }
            long seq = 0;
            for (List<Submitted> record : records) {
                seq = engine.submit(record, false).get(0).seq();
            }
            lastSubmitted = seq;
        }
        DataFolder folder = new DataFolder(config.dataDir());
        for (int p = 0; p < 2; p++) {
            try (PartitionStore store = PartitionStore.openReadOnly(folder.state(p))) {
                assertThat(PartitionCheckpoint.read(store).lastSeq())
                        .as("partition %d applied and flushed everything journaled", p)
                        .isGreaterThanOrEqualTo(lastSubmitted);
            }
        }
    }
}
