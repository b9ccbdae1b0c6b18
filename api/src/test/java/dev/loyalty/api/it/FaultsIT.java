package dev.loyalty.api.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.engine.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Faults of the machine under the real program: a full disk, a state store that cannot be written or
 * opened, a data folder already in use, a journal whose tail was lost or overwritten. In each the engine
 * answers honestly ({@code 503}, not ready, or a refusal to start with a clear message), never a 500 and
 * never a wrong or stale answer, and nothing it acknowledged is lost.
 */
@Timeout(600)
class FaultsIT {
    private static final String KEY = "dev-key";
    private static final int CUSTOMERS = 10;

    @TempDir
    Path dir;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private EngineProcess started(Path data, Map<String, String> env) throws Exception {
        EngineProcess e = new EngineProcess(data, env).start();
        cleanup.add(() -> {
            if (e.alive()) {
                e.kill();
            }
        });
        return e;
    }

    private Tmpfs tmpfs(Path at, int megabytes) throws Exception {
        Tmpfs fs = Tmpfs.mount(at, megabytes);
        assumeTrue(fs != null, "cannot mount a tmpfs here (needs root, as CI runs): fault test skipped");
        cleanup.add(fs);
        return fs;
    }

    /** Opts in the customers and gives each some points synchronously; returns seq → customer of every point_add. */
    private static Map<Long, String> acknowledgedLoad(EngineProcess engine, int rounds) throws Exception {
        Map<Long, String> acked = new HashMap<>();
        for (int c = 0; c < CUSTOMERS; c++) {
            engine.post("/events", KEY, "{\"customer\":\"f-" + c + "\",\"action\":\"opt_in\"}");
        }
        for (int r = 0; r < rounds; r++) {
            for (int c = 0; c < CUSTOMERS; c++) {
                EngineProcess.Response a = engine.post("/events", KEY, pointAdd("f-" + c));
                assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
                acked.put(a.body().path("seq").asLong(), "f-" + c);
            }
        }
        return acked;
    }

    private static String pointAdd(String customer) {
        return "{\"customer\":\"" + customer + "\",\"action\":\"point_add\",\"data\":{\"points\":10}}";
    }

    /** Every acknowledged point_add is in its customer's ledger exactly once; balances equal the ledgers. */
    private static void assertAppliedExactlyOnce(EngineProcess engine, Map<Long, String> acked) throws Exception {
        Map<Long, String> seen = new HashMap<>();
        for (int c = 0; c < CUSTOMERS; c++) {
            String customer = "f-" + c;
            long sum = 0;
            // Every page of the ledger: a customer of a long load holds more entries than one page.
            String before = "";
            do {
                JsonNode page = engine.get("/customers/" + customer + "/ledger?limit=1000" + before, KEY).body();
                for (JsonNode e : page.path("entries")) {
                    assertThat(seen.put(e.path("seq").asLong(), customer)).as("seq applied twice").isNull();
                    sum += e.path("points").asLong();
                }
                before = page.path("next_before").isNull() ? null : "&before=" + page.path("next_before").asLong();
            } while (before != null);
            assertThat(engine.get("/customers/" + customer, KEY).body().path("accounts").path("points")
                    .path("balance").asLong()).isEqualTo(sum);
        }
        for (Map.Entry<Long, String> a : acked.entrySet()) {
            assertThat(seen.get(a.getKey())).as("acknowledged seq %d applied", a.getKey()).isEqualTo(a.getValue());
        }
    }

    private static void awaitStatus(EngineProcess engine, String path, int status) {
        Eventually.until(path + " answers " + status, Duration.ofSeconds(20),
                () -> engine.management(path).status(), s -> s == status);
    }

    @Test
    void shouldRefuseAppendsWith503WhenTheDiskFillsAndRecoverWhenSpaceReturns() throws Exception {
        Path root = dir.resolve("small");
        Tmpfs fs = tmpfs(root, 64);
        Path data = root.resolve("data");
        Map<String, String> env = Map.of("ENGINE_PARTITIONS", "1", "ENGINE_JOURNAL_MIN_FREE", "24MiB");
        EngineProcess engine = started(data, env);
        Map<Long, String> acked = acknowledgedLoad(engine, 3);

        // Fill the disk with the engine's own journal: asynchronous bulks of fat (rejected) opt_ins.
        StringBuilder bulk = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 1000; i++) {
            bulk.append(i == 0 ? "" : ",").append("{\"customer\":\"f-").append(i % CUSTOMERS)
                    .append("\",\"action\":\"opt_in\",\"data\":{\"name\":\"").append("x".repeat(300)).append("\"}}");
        }
        bulk.append("]}");
        int status = 0;
        int bulks = 0;
        while (status != 503 && bulks < 1000) {
            EngineProcess.Response r = engine.post("/events/bulk?mode=async", KEY, bulk.toString());
            status = r.status();
            assertThat(status).as(r.raw().body()).isIn(200, 429, 503);
            bulks++;
        }
        assertThat(status).as("the journal refused appends after %d bulks", bulks).isEqualTo(503);
        assertThat(fs.usableBytes()).as("refused before the file system was full").isGreaterThan(8L << 20);
        EngineProcess.Response refused = engine.post("/events", KEY, pointAdd("f-1"));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.body().path("error").path("code").asText()).isEqualTo("unavailable");
        awaitStatus(engine, "/health/ready", 503);
        assertThat(engine.get("/customers/f-1", KEY).status()).as("reads go on").isEqualTo(200);
        assertThat(engine.alive()).isTrue();

        fs.resize(256);
        EngineProcess.Response again = Eventually.until("appends accepted once space returned",
                Duration.ofSeconds(20), () -> engine.post("/events", KEY, pointAdd("f-2")), r -> r.status() == 200);
        acked.put(again.body().path("seq").asLong(), "f-2");
        awaitStatus(engine, "/health/ready", 200);

        engine.kill();
        EngineProcess restarted = started(data, env);
        assertAppliedExactlyOnce(restarted, acked);
        assertThat(restarted.log()).doesNotContain("InternalError", "a fault occurred");
    }

    @Test
    void shouldStopThePartitionAndAnswer503WhenStateWritesFailThenRecoverOnRestart() throws Exception {
        Path data = dir.resolve("data");
        Tmpfs fs = tmpfs(data.resolve("state"), 3);
        // The write-ahead log on makes every state write touch the (tiny) disk at once.
        Map<String, String> env = Map.of("ENGINE_PARTITIONS", "1", "ENGINE_STATE_WAL", "true");
        EngineProcess engine = started(data, env);
        Map<Long, String> acked = acknowledgedLoad(engine, 2);

        StringBuilder bulk = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 1000; i++) {
            bulk.append(i == 0 ? "" : ",").append("{\"customer\":\"f-").append(i % CUSTOMERS)
                    .append("\",\"action\":\"point_add\",\"data\":{\"points\":1,\"reason\":\"")
                    .append("y".repeat(100)).append("\"}}");
        }
        bulk.append("]}");
        int status = 0;
        for (int i = 0; i < 200 && status != 503; i++) {
            EngineProcess.Response r = engine.post("/events/bulk", KEY, bulk.toString());
            status = r.status();
            assertThat(status).as(r.raw().body()).isIn(200, 429, 503);
            if (status == 200) {
                for (JsonNode slot : r.body().path("results")) {
                    // Journaled: applied, or accepted when the partition stopped before answering.
                    assertThat(slot.path("outcome").asText()).isIn("applied", "accepted");
                    if (slot.path("outcome").asText().equals("applied")) {
                        acked.put(slot.path("seq").asLong(), slot.path("customer").path("id").asText());
                    }
                }
            }
        }
        assertThat(status).as("ingest refused once the state store failed").isEqualTo(503);
        awaitStatus(engine, "/health/ready", 503);
        for (String path : List.of("/customers/f-1", "/customers/f-1/ledger", "/stats", "/events/3")) {
            EngineProcess.Response r = engine.get(path, KEY);
            assertThat(r.status()).as(path + " of a stopped partition: " + r.raw().body()).isEqualTo(503);
            assertThat(r.body().path("error").path("code").asText()).isEqualTo("unavailable");
        }
        assertThat(engine.alive()).isTrue();

        fs.resize(256);
        engine.kill();
        EngineProcess restarted = started(data, env);
        assertAppliedExactlyOnce(restarted, acked);
    }

    @Test
    void shouldRefuseToStartOnAFolderAnotherEngineUses() throws Exception {
        Path data = dir.resolve("data");
        EngineProcess first = started(data, Map.of("ENGINE_PARTITIONS", "1"));
        Map<Long, String> acked = acknowledgedLoad(first, 1);
        EngineProcess.Result second = new EngineProcess(data, Map.of("ENGINE_PARTITIONS", "1"))
                .startExpectingRefusal();
        assertThat(second.exitCode()).isEqualTo(1);
        assertThat(second.output()).contains("is in use by pid");
        assertAppliedExactlyOnce(first, acked);
        assertThat(first.post("/events", KEY, pointAdd("f-1")).status()).isEqualTo(200);
    }

    @Test
    void shouldRefuseToStartWhileTheStateStoreCannotBeOpened() throws Exception {
        Path data = dir.resolve("data");
        Map<String, String> env = Map.of("ENGINE_PARTITIONS", "1");
        EngineProcess engine = started(data, env);
        Map<Long, String> acked = acknowledgedLoad(engine, 1);
        assertThat(engine.stop()).isZero();
        RocksDB.loadLibrary();
        try (Options options = new Options(); RocksDB held = RocksDB.open(options, data.resolve("state/p0").toString())) {
            EngineProcess.Result refused = new EngineProcess(data, env).startExpectingRefusal();
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.output()).contains("cannot start", "cannot open state");
            assertThat(held.getLatestSequenceNumber()).isNotNegative();
        }
        EngineProcess restarted = started(data, env);
        assertAppliedExactlyOnce(restarted, acked);
    }

    private static String refusal(String log) {
        return log.lines().filter(l -> l.contains("cannot start")).reduce((a, b) -> b).orElse("(no refusal line)");
    }

    /** The journal file holding the records (the newest cycle file) and where its written bytes end. */
    private static Path journalFile(Path data) throws IOException {
        try (Stream<Path> files = Files.list(data.resolve("journal"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".cq4")).sorted()
                    .reduce((a, b) -> b).orElseThrow();
        }
    }

    private static long writtenEnd(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] block = new byte[1 << 16];
            long end = 0;
            for (long at = 0; at < f.length(); at += block.length) {
                f.seek(at);
                int n = f.read(block);
                for (int i = 0; i < n; i++) {
                    if (block[i] != 0) {
                        end = at + i + 1;
                    }
                }
            }
            return end;
        }
    }

    @Test
    void shouldRefuseToStartWhenTheJournalLostItsTail() throws Exception {
        Path data = dir.resolve("data");
        Map<String, String> env = Map.of("ENGINE_PARTITIONS", "1", "ENGINE_JOURNAL_HEARTBEAT", "1h");
        EngineProcess engine = started(data, env);
        acknowledgedLoad(engine, 5);
        assertThat(engine.stop()).isZero(); // state flushed: it has applied the whole journal

        Path file = journalFile(data);
        long end = writtenEnd(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(end - 200); // a machine crash lost the last pages: the last records are gone
        }
        EngineProcess.Result refused = new EngineProcess(data, env).startExpectingRefusal();
        System.out.println("truncated journal: " + refusal(refused.output()));
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.output()).contains("cannot start").containsIgnoringCase("restore");
    }

    @Test
    void shouldRefuseToStartWhenTheJournalTailIsOverwritten() throws Exception {
        Path data = dir.resolve("data");
        Map<String, String> env = Map.of("ENGINE_PARTITIONS", "1", "ENGINE_JOURNAL_HEARTBEAT", "1h");
        EngineProcess engine = started(data, env);
        acknowledgedLoad(engine, 5);
        assertThat(engine.stop()).isZero();

        Path file = journalFile(data);
        long end = writtenEnd(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(end - 120);
            byte[] garbage = new byte[120];
            java.util.Arrays.fill(garbage, (byte) 0x7f);
            f.write(garbage); // the last record(s) overwritten with garbage
        }
        EngineProcess.Result refused = new EngineProcess(data, env).startExpectingRefusal();
        System.out.println("overwritten journal tail: " + refusal(refused.output()));
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.output()).contains("cannot start").containsIgnoringCase("journal");
    }
}
