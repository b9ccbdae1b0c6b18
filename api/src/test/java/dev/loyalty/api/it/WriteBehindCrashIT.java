package dev.loyalty.api.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Write-behind state survives a SIGKILL between two commits: with commits pushed far apart
 * ({@code state.flush-interval} 10 min, so only the catch-up commit and pauses in traffic commit), the program
 * is killed under steady load, i.e. with applied events that only memory held. The restart must say it resumes
 * from an older commit or has none yet (proof the kill fell after events only memory held), then hold every
 * acknowledged event exactly once (ledgers, balances), and after a clean stop a replay of the journal must equal
 * the state byte for byte. With {@code state.wal} off and on: with it, commits land on the committer thread through
 * the WAL, the derived logs forced first.
 */
@Timeout(600)
class WriteBehindCrashIT {
    private static final String KEY = "dev-key";
    private static final int CUSTOMERS = 24;
    private static final int WRITERS = 4;
    private static final int FILLERS = 2;
    private static final Pattern RESUMES = Pattern.compile(
            "partition \\d+ (?:resumes from its last commit at seq (\\d+)|has no commit yet)");

    @TempDir
    Path dir;

    private record Ack(long seq, String customer, long points) {
    }

    @ParameterizedTest(name = "state.wal {0}")
    @ValueSource(booleans = {false, true})
    void shouldRecoverAppliedButUncommittedEventsFromTheJournalAfterSigkill(boolean wal) throws Exception {
        Path data = dir.resolve("data-" + wal);
        Map<String, String> env = Map.of("ENGINE_PARTITIONS", "2", "ENGINE_STATE_FLUSH_INTERVAL", "10m",
                "ENGINE_STATE_WAL", Boolean.toString(wal));
        EngineProcess engine = new EngineProcess(data, env).start();
        for (int c = 0; c < CUSTOMERS; c++) {
            assertThat(engine.post("/events", KEY, "{\"customer\":\"w-" + c + "\",\"action\":\"opt_in\"}")
                    .status()).isEqualTo(200);
        }
        ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger counter = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + FILLERS);
        EngineProcess target = engine;
        for (int w = 0; w < WRITERS; w++) {
            pool.submit(() -> {
                while (!stop.get()) {
                    int n = counter.incrementAndGet();
                    String customer = "w-" + (n % CUSTOMERS);
                    long points = 1 + n % 40;
                    EngineProcess.Response r;
                    try {
                        r = target.post("/events", KEY, "{\"customer\":\"" + customer
                                + "\",\"action\":\"point_add\",\"data\":{\"points\":" + points + "}}");
                    } catch (Exception connectionLost) {
                        return;
                    }
                    if (r.status() == 200) {
                        acks.add(new Ack(r.body().path("seq").asLong(), customer, points));
                    } else if (r.status() != 429) {
                        unexpected.add(r.status() + " " + r.raw().body());
                    }
                }
            });
        }
        // Async bulks for other (never opted-in, so rejected) customers keep both processors' backlog non-empty,
        // so no pause in traffic commits right before the kill, even when this machine is slow.
        StringBuilder filler = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 200; i++) {
            filler.append(i == 0 ? "" : ",").append("{\"customer\":\"f-").append(i % 16)
                    .append("\",\"action\":\"point_add\",\"data\":{\"points\":1}}");
        }
        String fillerBody = filler.append("]}").toString();
        for (int f = 0; f < FILLERS; f++) {
            pool.submit(() -> {
                while (!stop.get()) {
                    EngineProcess.Response r;
                    try {
                        r = target.post("/events/bulk?mode=async", KEY, fillerBody);
                    } catch (Exception connectionLost) {
                        return;
                    }
                    if (r.status() != 200 && r.status() != 202 && r.status() != 429) {
                        unexpected.add("bulk " + r.status() + " " + r.raw().body());
                    }
                }
            });
        }
        // Not a sleep-then-assert: wait until enough is acknowledged, then kill under the running load.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (acks.size() < 600 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        engine.kill();
        stop.set(true);
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(unexpected).as("answers other than 200/429 under load").isEmpty();
        assertThat(acks.size()).as("acknowledged before the kill").isGreaterThanOrEqualTo(600);
        long lastAcked = acks.stream().mapToLong(Ack::seq).max().orElseThrow();

        engine = new EngineProcess(data, env).start();
        Matcher m = RESUMES.matcher(engine.log());
        long oldestCommit = Long.MAX_VALUE;
        while (m.find()) {
            oldestCommit = Math.min(oldestCommit, m.group(1) == null ? 0 : Long.parseLong(m.group(1)));
        }
        assertThat(oldestCommit).as("a partition resumed from a commit older than what was acknowledged:\n%s",
                engine.log()).isLessThan(lastAcked);

        Map<Long, Long> pointsBySeq = new HashMap<>();
        Map<Long, String> customerBySeq = new HashMap<>();
        for (int c = 0; c < CUSTOMERS; c++) {
            String customer = "w-" + c;
            long sum = 0;
            String before = "";
            while (true) {
                EngineProcess.Response page = engine.get("/customers/" + customer + "/ledger?limit=1000" + before,
                        KEY);
                assertThat(page.status()).isEqualTo(200);
                for (JsonNode e : page.body().path("entries")) {
                    long seq = e.path("seq").asLong();
                    assertThat(customerBySeq.put(seq, customer)).as("seq %d applied once", seq).isNull();
                    pointsBySeq.put(seq, e.path("points").asLong());
                    sum += e.path("points").asLong();
                }
                if (page.body().path("next_before").isNull()) {
                    break;
                }
                before = "&before=" + page.body().path("next_before").asLong();
            }
            JsonNode view = engine.get("/customers/" + customer, KEY).body();
            assertThat(view.path("accounts").path("points").path("balance").asLong())
                    .as("balance of %s = its ledger", customer).isEqualTo(sum);
        }
        for (Ack a : acks) {
            assertThat(customerBySeq.get(a.seq())).as("acknowledged seq %d kept", a.seq()).isEqualTo(a.customer());
            assertThat(pointsBySeq.get(a.seq())).as("points of seq %d", a.seq()).isEqualTo(a.points());
        }

        assertThat(engine.stop()).isZero();
        EngineProcess.Result replay = EngineProcess.run("replay", "--data", data.toString(),
                "--into", dir.resolve("rebuilt").toString());
        assertThat(replay.exitCode()).as(replay.output()).isZero();
        assertThat(replay.output()).contains("identical: yes");
    }
}
