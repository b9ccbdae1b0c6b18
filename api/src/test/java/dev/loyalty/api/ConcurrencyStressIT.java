package dev.loyalty.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.api.HttpCalls.Answer;
import dev.loyalty.engine.config.EngineConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many clients on the same few customers at once (the real program, in-process): 32 threads post
 * point_add and point_spend of known amounts. Afterwards, per customer, the ledger lists the entries in
 * the order of their seqs (one writer per customer, journal order), every acknowledged event is there once
 * with its amount, and the balance is exactly what the acknowledged events add up to: no lost update.
 */
@Timeout(600)
class ConcurrencyStressIT {
    private static final String KEY = "dev-key";
    private static final int THREADS = 32;
    private static final int PER_THREAD = 60;
    private static final int CUSTOMERS = 3;

    @Test
    void shouldKeepPerCustomerOrderAndLoseNoUpdateUnderManyClients() throws Exception {
        Path home = Files.createTempDirectory("stress-it");
        int port = TestFolders.freePort();
        EngineConfig config = ProgramConfig.load(null, Map.of(), new ProgramConfig.Overrides()
                .put("api.port", port).put("management.port", TestFolders.freePort())
                .put("data-dir", home.resolve("data")).put("partitions", 2).toMap());
        Program program = Program.start(config);
        try {
            HttpCalls http = new HttpCalls(port);
            for (int c = 0; c < CUSTOMERS; c++) {
                assertThat(http.post("/events", KEY, "{\"customer\":\"st-" + c + "\",\"action\":\"opt_in\"}")
                        .status()).isEqualTo(200);
                assertThat(http.post("/events", KEY, "{\"customer\":\"st-" + c
                        + "\",\"action\":\"point_add\",\"data\":{\"points\":100000}}").status()).isEqualTo(200);
            }
            Map<Long, Long> signedPointsBySeq = new ConcurrentHashMap<>();
            AtomicLong[] expected = new AtomicLong[CUSTOMERS];
            for (int c = 0; c < CUSTOMERS; c++) {
                expected[c] = new AtomicLong(100000);
            }
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> clients = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                clients.add(pool.submit(() -> {
                    for (int i = 0; i < PER_THREAD; i++) {
                        int c = (thread + i) % CUSTOMERS;
                        boolean spend = i % 3 == 2;
                        long points = 1 + (thread * 31 + i) % 17;
                        Answer a = http.post("/events", KEY, "{\"customer\":\"st-" + c + "\",\"action\":\""
                                + (spend ? "point_spend" : "point_add") + "\",\"data\":{\"points\":" + points + "}}");
                        assertThat(a.status()).as(a.toString()).isEqualTo(200);
                        assertThat(a.json().path("outcome").asText()).isEqualTo("applied");
                        long signed = spend ? -points : points;
                        expected[c].addAndGet(signed);
                        signedPointsBySeq.put(a.json().path("seq").asLong(), signed);
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get(300, TimeUnit.SECONDS);
            }
            pool.shutdown();
            int seen = 0;
            for (int c = 0; c < CUSTOMERS; c++) {
                JsonNode ledger = http.get("/customers/st-" + c + "/ledger?limit=1000", KEY).json();
                List<JsonNode> entries = new ArrayList<>();
                ledger.path("entries").forEach(entries::add);
                assertThat(ledger.path("next_before").isNull()).isTrue();
                long previousSeq = Long.MAX_VALUE;
                long previousId = Long.MAX_VALUE;
                long sum = 0;
                for (JsonNode e : entries) { // newest first
                    assertThat(e.path("seq").asLong()).as("ledger in seq order").isLessThan(previousSeq);
                    assertThat(e.path("id").asLong()).isLessThan(previousId);
                    previousSeq = e.path("seq").asLong();
                    previousId = e.path("id").asLong();
                    long signed = e.path("kind").asText().equals("spend") ? -e.path("points").asLong()
                            : e.path("points").asLong();
                    sum += signed;
                    Long acked = signedPointsBySeq.get(e.path("seq").asLong());
                    if (acked != null) {
                        assertThat(signed).isEqualTo(acked);
                        seen++;
                    }
                }
                long balance = http.get("/customers/st-" + c, KEY).json().path("accounts").path("points")
                        .path("balance").asLong();
                assertThat(balance).as("no lost update for st-" + c).isEqualTo(expected[c].get()).isEqualTo(sum);
            }
            assertThat(seen).as("every acknowledged event in a ledger").isEqualTo(THREADS * PER_THREAD);
        } finally {
            program.close();
            TestFolders.deleteRecursively(home);
        }
    }
}
