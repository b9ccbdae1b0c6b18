package dev.loyalty.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.CustomerDetail;
import dev.loyalty.engine.LoyaltyEngine.ProgramStats;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.rules.ExpiringPoints;
import dev.loyalty.engine.state.Keys;
import dev.loyalty.engine.state.PartitionStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The /stats expiring forecast across restarts: restored from its buckets, recounted when a journaled
 * rules change moves every lot's expiry, and counted once for a folder written before the buckets existed.
 */
@Timeout(120)
class EngineExpiringTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WALL_MS = 1_780_000_000_000L;
    private static final long DAY_MS = 86_400_000L;
    private static final int CUSTOMERS = 5;

    @TempDir
    Path dir;

    private EngineConfig config(String pointsPolicy) {
        return config(pointsPolicy, 20);
    }

    private EngineConfig config(String pointsPolicy, int days) {
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", dir.resolve("data").toString(), "partitions", "2", "clock.adjustable", "true",
                "rules.accounts.points.expiry.policy", pointsPolicy, "rules.accounts.points.expiry.days", Integer.toString(days),
                "stats.expiring-windows", "30,600"));
    }

    private static LoyaltyEngine start(EngineConfig config) throws Exception {
        LoyaltyEngine engine = Engine.start(config, new SimpleMeterRegistry(), () -> WALL_MS);
        while (!engine.ready()) {
            Thread.sleep(5);
        }
        return engine;
    }

    private static void post(LoyaltyEngine engine, String json) throws Exception {
        JsonNode node = JSON.readTree(json);
        Validated v = engine.validator().validate(node, engine.nowMs());
        assertThat(v.error()).isNull();
        engine.submit(List.of(new Submitted(v.event(), 0)), true).get(0).result().get(10, TimeUnit.SECONDS);
    }

    /** The forecast of the 600-day window for points, and the same summed from the customers' instants. */
    private static long[] forecastAndAggregate(LoyaltyEngine engine) throws Exception {
        ProgramStats s = engine.stats();
        long asOfDay = Math.floorDiv(s.asOfMs(), DAY_MS);
        long sum = 0;
        for (int i = 0; i < CUSTOMERS; i++) {
            CustomerDetail d = engine.customerDetail("e-" + i, 100).get(10, TimeUnit.SECONDS);
            for (ExpiringPoints p : d.expiring().get("points")) {
                if (Math.floorDiv(p.atMs(), DAY_MS) < asOfDay + 600) {
                    sum += p.points();
                }
            }
        }
        return new long[] {s.expiring().get(600).get("points"), sum};
    }

    @Test
    void shouldKeepTheForecastRightAcrossRestartsRulesChangesAndOldFolders() throws Exception {
        Map<String, long[]> seen = new LinkedHashMap<>();
        try (LoyaltyEngine engine = start(config("rolling"))) {
            for (int i = 0; i < CUSTOMERS; i++) {
                post(engine, "{\"customer\":\"e-" + i + "\",\"action\":\"opt_in\"}");
                post(engine, "{\"customer\":\"e-" + i + "\",\"action\":\"point_add\",\"data\":{\"points\":"
                        + (100 + i) + "}}");
                engine.advanceClock(3 * 86_400L).get(10, TimeUnit.SECONDS);
            }
            // day 27: the lots of days 0, 3 and 6 have expired (20 days), those of days 9 and 12 are left
            engine.advanceClock(12 * 86_400L).get(10, TimeUnit.SECONDS);
            post(engine, "{\"customer\":\"e-4\",\"action\":\"point_spend\",\"data\":{\"points\":4}}");
            seen.put("rolling", forecastAndAggregate(engine));
        }
        try (LoyaltyEngine engine = start(config("rolling"))) {
            seen.put("restarted", forecastAndAggregate(engine));
        }
        try (LoyaltyEngine engine = start(config("last_activity"))) {
            seen.put("last_activity", forecastAndAggregate(engine));
        }
        try (LoyaltyEngine engine = start(config("none"))) {
            seen.put("none", forecastAndAggregate(engine));
        }
        try (LoyaltyEngine engine = start(config("calendar"))) {
            seen.put("calendar", forecastAndAggregate(engine));
        }
        forgetTheBuckets();
        try (LoyaltyEngine engine = start(config("calendar"))) {
            seen.put("old folder", forecastAndAggregate(engine));
            post(engine, "{\"customer\":\"e-1\",\"action\":\"point_add\",\"data\":{\"points\":7}}");
            seen.put("old folder, then an event", forecastAndAggregate(engine));
        }
        long expiredBefore;
        try (LoyaltyEngine engine = start(config("calendar"))) {
            expiredBefore = engine.customer("e-4").get(10, TimeUnit.SECONDS).accounts().get("points").expired();
        }
        try (LoyaltyEngine engine = start(config("rolling", 5))) {
            seen.put("rolling 5 days", forecastAndAggregate(engine));
            assertThat(engine.customer("e-4").get(10, TimeUnit.SECONDS).accounts().get("points").expired())
                    .as("expired at the rules record, untouched since").isEqualTo(expiredBefore + 100);
        }
        for (Map.Entry<String, long[]> e : seen.entrySet()) {
            assertThat(e.getValue()[0]).as("forecast equals the aggregate: " + e.getKey()).isEqualTo(e.getValue()[1]);
        }
        assertThat(seen.get("rolling")[0]).as("e-3's 103 and e-4's 104 - 4").isEqualTo(203);
        assertThat(seen.get("restarted")[0]).isEqualTo(203);
        assertThat(seen.get("last_activity")[0]).isEqualTo(203);
        assertThat(seen.get("none")[0]).isZero();
        assertThat(seen.get("calendar")[0]).as("2027-12-31 is within 600 days").isEqualTo(203);
        assertThat(seen.get("old folder")[0]).isEqualTo(203);
        assertThat(seen.get("old folder, then an event")[0]).isEqualTo(210);
        assertThat(seen.get("rolling 5 days")[0]).as("only e-1's 7 of today are left").isEqualTo(7);
        Replay.Report replay = Replay.run(config("rolling", 5), dir.resolve("rebuilt"), seq -> { });
        assertThat(replay.firstDifference()).isNull();
    }

    /** Deletes the expiring buckets and their marker, as in a folder written before they existed. */
    private void forgetTheBuckets() throws Exception {
        for (int p = 0; p < 2; p++) {
            try (PartitionStore store = PartitionStore.open(dir.resolve("data").resolve("state").resolve("p" + p),
                    null, false);
                 WriteBatch batch = new WriteBatch()) {
                batch.deleteRange(new byte[] {Keys.EXPIRING}, new byte[] {Keys.EXPIRING + 1});
                batch.delete(Keys.meta("expiring-built"));
                store.commit(batch);
            }
        }
    }
}
