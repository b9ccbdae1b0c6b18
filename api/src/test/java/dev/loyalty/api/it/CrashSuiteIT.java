package dev.loyalty.api.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crash suite: sustained synchronous, asynchronous and bulk load with idempotency ids, the real program
 * SIGKILLed at a random moment, restarted, and checked, round after round on one data folder:
 * <ul>
 *   <li>every event acknowledged with a 2xx is in its customer's ledger exactly once, with its points;
 *       no seq appears twice anywhere (nothing lost, nothing duplicated);</li>
 *   <li>{@code GET /events/{seq}} answers the outcome the acknowledgement carried (same effects);</li>
 *   <li>a retry of an acknowledged event with its id answers {@code duplicate: true} with the same seq;</li>
 *   <li>balances equal their ledgers, {@code /stats} equals the aggregate over customers;</li>
 *   <li>after the last round, a replay of the journal into an empty folder equals the live state.</li>
 * </ul>
 * Runs with {@code journal.sync=none} and {@code batch}. Rounds per mode: 5 (CI's short form); more with
 * {@code -Dcrash.rounds=20} or {@code CRASH_ROUNDS=20}; the kill moments come from {@code -Dcrash.seed}
 * (printed, so a failing run can be repeated).
 */
@Timeout(3600)
class CrashSuiteIT {
    private static final String KEY = "dev-key";
    private static final int CUSTOMERS = 40;
    private static final int SYNC_WRITERS = 4;
    private static final int ROUNDS = Integer.getInteger("crash.rounds",
            Integer.parseInt(System.getenv().getOrDefault("CRASH_ROUNDS", "5")));
    private static final long SEED = Long.getLong("crash.seed", System.nanoTime());

    @TempDir
    Path dir;

    /** One acknowledged event: its customer and points, the id it carried (or null), and the answer's effects. */
    private record Ack(long seq, String customer, long points, String id, String body, JsonNode effects) {
    }

    @ParameterizedTest(name = "journal.sync={0}")
    @ValueSource(strings = {"none", "batch"})
    void shouldApplyEveryAcknowledgedEventExactlyOnceAcrossSigkills(String sync) throws Exception {
        Random random = new Random(SEED ^ sync.hashCode());
        Path data = dir.resolve("data");
        Map<String, String> env = Map.of("ENGINE_PARTITIONS", "2", "ENGINE_JOURNAL_SYNC", sync,
                "ENGINE_API_SYNC_TIMEOUT", "10s");
        EngineProcess engine = new EngineProcess(data, env).start();
        for (int c = 0; c < CUSTOMERS; c++) {
            assertThat(engine.post("/events", KEY, "{\"customer\":\"k-" + c + "\",\"action\":\"opt_in\"}")
                    .status()).isEqualTo(200);
        }
        Map<Long, Ack> acknowledged = new HashMap<>();
        Counts total = new Counts();
        for (int round = 1; round <= ROUNDS; round++) {
            long killAfterMs = 300 + random.nextInt(2200);
            Load load = new Load(engine, round);
            load.start();
            // Not a wait for a condition: the kill moment itself is the random input of the round.
            Thread.sleep(killAfterMs);
            engine.kill();
            load.awaitEnd();
            Counts counts = new Counts();
            counts.serverErrors = load.serverErrors.get();
            for (Ack a : load.acks) {
                if (acknowledged.put(a.seq(), a) != null) {
                    counts.duplicated++;
                }
            }
            engine = new EngineProcess(data, env).start();
            verify(engine, acknowledged, load.acks, counts);
            total.add(counts);
            // Printed before the assertions, so a failing round still reports what it counted.
            System.out.printf("crash suite [journal.sync=%s] round %d/%d: killed after %d ms, %d acknowledged this"
                    + " round, %d in all, lost %d, duplicated %d, 5xx %d%n", sync, round, ROUNDS, killAfterMs,
                    load.acks.size(), acknowledged.size(), counts.lost, counts.duplicated, counts.serverErrors);
            assertThat(load.unexpected).as("answers other than 200/202/429 during load: " + load.unexpected)
                    .isEmpty();
            assertThat(load.acks).as("round %d acknowledged something", round).isNotEmpty();
            counts.assertNone("round " + round);
        }
        assertThat(engine.stop()).isZero();
        EngineProcess.Result replay = EngineProcess.run("replay", "--data", data.toString(),
                "--into", dir.resolve("rebuilt").toString());
        boolean identical = replay.exitCode() == 0 && replay.output().contains("identical: yes");
        System.out.printf("CRASH SUITE journal.sync=%s seed=%d: rounds=%d acknowledged=%d lost=%d duplicated=%d"
                + " 5xx=%d replay=%s%n", sync, SEED, ROUNDS, acknowledged.size(), total.lost, total.duplicated,
                total.serverErrors, identical ? "identical" : "DIFFERENT");
        assertThat(replay.exitCode()).as(replay.output()).isZero();
        assertThat(replay.output()).contains("identical: yes");
    }

    /**
     * What a round counted: acknowledged events missing from the ledgers (lost), seqs acknowledged or
     * applied more than once (duplicated), and 5xx answers (to load and to the checks after the restart).
     */
    private static final class Counts {
        long lost;
        long duplicated;
        long serverErrors;

        void add(Counts other) {
            lost += other.lost;
            duplicated += other.duplicated;
            serverErrors += other.serverErrors;
        }

        void assertNone(String when) {
            assertThat(lost).as("%s: acknowledged events lost", when).isZero();
            assertThat(duplicated).as("%s: events duplicated", when).isZero();
            assertThat(serverErrors).as("%s: 5xx answers", when).isZero();
        }
    }

    /** Everything the engine says after a restart agrees with what it acknowledged before. */
    private static void verify(EngineProcess engine, Map<Long, Ack> all, Iterable<Ack> thisRound, Counts counts)
            throws Exception {
        Map<Long, String> ledgerSeqs = new HashMap<>();
        Map<Long, Long> pointsBySeq = new HashMap<>();
        long liability = 0;
        long entries = 0;
        for (int c = 0; c < CUSTOMERS; c++) {
            String customer = "k-" + c;
            long sum = 0;
            String before = "";
            while (true) {
                EngineProcess.Response page = counted(counts, engine.get("/customers/" + customer
                        + "/ledger?limit=1000" + before, KEY));
                assertThat(page.status()).isEqualTo(200);
                for (JsonNode e : page.body().path("entries")) {
                    assertThat(e.path("kind").asText()).isEqualTo("earn");
                    long seq = e.path("seq").asLong();
                    if (ledgerSeqs.put(seq, customer) != null) {
                        counts.duplicated++;
                    }
                    pointsBySeq.put(seq, e.path("points").asLong());
                    sum += e.path("points").asLong();
                    entries++;
                }
                if (page.body().path("next_before").isNull()) {
                    break;
                }
                before = "&before=" + page.body().path("next_before").asLong();
            }
            JsonNode view = counted(counts, engine.get("/customers/" + customer, KEY)).body();
            assertThat(view.path("accounts").path("points").path("balance").asLong())
                    .as("balance of %s = its ledger", customer).isEqualTo(sum);
            liability += sum;
        }
        for (Ack a : all.values()) {
            if (!ledgerSeqs.containsKey(a.seq())) {
                counts.lost++;
                continue;
            }
            assertThat(ledgerSeqs.get(a.seq())).as("customer of acknowledged seq %d", a.seq()).isEqualTo(a.customer());
            assertThat(pointsBySeq.get(a.seq())).as("points of acknowledged seq %d", a.seq()).isEqualTo(a.points());
        }
        if (counts.lost + counts.duplicated > 0) {
            return; // the caller reports the counts; the checks below would only fail on them first
        }
        JsonNode stats = counted(counts, engine.get("/stats", KEY)).body();
        assertThat(stats.path("liability").path("points").asLong()).isEqualTo(liability);
        assertThat(stats.path("members").path("total").asLong()).isEqualTo(CUSTOMERS);
        assertThat(stats.path("events_applied").asLong()).isEqualTo(CUSTOMERS + entries);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> checks = new ArrayList<>();
            int retries = 0;
            for (Ack a : thisRound) {
                boolean retry = a.id() != null && retries++ < 40;
                checks.add(pool.submit(() -> {
                    EngineProcess.Response event = counted(counts, engine.get("/events/" + a.seq(), KEY));
                    assertThat(event.status()).isEqualTo(200);
                    assertThat(event.body().path("outcome").asText()).isEqualTo("applied");
                    JsonNode effects = event.body().path("effects");
                    assertThat(effects).hasSize(1);
                    assertThat(effects.get(0).path("points").asLong()).isEqualTo(a.points());
                    if (a.effects() != null) {
                        assertThat(effects).as("outcome of seq %d as acknowledged", a.seq()).isEqualTo(a.effects());
                    }
                    if (retry) {
                        EngineProcess.Response again = counted(counts, engine.post("/events", KEY, a.body()));
                        assertThat(again.status()).isEqualTo(200);
                        assertThat(again.body().path("duplicate").asBoolean()).isTrue();
                        assertThat(again.body().path("seq").asLong()).isEqualTo(a.seq());
                    }
                    return null;
                }));
            }
            for (Future<?> f : checks) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static EngineProcess.Response counted(Counts counts, EngineProcess.Response r) {
        if (r.status() >= 500) {
            synchronized (counts) {
                counts.serverErrors++;
            }
        }
        return r;
    }

    /**
     * Writers until the engine dies: {@link #SYNC_WRITERS} synchronous single posts (every other one with an
     * id), one asynchronous writer and one synchronous bulk writer (5 events a request).
     */
    private static final class Load {
        private final EngineProcess engine;
        private final int round;
        private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
        private final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger serverErrors = new AtomicInteger();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicInteger counter = new AtomicInteger();
        private final ExecutorService pool = Executors.newFixedThreadPool(SYNC_WRITERS + 2);

        Load(EngineProcess engine, int round) {
            this.engine = engine;
            this.round = round;
        }

        void start() {
            for (int w = 0; w < SYNC_WRITERS; w++) {
                pool.submit(() -> write(false));
            }
            pool.submit(() -> write(true));
            pool.submit(this::writeBulks);
        }

        void awaitEnd() throws InterruptedException {
            stop.set(true);
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }

        private String event(int n, String id) {
            String customer = "k-" + (n * 7 % CUSTOMERS);
            return "{\"customer\":\"" + customer + "\",\"action\":\"point_add\""
                    + (id == null ? "" : ",\"id\":\"" + id + "\"") + ",\"data\":{\"points\":" + points(n) + "}}";
        }

        private static long points(int n) {
            return 1 + n % 50;
        }

        private void write(boolean async) {
            while (!stop.get()) {
                int n = counter.incrementAndGet();
                String id = n % 2 == 0 ? "r" + round + "-" + n : null;
                String body = event(n, id);
                EngineProcess.Response r;
                try {
                    r = engine.post(async ? "/events?mode=async" : "/events", KEY, body);
                } catch (Exception connectionLost) {
                    return;
                }
                String customer = "k-" + (n * 7 % CUSTOMERS);
                if (r.status() == 200) {
                    acks.add(new Ack(r.body().path("seq").asLong(), customer, points(n), id, body,
                            r.body().path("effects")));
                } else if (r.status() == 202) {
                    acks.add(new Ack(r.body().path("seq").asLong(), customer, points(n), id, body, null));
                } else if (r.status() != 429) {
                    if (r.status() >= 500) {
                        serverErrors.incrementAndGet();
                    }
                    unexpected.add(r.status() + " " + r.raw().body());
                }
            }
        }

        private void writeBulks() {
            while (!stop.get()) {
                int[] ns = new int[5];
                StringBuilder body = new StringBuilder("{\"events\":[");
                for (int i = 0; i < ns.length; i++) {
                    ns[i] = counter.incrementAndGet();
                    body.append(i == 0 ? "" : ",").append(event(ns[i], null));
                }
                body.append("]}");
                EngineProcess.Response r;
                try {
                    r = engine.post("/events/bulk", KEY, body.toString());
                } catch (Exception connectionLost) {
                    return;
                }
                if (r.status() == 200) {
                    JsonNode results = r.body().path("results");
                    for (int i = 0; i < ns.length; i++) {
                        JsonNode slot = results.get(i);
                        String outcome = slot.path("outcome").asText();
                        if (!outcome.equals("applied") && !outcome.equals("accepted")) {
                            unexpected.add("bulk slot " + slot);
                            continue;
                        }
                        acks.add(new Ack(slot.path("seq").asLong(), "k-" + (ns[i] * 7 % CUSTOMERS), points(ns[i]),
                                null, null, outcome.equals("applied") ? slot.path("effects") : null));
                    }
                } else if (r.status() != 429) {
                    if (r.status() >= 500) {
                        serverErrors.incrementAndGet();
                    }
                    unexpected.add(r.status() + " " + r.raw().body());
                }
            }
        }
    }
}
