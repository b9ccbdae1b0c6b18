package dev.loyalty.api.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.engine.Backup;
import dev.loyalty.engine.journal.PartitionHash;
import dev.loyalty.engine.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operations commands end to end, run as an operator runs them ({@code bin/engine import | export |
 * backup | replay} in their own processes, {@code serve} on real ports): a 100 000-customer import with
 * progress and a summary, checked against the served and the exported views; a backup restored next to
 * the journal that catches up to the live answers, and a replay from that backup; an online backup of a
 * served folder under load that holds exactly what was acknowledged up to its positions. (Repeat imports and
 * rejected lines: {@code ImporterTest}; replay from empty: {@code MainIT}, {@code CrashSuiteIT}.)
 */
@Timeout(600)
class CliIT {
    private static final String KEY = "dev-key";
    private static final Map<String, String> ENV = Map.of("ENGINE_PARTITIONS", "2");
    private static final int CUSTOMERS = 100_000;

    @TempDir
    Path dir;

    @Test
    void shouldImport100kCustomersWithProgressAndServeAndExportThemAlike() throws Exception {
        Path data = dir.resolve("data");
        Path csv = dir.resolve("customers.csv");
        Map<String, long[]> balances = new HashMap<>();
        long[] totals = writeCustomers(csv, balances);

        EngineProcess.Result imported = EngineProcess.run(ENV, "import", "--data", data.toString(), csv.toString());
        assertThat(imported.exitCode()).as(imported.output()).isEqualTo(3);
        assertThat(imported.output())
                .contains("import: [").contains("lines/s")
                .contains("lines read:        100,002")
                .contains("imported:          100,000")
                .contains("rejected:          2")
                .contains("line 100002: customer 'bad id!'")
                .contains("line 100003: balance.points: 'many' is not a whole number");

        Path exported = dir.resolve("customers.ndjson");
        EngineProcess.Result export = EngineProcess.run(ENV, "export", "--data", data.toString(),
                "--out", exported.toString());
        assertThat(export.exitCode()).as(export.output()).isZero();
        Map<String, JsonNode> byId = new HashMap<>();
        try (Stream<String> lines = Files.lines(exported)) {
            lines.forEach(l -> {
                JsonNode n = json(l);
                byId.put(n.path("id").asText(), n);
            });
        }
        assertThat(byId).hasSize(CUSTOMERS);
        for (Map.Entry<String, long[]> b : balances.entrySet()) {
            JsonNode accounts = byId.get(b.getKey()).path("accounts");
            assertThat(accounts.path("points").path("balance").asLong()).isEqualTo(b.getValue()[0]);
            assertThat(accounts.path("bonus").path("balance").asLong()).isEqualTo(b.getValue()[1]);
        }

        try (EngineProcess engine = new EngineProcess(data, ENV).start()) {
            EngineProcess.Result refused = EngineProcess.run(ENV, "import", "--data", data.toString(), csv.toString());
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.output()).contains("is in use by pid").contains("(serve");

            JsonNode stats = engine.get("/stats", KEY).body();
            assertThat(stats.path("members").path("total").asLong()).isEqualTo(CUSTOMERS);
            assertThat(stats.path("liability").path("points").asLong()).isEqualTo(totals[0]);
            assertThat(stats.path("liability").path("bonus").asLong()).isEqualTo(totals[1]);
            for (int i = 0; i < CUSTOMERS; i += 997) {
                String id = "c-" + i;
                // ?expiring=0: the export holds the customer view without the expiring lists.
                EngineProcess.Response r = engine.get("/customers/" + id + "?expiring=0", KEY);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).as("GET and export agree for " + id).isEqualTo(byId.get(id));
            }
            String withPoints = balances.entrySet().stream().filter(e -> e.getValue()[0] > 0).findFirst()
                    .orElseThrow().getKey();
            JsonNode ledger = engine.get("/customers/" + withPoints + "/ledger", KEY).body().path("entries");
            assertThat(ledger).isNotEmpty();
            assertThat(ledger.get(0).path("reason").asText()).isEqualTo("opening balance");
        }
    }

    @Test
    void shouldRestoreABackupThatCatchesUpWithTheJournalAndReplayIdentically() throws Exception {
        Path data = dir.resolve("data");
        Path backup = dir.resolve("backup");
        try (EngineProcess engine = new EngineProcess(data, ENV).start()) {
            for (int i = 0; i < 30; i++) {
                post(engine, "{\"customer\":\"k-" + i + "\",\"action\":\"opt_in\"}");
                post(engine, "{\"customer\":\"k-" + i + "\",\"action\":\"point_add\",\"data\":{\"points\":" + (i * 10 + 1)
                        + "}}");
            }
        }
        EngineProcess.Result backedUp = EngineProcess.run(ENV, "backup", "--data", data.toString(),
                "--into", backup.toString());
        assertThat(backedUp.exitCode()).as(backedUp.output()).isZero();
        assertThat(backedUp.output()).contains("partition 0 applied up to seq").contains("partition 1 applied up to seq");

        Map<String, JsonNode> live = new HashMap<>();
        JsonNode liveStats;
        try (EngineProcess engine = new EngineProcess(data, ENV).start()) {
            for (int i = 0; i < 30; i++) {
                post(engine, "{\"customer\":\"k-" + i + "\",\"action\":\"point_spend\",\"data\":{\"points\":1}}");
                post(engine, "{\"customer\":\"n-" + i + "\",\"action\":\"opt_in\"}");
            }
            for (int i = 0; i < 30; i++) {
                live.put("k-" + i, engine.get("/customers/k-" + i, KEY).body());
                live.put("n-" + i, engine.get("/customers/n-" + i, KEY).body());
            }
            liveStats = engine.get("/stats", KEY).body();
        }

        // Restore into a new folder: the backup's state next to a copy of the live journal.
        Path restored = dir.resolve("restored");
        Backup.copyTree(backup, restored, StandardCopyOption.REPLACE_EXISTING);
        Backup.copyTree(data.resolve("journal"), restored.resolve("journal"), StandardCopyOption.REPLACE_EXISTING);
        try (EngineProcess engine = new EngineProcess(restored, ENV).start()) {
            for (Map.Entry<String, JsonNode> e : live.entrySet()) {
                assertThat(engine.get("/customers/" + e.getKey(), KEY).body()).as(e.getKey()).isEqualTo(e.getValue());
            }
            JsonNode stats = engine.get("/stats", KEY).body();
            for (String field : List.of("events_applied", "members", "tiers", "liability", "active_members")) {
                assertThat(stats.path(field)).as(field).isEqualTo(liveStats.path(field));
            }
        }

        EngineProcess.Result fromBackup = EngineProcess.run(ENV, "replay", "--data", data.toString(),
                "--into", dir.resolve("rebuilt-from-backup").toString(), "--from-backup", backup.toString());
        assertThat(fromBackup.exitCode()).as(fromBackup.output()).isZero();
        assertThat(fromBackup.output()).contains("(the backup)").contains("replay: [").contains("identical: yes");
    }

    @Test
    void shouldBackUpAServedFolderUnderLoadHoldingWhatWasAcknowledgedAndReplayIdentically() throws Exception {
        Path data = dir.resolve("data");
        Path backup = dir.resolve("online-backup");
        int customers = 12;
        ConcurrentLinkedQueue<long[]> acked = new ConcurrentLinkedQueue<>(); // {customer index, seq, points}
        AtomicReference<Throwable> posterFailure = new AtomicReference<>();
        EngineProcess.Result backedUp;
        try (EngineProcess engine = new EngineProcess(data, ENV).start()) {
            for (int i = 0; i < customers; i++) {
                post(engine, "{\"customer\":\"o-" + i + "\",\"action\":\"opt_in\"}");
            }
            AtomicBoolean stop = new AtomicBoolean();
            Thread poster = new Thread(() -> {
                try {
                    for (long n = 0; !stop.get(); n++) {
                        int c = (int) (n % customers);
                        long points = 1 + (n * 7919) % 89;
                        EngineProcess.Response r = engine.post("/events", KEY, "{\"customer\":\"o-" + c
                                + "\",\"action\":\"point_add\",\"data\":{\"points\":" + points + "}}");
                        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
                        acked.add(new long[] {c, r.body().path("seq").asLong(), points});
                    }
                } catch (Throwable t) {
                    posterFailure.set(t);
                }
            }, "poster");
            poster.start();
            org.awaitility.core.ThrowingRunnable posterAlive = () -> assertThat(posterFailure.get()).isNull();
            try {
                Eventually.until("events acknowledged before the backup", Duration.ofSeconds(120),
                        () -> acked.size() >= 200, posterAlive);
                backedUp = EngineProcess.run(ENV, "backup", "--data", data.toString(), "--into", backup.toString());
                int atBackup = acked.size();
                Eventually.until("events acknowledged after the backup", Duration.ofSeconds(120),
                        () -> acked.size() >= atBackup + 200, posterAlive);
            } finally {
                stop.set(true);
                poster.join(60_000);
            }
            assertThat(posterFailure.get()).isNull();
        }
        assertThat(backedUp.exitCode()).as(backedUp.output()).isZero();
        assertThat(backedUp.output()).contains("partition 0 applied up to seq").contains("partition 1 applied up to seq");

        // Each partition's checkpoint holds exactly the events acknowledged up to its own seq.
        Backup.Manifest manifest = Backup.read(backup);
        long lastAcked = acked.stream().mapToLong(a -> a[1]).max().orElseThrow();
        Map<String, Long> expected = new HashMap<>();
        for (long[] a : acked) {
            String customer = "o-" + a[0];
            long upTo = manifest.state().get(PartitionHash.partition(PartitionHash.of(customer), 2)).lastSeq();
            assertThat(upTo).as("the backup was taken under load, not after it").isLessThan(lastAcked);
            expected.merge(customer, a[1] <= upTo ? a[2] : 0, Long::sum);
        }
        assertThat(expected.values()).as("the backup holds some of the load").anyMatch(v -> v > 0);
        Path copy = dir.resolve("online-backup-copy");
        Backup.copyTree(backup, copy);
        Path exported = dir.resolve("online-backup.ndjson");
        EngineProcess.Result export = EngineProcess.run(ENV, "export", "--data", copy.toString(),
                "--out", exported.toString());
        assertThat(export.exitCode()).as(export.output()).isZero();
        Map<String, Long> balances = new HashMap<>();
        for (String line : Files.readAllLines(exported)) {
            JsonNode c = json(line);
            balances.put(c.path("id").asText(), c.path("accounts").path("points").path("balance").asLong());
        }
        assertThat(balances).isEqualTo(expected);

        EngineProcess.Result fromBackup = EngineProcess.run(ENV, "replay", "--data", data.toString(),
                "--into", dir.resolve("rebuilt-from-online-backup").toString(), "--from-backup", backup.toString());
        assertThat(fromBackup.exitCode()).as(fromBackup.output()).isZero();
        assertThat(fromBackup.output()).contains("identical: yes");
    }

    private static void post(EngineProcess engine, String body) throws Exception {
        EngineProcess.Response r = engine.post("/events", KEY, body);
        assertThat(r.status()).as(body + " -> " + r.raw().body()).isEqualTo(200);
    }

    /** 100 000 customers with random balances, then two bad lines; returns the total points and bonus. */
    private static long[] writeCustomers(Path csv, Map<String, long[]> balances) throws IOException {
        Random random = new Random(42);
        long[] totals = new long[2];
        try (BufferedWriter w = Files.newBufferedWriter(csv)) {
            w.write("customer,name,email,balance.points,balance.bonus\n");
            for (int i = 0; i < CUSTOMERS; i++) {
                long points = random.nextInt(5000);
                long bonus = i % 3 == 0 ? 50 : 0;
                w.write("c-" + i + ",\"Customer " + i + ", \"\"VIP\"\"\",c" + i + "@example.com," + points + ","
                        + (bonus == 0 ? "" : Long.toString(bonus)) + "\n");
                balances.put("c-" + i, new long[] {points, bonus});
                totals[0] += points;
                totals[1] += bonus;
            }
            w.write("bad id!,x,x@example.com,1,\n");
            w.write("c-bad,y,y@example.com,many,\n");
        }
        return totals;
    }

    private static JsonNode json(String text) {
        try {
            return EngineProcess.JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
