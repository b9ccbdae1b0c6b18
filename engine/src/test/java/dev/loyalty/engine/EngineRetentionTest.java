package dev.loyalty.engine;

import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.journal.ChronicleJournal;
import dev.loyalty.engine.journal.JournalRetention;
import dev.loyalty.engine.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Journal retention as the engine runs it: the files of days long gone are dropped once every partition
 * is past them, except what a kept backup still needs; and a journal that lost its start is refused by a
 * replay from empty.
 */
@Timeout(300)
class EngineRetentionTest {
    private static final long DAY_MS = 86_400_000L;

    @TempDir
    Path dir;

    /** Writes heartbeats on three days, ten to eight days ago; returns the position of each day's first one. */
    private static long[] oldJournal(Path journalDir) {
        long tenDaysAgo = System.currentTimeMillis() - 10 * DAY_MS;
        SetTimeProvider time = new SetTimeProvider(tenDaysAgo * 1_000_000L);
        long[] positions = new long[3];
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir, () -> time.currentTimeMillis(), time)) {
            for (int d = 0; d < 3; d++) {
                time.currentTimeMillis(tenDaysAgo + d * DAY_MS);
                journal.appendHeartbeat();
                positions[d] = journal.lastPosition();
                journal.appendHeartbeat();
            }
        }
        return positions;
    }

    private static long journalFiles(Path journalDir) throws IOException {
        try (Stream<Path> s = Files.list(journalDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cq4")).count();
        }
    }

    private EngineConfig config(Path data) {
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", data.toString(), "partitions", "2", "journal.retention", "1d"));
    }

    @Test
    void shouldDropOldFilesOnlyOnceNeitherAPartitionNorAKeptBackupNeedsThem() throws Exception {
        Path data = dir.resolve("data");
        long[] positions = oldJournal(data.resolve("journal"));
        Path backup = dir.resolve("backup");
        Files.createDirectories(backup);
        Files.writeString(backup.resolve(Backup.MANIFEST), "{\"format\":1,\"created_at\":\"2026-01-01T00:00:00Z\","
                + "\"source\":\"" + data + "\",\"partitions\":2,\"journal_last_seq\":6,\"state\":["
                + "{\"partition\":0,\"position\":" + positions[1] + ",\"seq\":3,\"clock_ms\":0},"
                + "{\"partition\":1,\"position\":" + positions[2] + ",\"seq\":5,\"clock_ms\":0}]}");
        new DataFolder(data).registerBackup(backup);

        EngineImpl engine = (EngineImpl) Engine.start(config(data), new SimpleMeterRegistry());
        try {
            Eventually.ready(engine);
            // Retention keeps what a partition's last landed commit needs; commits land on the committer thread,
            // possibly after readiness: until every partition's has, nothing can be dropped.
            Eventually.until("every partition's first commit landed", Eventually.START,
                    () -> engine.local(0).appliedPosition() >= 0 && engine.local(1).appliedPosition() >= 0);
            assertThat(journalFiles(data.resolve("journal"))).as("three old days and today").isEqualTo(4);

            engine.retainJournal();
            assertThat(journalFiles(data.resolve("journal"))).as("the backup needs the second day").isEqualTo(3);

            Files.delete(backup.resolve(Backup.MANIFEST));
            engine.retainJournal();
            assertThat(journalFiles(data.resolve("journal"))).as("only today's file is left").isEqualTo(1);
            assertThat(engine.ready()).isTrue();
        } finally {
            engine.close();
        }
        try (LoyaltyEngine again = Engine.start(config(data), new SimpleMeterRegistry())) {
            Eventually.until("restarts on the trimmed journal", Eventually.START, again::ready);
        }
        assertThatThrownBy(() -> Replay.run(config(data), dir.resolve("rebuilt"), n -> { }))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("journal.retention").hasMessageContaining("--from-backup");
    }

    @Test
    void shouldNeverPlanToDropAnythingForAPartitionThatAppliedNothing() {
        Path journalDir = dir.resolve("journal");
        oldJournal(journalDir);
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir, System::currentTimeMillis)) {
            List<JournalRetention.Drop> plan = JournalRetention.plan(journal,
                    new JournalRetention.Policy(Duration.ofMillis(1), 1), -1, System.currentTimeMillis());
            assertThat(plan).isEmpty();
        }
    }
}
