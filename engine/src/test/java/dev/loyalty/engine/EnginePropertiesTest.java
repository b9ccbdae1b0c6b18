package dev.loyalty.engine;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.CustomerDetail;
import dev.loyalty.engine.LoyaltyEngine.ProgramStats;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.rules.AccountView;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.ExpiringPoints;
import dev.loyalty.engine.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random programmes through the whole engine (real journal, real RocksDB, real processor threads):
 * the same journal gives the same customers whatever the partition count, {@code /stats} equals the
 * aggregate of the customers (its expiring forecast after every clock advance too, under random expiry
 * policies), and replay rebuilds byte-identical state. On Chronicle here; {@link KafkaPropertiesTest} runs the
 * same properties on the Kafka journal through {@link #journal} and {@link #assertRebuildsTheSame}.
 */
class EnginePropertiesTest {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final long DAY_MS = 86_400_000L;
    /** A fixed wall clock: ingest times only move with clock advances, identically in every run. */
    private static final long WALL_MS = 1_780_000_000_000L;
    private static final int CUSTOMERS = 6;

    /** One step: an event as JSON, or a clock advance in days (json null). */
    record Step(String json, int advanceDays) {
        @Override
        public String toString() {
            return json != null ? json : "advance " + advanceDays + "d";
        }
    }

    @Provide
    Arbitrary<List<Step>> programmes() {
        Arbitrary<String> customer = Arbitraries.integers().between(0, CUSTOMERS - 1).map(i -> "c-" + i);
        Arbitrary<Integer> points = Arbitraries.integers().between(1, 3000);
        Arbitrary<Integer> txn = Arbitraries.integers().between(1, 4);
        Arbitrary<Integer> back = Arbitraries.integers().between(0, 500);
        Arbitrary<String> account = Arbitraries.of("points", "points", "bonus");
        Arbitrary<Step> event = Combinators.combine(customer, Arbitraries.integers().between(0, 16), points, txn,
                back, account).as(EnginePropertiesTest::event);
        Arbitrary<Step> advance = Arbitraries.integers().between(1, 120).map(d -> new Step(null, d));
        return Arbitraries.frequencyOf(Tuple.of(9, event), Tuple.of(1, advance)).list().ofMinSize(20).ofMaxSize(80);
    }

    /** One event step of that kind (see the switch) with its ingredients; {@code b} days of backdating. */
    private static Step event(String c, int kind, int p, int t, int b, String acc) {
        // b < 0: no effective_timestamp (the event time is the ingest time)
        String eff = b < 0 ? "" : ",\"effective_timestamp\":" + ((WALL_MS - b * DAY_MS) / 1000);
        String data;
        String action;
        switch (kind) {
            case 0: case 1: action = "opt_in"; data = "{}"; break;
            case 2: action = "opt_out"; data = "{}"; break;
            case 3: case 4: action = "point_add"; data = "{\"points\":" + p + eff + "}"; break;
            case 5: action = "point_spend"; data = "{\"points\":" + (p / 3 + 1) + "}"; break;
            case 6: case 7: action = "checkout"; data = "{\"transaction_id\":\"T-" + t + "\",\"total\":"
                    + p + ".25" + (b < 100 ? eff : "") + ",\"points_burned\":" + (p % 7) + "}"; break;
            case 8: action = "checkout_accept"; data = "{\"transaction_id\":\"T-" + t + "\"}"; break;
            case 9: action = "checkout_reject"; data = "{\"transaction_id\":\"T-" + t + "\"}"; break;
            case 10: action = "refund"; data = "{\"transaction_id\":\"T-" + t + "\"}"; break;
            case 11: action = "partial_refund"; data = "{\"transaction_id\":\"T-" + t + "\",\"amount\":"
                    + (p % 400) + ".5}"; break;
            case 12: action = "reserve_points"; data = "{\"transaction_id\":\"T-" + t + "\",\"points\":"
                    + (p / 5 + 1) + "}"; break;
            case 13: action = "release_points"; data = "{\"transaction_id\":\"T-" + t + "\"}"; break;
            case 14: action = "point_sub"; data = "{\"points\":" + (p / 2 + 1) + "}"; break;
            case 15: action = "review_written"; data = "{}"; break;
            default: action = "newsletter_signup"; data = "{}"; break;
        }
        return new Step("{\"customer\":\"" + c + "\",\"action\":\"" + action + "\",\"account\":\"" + acc
                + "\",\"data\":" + data + "}", 0);
    }

    /**
     * Programmes that keep lots alive: every customer opts in first, events carry no backdating, the mix
     * leans to earning, spending, reserving and activity, and the clock advances by up to 45 days.
     */
    @Provide
    Arbitrary<List<Step>> livelyProgrammes() {
        Arbitrary<String> customer = Arbitraries.integers().between(0, CUSTOMERS - 1).map(i -> "c-" + i);
        Arbitrary<Integer> kind = Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.of(3, 6, 15)),
                Tuple.of(3, Arbitraries.of(5, 8, 12, 13, 14)), Tuple.of(1, Arbitraries.of(2, 9, 10, 11, 16)),
                Tuple.of(1, Arbitraries.just(0)));
        Arbitrary<Step> event = Combinators.combine(customer, kind, Arbitraries.integers().between(1, 3000),
                Arbitraries.integers().between(1, 4), Arbitraries.of("points", "bonus"))
                .as((c, k, p, t, acc) -> event(c, k, p, t, -1, acc));
        Arbitrary<Step> advance = Arbitraries.integers().between(1, 45).map(d -> new Step(null, d));
        List<Step> optIns = new ArrayList<>();
        for (int i = 0; i < CUSTOMERS; i++) {
            optIns.add(new Step("{\"customer\":\"c-" + i + "\",\"action\":\"opt_in\"}", 0));
        }
        return Arbitraries.frequencyOf(Tuple.of(5, event), Tuple.of(1, advance)).list().ofMinSize(20).ofMaxSize(70)
                .map(steps -> {
                    List<Step> all = new ArrayList<>(optIns);
                    all.addAll(steps);
                    return all;
                });
    }

    @Property(tries = 6)
    void shouldKeepTheExpiringForecastEqualToTheCustomersAtRandomClockAdvances(
            @ForAll("livelyProgrammes") List<Step> programme, @ForAll("policies") String pointsPolicy,
            @ForAll("policies") String bonusPolicy) throws Exception {
        Path root = Files.createTempDirectory("engine-expiring");
        Map<String, String> rules = Map.of("rules.accounts.points.expiry.policy", pointsPolicy,
                "rules.accounts.bonus.expiry.policy", bonusPolicy, "rules.accounts.points.expiry.days", "40",
                "rules.accounts.bonus.expiry.days", "75", "stats.expiring-windows", "1,30,90,600");
        try {
            Map<String, String> p2 = onJournal(rules);
            Result r = run(root.resolve("p2"), 2, p2, programme);
            assertStatsAreTheAggregateOfCustomers(r);
            assertRebuildsTheSame(root.resolve("p2"), 2, p2, r, root.resolve("rebuilt"));
        } finally {
            delete(root);
        }
    }

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of("rolling", "calendar", "last_activity", "none");
    }

    @Property(tries = 8)
    void shouldGiveTheSameCustomersAndConsistentStatsWhateverThePartitionCount(
            @ForAll("programmes") List<Step> programme, @ForAll("policies") String pointsPolicy,
            @ForAll("policies") String bonusPolicy) throws Exception {
        Path root = Files.createTempDirectory("engine-props");
        // short rolling/last_activity expiry and a long window so that every policy lands in the forecast
        Map<String, String> rules = Map.of("rules.accounts.points.expiry.policy", pointsPolicy,
                "rules.accounts.bonus.expiry.policy", bonusPolicy, "rules.accounts.points.expiry.days", "60",
                "rules.accounts.bonus.expiry.days", "100", "stats.expiring-windows", "1,30,90,600");
        try {
            Result one = run(root.resolve("p1"), 1, onJournal(rules), programme);
            Map<String, String> p3 = onJournal(rules);
            Result three = run(root.resolve("p3"), 3, p3, programme);
            assertThat(three.customers()).isEqualTo(one.customers());
            assertThat(three.expiring()).isEqualTo(one.expiring());
            assertThat(three.stats().expiring()).isEqualTo(one.stats().expiring());
            assertThat(three.stats().tiers()).isEqualTo(one.stats().tiers());
            assertThat(three.stats().liability()).isEqualTo(one.stats().liability());
            assertThat(three.stats().activeMembers()).isEqualTo(one.stats().activeMembers());
            assertThat(three.stats().eventsApplied()).isEqualTo(one.stats().eventsApplied());
            for (Result r : List.of(one, three)) {
                assertStatsAreTheAggregateOfCustomers(r);
            }
            assertRebuildsTheSame(root.resolve("p3"), 3, p3, three, root.resolve("rebuilt"));
        } finally {
            delete(root);
        }
    }

    /** The config keys that put one engine run on this suite's journal (each run its own journal). */
    Map<String, String> journal() {
        return Map.of();
    }

    private Map<String, String> onJournal(Map<String, String> rules) {
        Map<String, String> all = new LinkedHashMap<>(rules);
        all.putAll(journal());
        return all;
    }

    /** A replay of the journal {@code data} was built from, into {@code into}, is byte-identical to it. */
    void assertRebuildsTheSame(Path data, int partitions, Map<String, String> rules, Result live, Path into) {
        Replay.Report replay = Replay.run(config(data, partitions, rules), into, s -> { });
        assertThat(replay.firstDifference()).isNull();
    }

    /** Customers, their expiring points and stats after a programme. */
    record Result(Map<String, CustomerView> customers, Map<String, Map<String, List<ExpiringPoints>>> expiring,
                  ProgramStats stats) {
    }

    private static EngineConfig config(Path data, int partitions, Map<String, String> rules) {
        Map<String, String> overrides = new LinkedHashMap<>(rules);
        overrides.putAll(Map.of("data-dir", data.toString(), "partitions", Integer.toString(partitions),
                "clock.adjustable", "true"));
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), overrides);
    }

    /** Runs a programme on a fresh engine; {@code rules} may carry any further key (the journal's too). */
    static Result run(Path data, int partitions, Map<String, String> rules, List<Step> programme)
            throws Exception {
        try (LoyaltyEngine engine = Engine.start(config(data, partitions, rules), new SimpleMeterRegistry(),
                () -> WALL_MS)) {
            Eventually.ready(engine);
            for (Step step : programme) {
                if (step.json() == null) {
                    engine.advanceClock(step.advanceDays() * 86_400L).get(10, TimeUnit.SECONDS);
                    assertExpiringIsTheAggregateOfCustomers(customers(engine));
                    continue;
                }
                JsonNode node = JSON.readTree(step.json());
                Validated v = engine.validator().validate(node, engine.nowMs());
                if (!v.isOk()) {
                    continue;
                }
                engine.submit(List.of(new Submitted(v.event(), 0)), true).get(0).result().get(10, TimeUnit.SECONDS);
            }
            Result r = customers(engine);
            assertExpiringIsTheAggregateOfCustomers(r);
            return r;
        }
    }

    private static Result customers(LoyaltyEngine engine) throws Exception {
        Map<String, CustomerView> customers = new LinkedHashMap<>();
        Map<String, Map<String, List<ExpiringPoints>>> expiring = new LinkedHashMap<>();
        for (int i = 0; i < CUSTOMERS; i++) {
            CustomerDetail detail = engine.customerDetail("c-" + i, 100).get(10, TimeUnit.SECONDS);
            if (detail != null) {
                customers.put(detail.view().id(), detail.view());
                expiring.put(detail.view().id(), detail.expiring());
                assertThat(engine.customer("c-" + i).get(10, TimeUnit.SECONDS)).isEqualTo(detail.view());
            }
        }
        return new Result(customers, expiring, engine.stats());
    }

    /**
     * Every customer's expiring points (opted-out ones too) summed per window: the instants on one of the W
     * UTC days starting with as_of's day.
     */
    private static void assertExpiringIsTheAggregateOfCustomers(Result r) {
        ProgramStats s = r.stats();
        long asOfDay = Math.floorDiv(s.asOfMs(), DAY_MS);
        Map<Integer, Map<String, Long>> expected = new LinkedHashMap<>();
        for (Map.Entry<Integer, Map<String, Long>> w : s.expiring().entrySet()) {
            Map<String, Long> perAccount = new LinkedHashMap<>();
            w.getValue().keySet().forEach(a -> perAccount.put(a, 0L));
            for (Map<String, List<ExpiringPoints>> customer : r.expiring().values()) {
                for (Map.Entry<String, List<ExpiringPoints>> a : customer.entrySet()) {
                    assertThat(a.getValue()).as("fewer than 100 instants: the list is whole").hasSizeLessThan(100);
                    for (ExpiringPoints p : a.getValue()) {
                        assertThat(p.atMs()).as("nothing overdue").isGreaterThan(s.asOfMs());
                        long day = Math.floorDiv(p.atMs(), DAY_MS);
                        if (day < asOfDay + w.getKey()) {
                            perAccount.merge(a.getKey(), p.points(), Long::sum);
                        }
                    }
                }
            }
            expected.put(w.getKey(), perAccount);
        }
        assertThat(s.expiring().keySet()).containsExactly(1, 30, 90, 600);
        assertThat(s.expiring()).as("/stats expiring at %s", s.asOfMs()).isEqualTo(expected);
    }

    static void assertStatsAreTheAggregateOfCustomers(Result r) {
        ProgramStats s = r.stats();
        long active = 0;
        Map<String, Long> tiers = new LinkedHashMap<>();
        s.tiers().keySet().forEach(t -> tiers.put(t, 0L));
        Map<String, Long> liability = new LinkedHashMap<>();
        s.liability().keySet().forEach(a -> liability.put(a, 0L));
        Map<Integer, Long> windows = new LinkedHashMap<>();
        s.activeMembers().keySet().forEach(w -> windows.put(w, 0L));
        long clockDay = Math.floorDiv(s.asOfMs(), DAY_MS);
        for (CustomerView c : r.customers().values()) {
            for (Map.Entry<String, AccountView> a : c.accounts().entrySet()) {
                liability.merge(a.getKey(), a.getValue().balance(), Long::sum);
            }
            if (!c.active()) {
                continue;
            }
            active++;
            tiers.merge(c.tier(), 1L, Long::sum);
            if (c.lastActivityAtMs() != CustomerView.NONE) {
                long day = Math.floorDiv(c.lastActivityAtMs(), DAY_MS);
                windows.replaceAll((w, n) -> day > clockDay - w ? n + 1 : n);
            }
        }
        assertThat(s.membersTotal()).isEqualTo(r.customers().size());
        assertThat(s.membersActive()).isEqualTo(active);
        assertThat(s.membersOptedOut()).isEqualTo(r.customers().size() - active);
        assertThat(s.tiers()).isEqualTo(tiers);
        assertThat(s.liability()).isEqualTo(liability);
        assertThat(s.activeMembers()).isEqualTo(windows);
    }

    static void delete(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
