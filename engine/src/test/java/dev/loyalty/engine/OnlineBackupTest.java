package dev.loyalty.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.journal.PartitionHash;
import dev.loyalty.engine.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Online backups: taken from a running engine while events are applied, each partition's checkpoint
 * holds exactly the events acknowledged up to its position, and a replay from it comes out identical.
 * (The same through {@code bin/engine backup} against a served folder: {@code CliIT}.)
 */
@Timeout(300)
class OnlineBackupTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CUSTOMERS = 16;
    private static final int PARTITIONS = 2;

    @TempDir
    Path dir;

    /** One acknowledged point_add. */
    private record Acked(String customer, long seq, long points) {
    }

    private EngineConfig config(Path data) {
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", data.toString(), "partitions", Integer.toString(PARTITIONS)));
    }

    @Test
    void shouldTakeABackupUnderLoadThatHoldsWhatWasAcknowledgedAndReplaysIdentically() throws Exception {
        Path data = dir.resolve("data");
        Path backup = dir.resolve("backup");
        EngineConfig config = config(data);
        ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
        Map<String, Long> optIns = new HashMap<>();
        Backup.Manifest manifest;
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config, new SimpleMeterRegistry()))) {
            for (int c = 0; c < CUSTOMERS; c++) {
                optIns.put("c-" + c, post(engine, "{\"customer\":\"c-" + c + "\",\"action\":\"opt_in\"}"));
            }
            AtomicBoolean stop = new AtomicBoolean();
            Thread poster = new Thread(() -> postUntil(engine, stop, acked), "poster");
            poster.start();
            org.awaitility.core.ThrowingRunnable posterAlive = () -> assertThat(poster.isAlive()).as("poster running").isTrue();
            try {
                Eventually.until("events acknowledged before the backup", Duration.ofSeconds(60),
                        () -> acked.size() >= 300, posterAlive);
                manifest = Backup.take(config, backup, Duration.ofSeconds(10));
                int atBackup = acked.size();
                Eventually.until("events acknowledged after the backup", Duration.ofSeconds(60),
                        () -> acked.size() >= atBackup + 300, posterAlive);
            } finally {
                stop.set(true);
                poster.join(30_000);
            }
            assertThat(poster.isAlive()).isFalse();
        }

        assertThat(Files.readString(backup.resolve(Backup.MANIFEST))).contains("\"online\" : true");
        assertThat(Backup.registered(data)).containsExactly(backup.toAbsolutePath().normalize());
        long lastAcked = acked.stream().mapToLong(Acked::seq).max().orElseThrow();
        Map<String, Long> expected = new HashMap<>();
        for (Backup.PartitionPosition p : manifest.state()) {
            assertThat(p.lastSeq()).as("partition %d took events before the backup", p.partition()).isPositive();
            assertThat(p.lastSeq()).as("partition %d's backup is not the end of the run", p.partition())
                    .isLessThan(lastAcked);
        }
        // A partition's backup holds its last commit: customers whose opt-in came after it are not in it (commits
        // are write-behind, so under constant load that commit may predate the opt-ins).
        for (Acked a : acked) {
            long upTo = manifest.state().get(partitionOf(a.customer())).lastSeq();
            if (optIns.get(a.customer()) <= upTo) {
                expected.merge(a.customer(), a.seq() <= upTo ? a.points() : 0, Long::sum);
            }
        }

        // Export reads a folder's state as stored: the backup's own state, not caught up with the journal.
        Path copy = dir.resolve("backup-copy");
        Backup.copyTree(backup, copy);
        Map<String, Long> balances = new HashMap<>();
        Export.run(config(copy), v -> balances.put(v.id(), v.accounts().get("points").balance()));
        assertThat(balances).isEqualTo(expected);

        Replay.Report report = Replay.run(config, dir.resolve("rebuilt"), backup, (seq, total) -> { });
        assertThat(report.firstDifference()).isNull();
        assertThat(report.identical()).isTrue();
        assertThat(report.fromSeq()).isPositive();
    }

    @Test
    void shouldRefuseAnOnlineBackupIntoAFolderThatIsNotEmpty() throws Exception {
        Path data = dir.resolve("data");
        Path backup = dir.resolve("backup");
        Files.createDirectories(backup);
        Files.writeString(backup.resolve("keep.txt"), "mine");
        EngineConfig config = config(data);
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config, new SimpleMeterRegistry()))) {
            post(engine, "{\"customer\":\"c-1\",\"action\":\"opt_in\"}");
            assertThatThrownBy(() -> Backup.take(config, backup, Duration.ofSeconds(10)))
                    .hasMessageContaining("not empty");
        }
        assertThat(Files.readString(backup.resolve("keep.txt"))).isEqualTo("mine");
    }

    private static int partitionOf(String customer) {
        return PartitionHash.partition(PartitionHash.of(customer), PARTITIONS);
    }

    private static void postUntil(LoyaltyEngine engine, AtomicBoolean stop, ConcurrentLinkedQueue<Acked> acked) {
        long i = 0;
        while (!stop.get()) {
            String customer = "c-" + (i % CUSTOMERS);
            long points = 1 + (i * 7919) % 97;
            try {
                long seq = post(engine, "{\"customer\":\"" + customer + "\",\"action\":\"point_add\",\"data\":{\"points\":"
                        + points + "}}");
                acked.add(new Acked(customer, seq, points));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            i++;
        }
    }

    /** Posts synchronously; returns the seq once the event is applied. */
    private static long post(LoyaltyEngine engine, String json) throws Exception {
        JsonNode node = JSON.readTree(json);
        Validated v = engine.validator().validate(node, engine.nowMs());
        assertThat(v.error()).as("valid: " + json).isNull();
        Submission s = engine.submit(List.of(new Submitted(v.event(), 0)), true).get(0);
        assertThat(s.refusal()).isNull();
        assertThat(s.result().get(10, TimeUnit.SECONDS).outcome().applied()).as(json).isTrue();
        return s.seq();
    }
}
