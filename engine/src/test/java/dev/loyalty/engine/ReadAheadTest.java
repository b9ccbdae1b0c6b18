package dev.loyalty.engine;

import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.testing.Applied;
import dev.loyalty.engine.testing.Eventually;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bulks whose customers the tables no longer hold (4,096 rows a partition, 6,000 customers each): before a journal
 * record is applied, its customers not held are read in one multiGet, and every such miss is served by it
 * ({@code loyalty_customer_table_read_ahead_total} equals the {@code stored} lookups) with the same results as
 * customers held: the points of every customer, read back after more evictions, are what it was given. With a warm
 * tier that holds them ({@code state.warm-rows}) the same misses decode from it, without any RocksDB read.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReadAheadTest {
    private static final int CUSTOMERS = 12_000;

    @TempDir
    Path dir;

    @Test
    void shouldServeABulksMissesFromOneReadAheadPerRecord() throws Exception {
        // no warm tier (below its least size): every miss reads the store
        SimpleMeterRegistry registry = run("1KiB");
        double stored = sum(registry, "loyalty_customer_table_lookups", "stored");
        double readAhead = sum(registry, "loyalty_customer_table_read_ahead", null);
        assertThat(stored).as("customers read back in rounds 2 and 3").isGreaterThan(CUSTOMERS - 2 * 4096);
        assertThat(readAhead).as("every one by its record's read ahead").isEqualTo(stored);
    }

    @Test
    void shouldServeTheMissesFromTheWarmTierWhenItHoldsThem() throws Exception {
        SimpleMeterRegistry registry = run("64MiB");
        assertThat(sum(registry, "loyalty_customer_table_lookups", "warm"))
                .as("customers read back in rounds 2 and 3").isGreaterThan(CUSTOMERS - 2 * 4096);
        assertThat(sum(registry, "loyalty_customer_table_lookups", "stored")).as("none from the store").isZero();
        assertThat(sum(registry, "loyalty_customer_table_read_ahead", null)).isZero();
    }

    /** Three rounds over every customer through tables of 4,096 a partition; checks their balances. */
    private SimpleMeterRegistry run(String warmRows) throws Exception {
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", dir.resolve("data").toString(),
                "partitions", "2",
                "state.cache-customers", "1", // the least table: 4,096 customers a partition
                "state.warm-rows", warmRows,
                // a commit after (nearly) every batch: the rows written to make room are then committed, and a
                // customer met again is read from the store (not from the pending rows) whatever the timing
                "state.flush-interval", "1ms"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config, registry))) {
            for (int round = 0; round < 3; round++) {
                List<String> bulk = new ArrayList<>();
                for (int i = 0; i < CUSTOMERS; i++) {
                    bulk.add(round == 0 ? "{\"customer\":\"c-" + i + "\",\"action\":\"opt_in\"}"
                            : "{\"customer\":\"c-" + i + "\",\"action\":\"point_add\",\"data\":{\"points\":"
                            + (i % 97 + round) + "}}");
                    if (bulk.size() == 500) {
                        Applied.submitAll(engine, bulk);
                        bulk.clear();
                    }
                }
            }
            for (int i = 0; i < CUSTOMERS; i += 7) {
                long points = engine.customer("c-" + i).get(30, TimeUnit.SECONDS).accounts().get("points")
                        .balance();
                assertThat(points).as("c-" + i).isEqualTo(2L * (i % 97) + 3);
            }
        }
        return registry;
    }

    private static double sum(SimpleMeterRegistry registry, String name, String result) {
        double total = 0;
        for (FunctionCounter c : registry.find(name).functionCounters()) {
            if (result == null || result.equals(c.getId().getTag("result"))) {
                total += c.count();
            }
        }
        return total;
    }
}
