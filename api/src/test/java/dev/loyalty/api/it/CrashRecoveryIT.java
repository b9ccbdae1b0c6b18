package dev.loyalty.api.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGKILL in the middle of a stream of synchronous posts: after a restart every acknowledged event is
 * applied exactly once, and a replay of the journal reproduces the live state byte for byte.
 */
class CrashRecoveryIT {
    private static final String KEY = "dev-key";
    private static final int CUSTOMERS = 40;
    private static final int WRITERS = 8;

    @TempDir
    Path dir;

    @Test
    void shouldApplyEveryAcknowledgedEventExactlyOnceAfterSigkill() throws Exception {
        Path data = dir.resolve("data");
        Map<String, String> env = Map.of("ENGINE_PARTITIONS", "2");
        EngineProcess engine = new EngineProcess(data, env).start();
        for (int c = 0; c < CUSTOMERS; c++) {
            assertThat(engine.post("/events", KEY, "{\"customer\":\"k-" + c + "\",\"action\":\"opt_in\"}")
                    .status()).isEqualTo(200);
        }

        // seq -> customer of every point_add answered 200
        Map<Long, String> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            pool.submit(() -> {
                int i = 0;
                while (!stop.get()) {
                    String customer = "k-" + ((writer * 7 + i++) % CUSTOMERS);
                    try {
                        sent.incrementAndGet();
                        EngineProcess.Response r = engine.post("/events", KEY, "{\"customer\":\"" + customer
                                + "\",\"action\":\"point_add\",\"data\":{\"points\":" + (1 + i % 50) + "}}");
                        if (r.status() == 200) {
                            assertThat(r.body().path("outcome").asText()).isEqualTo("applied");
                            acknowledged.put(r.body().path("seq").asLong(), customer);
                        }
                    } catch (Exception connectionLost) {
                        return;
                    }
                }
            });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (acknowledged.size() < 1500 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        engine.kill();
        stop.set(true);
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(acknowledged).hasSizeGreaterThan(100);

        EngineProcess again = new EngineProcess(data, env).start();
        Map<String, List<Long>> seqsByCustomer = new HashMap<>();
        long total = 0;
        for (int c = 0; c < CUSTOMERS; c++) {
            String customer = "k-" + c;
            List<Long> seqs = new ArrayList<>();
            long sum = 0;
            String before = "";
            while (true) {
                EngineProcess.Response page = again.get("/customers/" + customer + "/ledger?limit=1000" + before,
                        KEY);
                assertThat(page.status()).isEqualTo(200);
                for (JsonNode e : page.body().path("entries")) {
                    assertThat(e.path("kind").asText()).isEqualTo("earn");
                    seqs.add(e.path("seq").asLong());
                    sum += e.path("points").asLong();
                }
                if (page.body().path("next_before").isNull()) {
                    break;
                }
                before = "&before=" + page.body().path("next_before").asLong();
            }
            Set<Long> distinct = new HashSet<>(seqs);
            assertThat(distinct).as("no event applied twice for " + customer).hasSameSizeAs(seqs);
            JsonNode view = again.get("/customers/" + customer, KEY).body();
            assertThat(view.path("accounts").path("points").path("balance").asLong()).isEqualTo(sum);
            seqsByCustomer.put(customer, seqs);
            total += sum;
        }
        for (Map.Entry<Long, String> a : acknowledged.entrySet()) {
            assertThat(seqsByCustomer.get(a.getValue())).as("acknowledged seq " + a.getKey() + " applied")
                    .contains(a.getKey());
            EngineProcess.Response event = again.get("/events/" + a.getKey(), KEY);
            assertThat(event.status()).isEqualTo(200);
            assertThat(event.body().path("outcome").asText()).isEqualTo("applied");
        }
        JsonNode stats = again.get("/stats", KEY).body();
        assertThat(stats.path("liability").path("points").asLong()).isEqualTo(total);
        assertThat(stats.path("members").path("total").asLong()).isEqualTo(CUSTOMERS);
        assertThat(again.stop()).isZero();

        EngineProcess.Result replay = EngineProcess.run("replay", "--data", data.toString(),
                "--into", dir.resolve("rebuilt").toString());
        assertThat(replay.exitCode()).as(replay.output()).isZero();
        assertThat(replay.output()).containsIgnoringCase("identical");
    }
}
