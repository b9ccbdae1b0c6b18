package dev.loyalty.engine;

import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.testing.Applied;
import dev.loyalty.engine.testing.Eventually;
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
 * A replay commits only once caught up (or when its pending batch is full), not every flush interval, and ends
 * identical to the live state even when its partitions hold fewer customers than they have, so that rows are
 * written into the pending batch to make room and read back from it before the one commit. {@code bin/engine
 * replay}'s table is bounded by its heap only, not by {@code state.cache-customers}.
 */
@Timeout(300)
class ReplayCommitsTest {
    private static final long DAY_S = 86_400;
    /** Customers per partition above the smallest table (4,096 rows): the replay must evict dirty rows. */
    private static final int CUSTOMERS = 10_000;

    @TempDir
    Path dir;

    private EngineConfig config(Path data, String batchMax) {
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", data.toString(),
                "partitions", "2",
                "clock.adjustable", "true",
                "state.cache-customers", "1",
                "state.flush-interval", "1ms",
                "processor.batch-max", batchMax));
    }

    @Test
    void shouldCommitOncePerPartitionAndEndIdenticalWithEvictions() throws Exception {
        Path data = dir.resolve("data");
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config(data, "4096"), new SimpleMeterRegistry()))) {
            for (int round = 0; round < 2; round++) {
                List<String> bulk = new ArrayList<>();
                for (int i = 0; i < CUSTOMERS; i++) {
                    bulk.add(round == 0 ? "{\"customer\":\"c-" + i + "\",\"action\":\"opt_in\"}"
                            : "{\"customer\":\"c-" + i + "\",\"action\":\"point_add\",\"data\":{\"points\":"
                            + (i % 97 + 1) + "}}");
                    if (bulk.size() == 500) {
                        Applied.submitAll(engine, bulk);
                        bulk.clear();
                    }
                }
                engine.advanceClock(40 * DAY_S).get(30, TimeUnit.SECONDS);
            }
            // Every customer's points expire in this year: due work for all of them, across the evictions.
            engine.advanceClock(800 * DAY_S).get(60, TimeUnit.SECONDS);
            Applied.submitAll(engine, List.of("{\"customer\":\"c-1\",\"action\":\"point_add\",\"data\":{\"points\":3}}"));
        }
        // Small batches and a 1 ms flush interval: a serving engine's policy would commit after nearly every batch.
        EngineConfig small = config(data, "16");
        Replay.Report report = Replay.run(small, dir.resolve("rebuilt"), null, (seq, total) -> { },
                small.state().cacheCustomers());
        assertThat(report.firstDifference()).isNull();
        assertThat(report.identical()).isTrue();
        assertThat(report.events()).isEqualTo(2L * CUSTOMERS + 1);
        assertThat(report.commits()).as("one commit per partition, at catch-up").isEqualTo(2);
        assertThat(report.tableCustomers()).isEqualTo(4096);
        assertThat(report.readBack()).as("evicted customers read back").isPositive();

        // The command's replay sizes its table by its heap, not by the serving cache setting: no read-backs here.
        Replay.Report byHeap = Replay.run(small, dir.resolve("rebuilt-by-heap"), seq -> { });
        assertThat(byHeap.identical()).isTrue();
        assertThat(byHeap.tableCustomers()).as("the bound of the test JVM's 1 GiB heap: 65,536")
                .isGreaterThan(CUSTOMERS);
        assertThat(byHeap.readBack()).isZero();
    }
}
