package dev.loyalty.engine;

import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A data folder written by the engine before processor core v2 (state format 1: no {@code state-format} in
 * engine.properties) is never misread: start and export refuse it naming the migration, and the migration
 * itself (replay into a new folder) works and writes the current format. Likewise format 2 (outcomes and ledger
 * entries as RocksDB keys, customer records without a ledger head), which format 3's derived logs replaced.
 */
@Timeout(300)
class StateFormatTest {

    @TempDir
    Path dir;

    private EngineConfig config(Path data) {
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", data.toString(), "partitions", "2"));
    }

    @Test
    void shouldRefuseAFolderOfTheOldStateFormatAndNameTheMigration() throws Exception {
        Path data = dir.resolve("data");
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config(data), new SimpleMeterRegistry()))) {
            assertThat(engine.ready()).isTrue();
        }
        Path properties = data.resolve("engine.properties");
        assertThat(Files.readString(properties)).contains("state-format=" + DataFolder.STATE_FORMAT);
        // engine.properties as the format-1 engine wrote it: the partition count only
        Files.writeString(properties, "partitions=2\n");

        assertThatThrownBy(() -> Engine.start(config(data), new SimpleMeterRegistry()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("format 1").hasMessageContaining("bin/engine replay --data " + data)
                .hasMessageContaining("--into");
        assertThatThrownBy(() -> Export.run(config(data), view -> { }))
                .isInstanceOf(ConfigException.class).hasMessageContaining("format 1");

        Path rebuilt = dir.resolve("rebuilt");
        Replay.run(config(data), rebuilt, n -> { });
        assertThat(Files.readString(rebuilt.resolve("engine.properties")))
                .contains("state-format=" + DataFolder.STATE_FORMAT).contains("partitions=2");
    }

    @Test
    void shouldRefuseAFolderOfFormat2WhoseOutcomesAndLedgerAreRocksDbKeys() throws Exception {
        Path data = dir.resolve("data");
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config(data), new SimpleMeterRegistry()))) {
            assertThat(engine.ready()).isTrue();
        }
        Path properties = data.resolve("engine.properties");
        Files.writeString(properties, "partitions=2\nstate-format=2\n");

        assertThatThrownBy(() -> Engine.start(config(data), new SimpleMeterRegistry()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("format 2").hasMessageContaining("reads format 3")
                .hasMessageContaining("bin/engine replay --data " + data).hasMessageContaining("--into");
        assertThatThrownBy(() -> Export.run(config(data), view -> { }))
                .isInstanceOf(ConfigException.class).hasMessageContaining("format 2");
    }
}
