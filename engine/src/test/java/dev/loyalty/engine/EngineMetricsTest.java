package dev.loyalty.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.testing.Eventually;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's meters on a real engine: values that follow what happened, and nothing left after close. */
@Timeout(300)
class EngineMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static void post(LoyaltyEngine engine, String json) throws Exception {
        JsonNode node = JSON.readTree(json);
        Validated v = engine.validator().validate(node, engine.nowMs());
        engine.submit(List.of(new Submitted(v.event(), 0)), true).get(0).result().get(10, TimeUnit.SECONDS);
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    @Test
    void shouldExportEngineFiguresAndRemoveThemOnClose() throws Exception {
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", dir.resolve("data").toString(), "partitions", "2"));
        try (LoyaltyEngine engine = Engine.start(config, registry)) {
            Eventually.ready(engine);
            post(engine, "{\"customer\":\"c-1\",\"action\":\"opt_in\"}");
            post(engine, "{\"customer\":\"c-1\",\"action\":\"point_add\",\"data\":{\"points\":300}}");
            post(engine, "{\"customer\":\"c-1\",\"action\":\"point_spend\",\"data\":{\"points\":1000}}");

            assertThat(gauge("loyalty_ready")).isEqualTo(1);
            assertThat(registry.get("loyalty_events_journaled").tag("action", "point_add").counter().count())
                    .isEqualTo(1);
            assertThat(registry.get("loyalty_events_journaled").tag("action", "newsletter_signup").counter().count())
                    .as("configured custom actions are known from the start").isZero();
            assertThat(registry.get("loyalty_journal_append").timer().count()).isEqualTo(3);
            assertThat(registry.get("loyalty_events_processed")
                    .tags("action", "point_spend", "outcome", "rejected", "code", "insufficient_points")
                    .counter().count()).isEqualTo(1);
            assertThat(gauge("loyalty_members", "status", "active")).isEqualTo(1);
            assertThat(gauge("loyalty_tier_members", "tier", "bronze")).isEqualTo(1);
            assertThat(gauge("loyalty_liability_points", "account", "points")).isEqualTo(300);
            assertThat(gauge("loyalty_active_members", "window", "30d")).isEqualTo(1);
            for (String partition : List.of("0", "1")) {
                assertThat(gauge("loyalty_partition_lag_seconds", "partition", partition)).isGreaterThanOrEqualTo(0);
                assertThat(gauge("loyalty_rocksdb_write_stopped", "partition", partition)).isZero();
                assertThat(gauge("loyalty_rocksdb_memtable", "partition", partition)).isPositive();
            }
            assertThat(gauge("loyalty_rocksdb_block_cache_capacity")).isEqualTo(config.state().blockCacheBytes());
            assertThat(gauge("loyalty_rocksdb_block_cache_usage")).isGreaterThanOrEqualTo(0);
            assertThat(gauge("loyalty_data_filesystem_size")).isPositive();
            assertThat(gauge("loyalty_data_filesystem_avail")).isPositive()
                    .isLessThanOrEqualTo(gauge("loyalty_data_filesystem_size"));
        }
        assertThat(registry.getMeters()).extracting(Meter::getId).extracting(Meter.Id::getName)
                .as("no gauge may read a closed engine").noneMatch(name -> name.startsWith("loyalty_rocksdb")
                        || name.startsWith("loyalty_partition") || name.equals("loyalty_ready"));
    }
}
