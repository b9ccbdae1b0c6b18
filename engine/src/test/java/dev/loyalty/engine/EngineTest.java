package dev.loyalty.engine;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.EventStatus;
import dev.loyalty.engine.LoyaltyEngine.ProgramStats;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.LedgerKind;
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

/** The engine end to end without HTTP: real Chronicle Queue, real RocksDB, real processor threads. */
@Timeout(300)
class EngineTest {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final long DAY_S = 86_400;

    @TempDir
    Path dir;

    private EngineConfig config(Path data, int partitions) {
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", data.toString(),
                "partitions", Integer.toString(partitions),
                "clock.adjustable", "true"));
    }

    private static LoyaltyEngine start(EngineConfig config) throws Exception {
        return Eventually.ready(Engine.start(config, new SimpleMeterRegistry()));
    }

    private static EventResult post(LoyaltyEngine engine, String json) throws Exception {
        JsonNode node = JSON.readTree(json);
        Validated v = engine.validator().validate(node, engine.nowMs());
        assertThat(v.error()).as("valid: " + json).isNull();
        Submission s = engine.submit(List.of(new Submitted(v.event(), node.has("id") ? node.hashCode() | 1 : 0)),
                true).get(0);
        assertThat(s.refusal()).isNull();
        return s.result().get(10, TimeUnit.SECONDS);
    }

    private static void scenario(LoyaltyEngine engine) throws Exception {
        for (int i = 0; i < 20; i++) {
            EventResult r = post(engine, "{\"customer\":\"c-" + i + "\",\"action\":\"opt_in\"}");
            assertThat(r.outcome().applied()).isTrue();
        }
        EventResult checkout = post(engine, "{\"customer\":\"c-1\",\"action\":\"checkout\",\"data\":"
                + "{\"transaction_id\":\"T-1\",\"items\":[{\"product_id\":\"p\",\"price\":600.50,\"quantity\":2}]}}");
        assertThat(checkout.outcome().effects()).extracting(e -> e.kind()).containsExactly(LedgerKind.PENDING);
        assertThat(checkout.customer().accounts().get("points").pending()).isEqualTo(1201);
        EventResult spend = post(engine, "{\"customer\":\"c-2\",\"action\":\"point_spend\",\"data\":{\"points\":5}}");
        assertThat(spend.outcome().error().code()).isEqualTo("insufficient_points");
        post(engine, "{\"customer\":\"c-2\",\"action\":\"point_add\",\"data\":{\"points\":300}}");
        post(engine, "{\"customer\":\"c-3\",\"action\":\"opt_out\"}");
        EventResult unknown = post(engine, "{\"customer\":\"nobody\",\"action\":\"point_add\",\"data\":{\"points\":1}}");
        assertThat(unknown.outcome().error().status()).isEqualTo(404);
        assertThat(unknown.customer()).isNull();
    }

    @Test
    void shouldApplyEventsAndKeepEveryAnswerAcrossARestartAndAReplay() throws Exception {
        Path data = dir.resolve("data");
        EngineConfig config = config(data, 2);
        CustomerView before;
        ProgramStats statsBefore;
        try (LoyaltyEngine engine = start(config)) {
            scenario(engine);
            long t = engine.advanceClock(15 * DAY_S).get(10, TimeUnit.SECONDS);
            assertThat(t).isGreaterThan(0);
            before = engine.customer("c-1").get(5, TimeUnit.SECONDS);
            assertThat(before.accounts().get("points").balance()).isEqualTo(1201);
            assertThat(before.accounts().get("points").pending()).isZero();
            assertThat(before.tier()).isEqualTo("silver");
            statsBefore = engine.stats();
            assertThat(statsBefore.membersTotal()).isEqualTo(20);
            assertThat(statsBefore.membersOptedOut()).isEqualTo(1);
            assertThat(statsBefore.tiers()).containsEntry("silver", 1L).containsEntry("bronze", 18L);
            assertThat(statsBefore.liability()).containsEntry("points", 1501L);
            assertThat(engine.ledger("c-1", 10, Long.MAX_VALUE).get(5, TimeUnit.SECONDS).entries())
                    .extracting(e -> e.kind()).containsExactly(LedgerKind.ACCEPT, LedgerKind.PENDING);
        }
        try (LoyaltyEngine engine = start(config(data, 2))) {
            assertThat(engine.customer("c-1").get(5, TimeUnit.SECONDS)).isEqualTo(before);
            ProgramStats after = engine.stats();
            assertThat(after.membersTotal()).isEqualTo(statsBefore.membersTotal());
            assertThat(after.tiers()).isEqualTo(statsBefore.tiers());
            assertThat(after.liability()).isEqualTo(statsBefore.liability());
            assertThat(after.eventsApplied()).isEqualTo(statsBefore.eventsApplied());
        }
        Replay.Report report = Replay.run(config, dir.resolve("rebuilt"), seq -> { });
        assertThat(report.firstDifference()).isNull();
        assertThat(report.identical()).isTrue();
        assertThat(report.events()).isGreaterThanOrEqualTo(25);

        // Batch boundaries must not matter: one record per batch gives the same bytes.
        EngineConfig oneByOne = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", data.toString(), "partitions", "2", "clock.adjustable", "true",
                "processor.batch-max", "1"));
        Replay.Report small = Replay.run(oneByOne, dir.resolve("rebuilt-1"), seq -> { });
        assertThat(small.firstDifference()).isNull();
    }

    @Test
    void shouldAnswerARetryWithTheStoredOutcomeAndRefuseAChangedBody() throws Exception {
        try (LoyaltyEngine engine = start(config(dir.resolve("data"), 2))) {
            post(engine, "{\"customer\":\"c-9\",\"action\":\"opt_in\"}");
            String add = "{\"customer\":\"c-9\",\"action\":\"point_add\",\"id\":\"k-1\",\"data\":{\"points\":10}}";
            EventResult first = post(engine, add);
            JsonNode node = JSON.readTree(add);
            Validated v = engine.validator().validate(node, engine.nowMs());
            Submission again = engine.submit(List.of(new Submitted(v.event(), node.hashCode() | 1)), true).get(0);
            assertThat(again.duplicate()).isTrue();
            assertThat(again.seq()).isEqualTo(first.outcome().seq());
            EventResult dup = again.result().get(5, TimeUnit.SECONDS);
            assertThat(dup.outcome()).isEqualTo(first.outcome());
            assertThat(dup.customer().accounts().get("points").balance()).isEqualTo(10);
            Submission changed = engine.submit(List.of(new Submitted(v.event(), 12345)), true).get(0);
            assertThat(changed.refusal().code()).isEqualTo("idempotency_mismatch");
            EventStatus status = engine.event(first.outcome().seq()).get(5, TimeUnit.SECONDS);
            assertThat(status.kind()).isEqualTo(EventStatus.Kind.DONE);
            assertThat(engine.event(first.outcome().seq() + 1000).get(5, TimeUnit.SECONDS).kind())
                    .isEqualTo(EventStatus.Kind.UNKNOWN);
        }
    }

    @Test
    void shouldGiveTheSamePerCustomerResultsWhateverThePartitionCount() throws Exception {
        List<CustomerView> one = new ArrayList<>();
        List<CustomerView> three = new ArrayList<>();
        for (int partitions : new int[] {1, 3}) {
            try (LoyaltyEngine engine = start(config(dir.resolve("p" + partitions), partitions))) {
                scenario(engine);
                for (int i = 0; i < 20; i++) {
                    (partitions == 1 ? one : three).add(engine.customer("c-" + i).get(5, TimeUnit.SECONDS));
                }
            }
        }
        assertThat(three).usingRecursiveFieldByFieldElementComparatorIgnoringFields("optedInAtMs",
                "lastActivityAtMs", "tierValidUntilMs").isEqualTo(one);
    }

    @Test
    void shouldApplyEveryEventUnderTheRulesInForceAtItsPlaceInTheJournal() throws Exception {
        Path data = dir.resolve("data");
        try (LoyaltyEngine engine = start(config(data, 2))) {
            post(engine, "{\"customer\":\"r-1\",\"action\":\"opt_in\"}");
            EventResult first = post(engine, "{\"customer\":\"r-1\",\"action\":\"checkout\",\"data\":"
                    + "{\"transaction_id\":\"T-1\",\"total\":100}}");
            assertThat(first.outcome().effects().get(0).points()).isEqualTo(100);
        }
        EngineConfig doubled = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", data.toString(), "partitions", "2", "clock.adjustable", "true",
                "rules.earn.rate", "2"));
        try (LoyaltyEngine engine = start(doubled)) {
            EventResult second = post(engine, "{\"customer\":\"r-1\",\"action\":\"checkout\",\"data\":"
                    + "{\"transaction_id\":\"T-2\",\"total\":100}}");
            assertThat(second.outcome().effects().get(0).points()).isEqualTo(200);
            assertThat(second.customer().accounts().get("points").pending()).isEqualTo(300);
        }
        // Replayed with today's configuration, the first checkout still earns under the old rate.
        Replay.Report report = Replay.run(doubled, dir.resolve("rebuilt"), seq -> { });
        assertThat(report.firstDifference()).isNull();
    }
}
