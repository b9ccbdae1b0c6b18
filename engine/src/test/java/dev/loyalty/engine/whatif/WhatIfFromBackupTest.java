package dev.loyalty.engine.whatif;

import dev.loyalty.engine.Backup;
import dev.loyalty.engine.Engine;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.journal.ChronicleJournal;
import dev.loyalty.engine.journal.JournalRetention;
import dev.loyalty.engine.state.PartitionStore;
import dev.loyalty.engine.testing.Eventually;
import dev.loyalty.engine.testing.Folders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What-if runs that start from a real backup of a real engine's data folder: they end with exactly the figures
 * of a run from the journal's start, never change the backup, and still work once journal retention dropped
 * the journal's oldest files (which a run from the start must refuse).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WhatIfFromBackupTest {
    private static final long DAY_MS = 86_400_000L;
    private static final int CUSTOMERS = 8;
    private static final int REVIEWS = 3;

    @TempDir
    static Path dir;

    private static Path data;
    private static Path backups;
    private static EngineConfig config;
    private static long fromMs;
    private static Map<String, String> backupDigests;
    private static WhatIf.Result fromStart;

    @FunctionalInterface
    private interface Session {
        void run(LoyaltyEngine engine) throws Exception;
    }

    /**
     * Three old days of heartbeats (files retention may drop), then three engine sessions with a backup after
     * each: opt-ins and checkouts; more checkouts; 40 days later ({@code fromMs}), checkouts and reviews.
     */
    @BeforeAll
    static void writeHistoryWithBackups() throws Exception {
        data = dir.resolve("data");
        backups = dir.resolve("backups");
        oldJournalDays(data.resolve("journal"));
        config = config(data);
        session(engine -> {
            for (int i = 0; i < CUSTOMERS; i++) {
                History.post(engine, "{\"customer\":\"c-" + i + "\",\"action\":\"opt_in\"}");
                History.post(engine, History.checkout(i, "A", 10L * i + 5));
            }
        });
        Backup.run(config, backups.resolve("1-early"));
        session(engine -> {
            for (int i = 0; i < CUSTOMERS; i++) {
                History.post(engine, History.checkout(i, "B", 20L * i + 9));
            }
        });
        Backup.run(config, backups.resolve("2-before-from"));
        session(engine -> {
            fromMs = engine.advanceClock(40 * 86_400L).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < CUSTOMERS; i++) {
                History.post(engine, History.checkout(i, "C", 30L * i + 11));
            }
            for (int i = 0; i < REVIEWS; i++) {
                History.post(engine, "{\"customer\":\"c-" + i + "\",\"action\":\"review_written\"}");
            }
        });
        Backup.run(config, backups.resolve("3-after-from"));
        backupDigests = Folders.treeDigests(backups);
        fromStart = run(config, fromMs, "from-start", List.of());
    }

    @AfterAll
    static void backupsUnchanged() throws Exception {
        assertThat(Folders.treeDigests(backups)).as("the backups after every what-if run").isEqualTo(backupDigests);
    }

    @Test
    void shouldEndWithTheFiguresOfARunFromTheJournalStartWhenStartedFromTheNewestBackupBeforeFrom() throws Exception {
        WhatIf.Result r = run(config, fromMs, "from-backup", Backup.in(backups));

        assertThat(fromStart.start()).isEqualTo(StartPoint.JOURNAL_START);
        assertThat(r.start().backup()).as("the newest backup before --from").isEqualTo(backups.resolve("2-before-from"));
        assertThat(r.start().seq()).isEqualTo(Backup.read(backups.resolve("2-before-from")).appliedSeq()).isPositive();
        assertSameEnd(r, fromStart);
        assertThat(r.scenario().end().totalLiability()).as("the scenario changes something")
                .isGreaterThan(r.baseline().end().totalLiability());
        assertThat(r.baseline().events()).as("events after the backup only").isEqualTo(CUSTOMERS + REVIEWS);
        assertThat(fromStart.baseline().events()).isEqualTo(4L * CUSTOMERS + REVIEWS);
        // Months start at the backup's month: its end figures are whole, its flow only what came after the backup.
        List<Month> all = fromStart.baseline().months();
        List<Month> some = r.baseline().months();
        assertThat(some).hasSizeGreaterThanOrEqualTo(2).hasSizeLessThanOrEqualTo(all.size());
        List<Month> tail = all.subList(all.size() - some.size(), all.size());
        assertThat(some).extracting(Month::month).isEqualTo(tail.stream().map(Month::month).toList());
        assertThat(some).extracting(Month::end).isEqualTo(tail.stream().map(Month::end).toList());
        assertThat(some.subList(1, some.size())).usingRecursiveFieldByFieldElementComparator()
                .isEqualTo(tail.subList(1, tail.size()));
        assertThat(some.get(0).flow().get("points").earned())
                .as("the backup's month leaves out the points earned before the backup")
                .isLessThan(tail.get(0).flow().get("points").earned());
        // Both sides' rebuilt states equal those rebuilt from the journal's start, byte for byte.
        for (String side : List.of("baseline", "scenario")) {
            for (int p = 0; p < 2; p++) {
                try (PartitionStore a = PartitionStore.openReadOnly(dir.resolve("from-backup/" + side + "/state/p" + p));
                     PartitionStore b = PartitionStore.openReadOnly(dir.resolve("from-start/" + side + "/state/p" + p))) {
                    assertThat(a.firstDifference(b)).as(side + " partition " + p).isNull();
                }
            }
        }
        assertThat(Folders.treeDigests(backups)).as("the backups are only read").isEqualTo(backupDigests);
    }

    @Test
    void shouldStartFromTheJournalStartWhenNoBackupLiesBeforeFrom() {
        WhatIf.Result r = run(config, Long.MIN_VALUE, "no-from", Backup.in(backups));

        assertThat(r.start()).isEqualTo(StartPoint.JOURNAL_START);
        assertThat(r.baseline().events()).isEqualTo(4L * CUSTOMERS + REVIEWS);
    }

    @Test
    void shouldReplayFromABackupOnceRetentionDroppedTheJournalStartAndRefuseWithoutOne() throws Exception {
        Path trimmed = dir.resolve("trimmed");
        Backup.copyTree(data, trimmed);
        EngineConfig trimmedConfig = config(trimmed);
        long needed = Backup.read(backups.resolve("1-early")).oldestPosition();
        try (ChronicleJournal journal = ChronicleJournal.open(trimmed.resolve("journal"), System::currentTimeMillis)) {
            List<JournalRetention.Drop> drop = JournalRetention.plan(journal,
                    new JournalRetention.Policy(Duration.ofMillis(1), 0), needed, System.currentTimeMillis());
            assertThat(JournalRetention.apply(journal, drop)).as("the three old days").hasSize(3);
            assertThat(journal.firstSeq()).isGreaterThan(1);
        }

        WhatIf.Result r = run(trimmedConfig, fromMs, "trimmed-from-backup", Backup.in(backups));
        assertThat(r.start().backup()).isEqualTo(backups.resolve("2-before-from"));
        assertSameEnd(r, fromStart);

        assertThatThrownBy(() -> run(trimmedConfig, fromMs, "trimmed-no-backup", List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("journal.retention").hasMessageContaining("--backups");
        assertThatThrownBy(() -> run(trimmedConfig, Long.MIN_VALUE, "trimmed-no-from", Backup.in(backups)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("journal.retention").hasMessageContaining("give --from")
                .hasMessageContaining("3-after-from");
    }

    private static void assertSameEnd(WhatIf.Result r, WhatIf.Result expected) {
        assertThat(r.lastSeq()).isEqualTo(expected.lastSeq());
        assertThat(r.baseline().end()).isEqualTo(expected.baseline().end());
        assertThat(r.scenario().end()).isEqualTo(expected.scenario().end());
        assertThat(r.baseRules()).isEqualTo(expected.baseRules());
        assertThat(r.scenarioRules()).isEqualTo(expected.scenarioRules());
        assertThat(r.customers()).as("what customers.csv is written from").isNotEmpty()
                .usingRecursiveFieldByFieldElementComparator().isEqualTo(expected.customers());
    }

    private static EngineConfig config(Path dataDir) {
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", dataDir.toString(), "partitions", "2", "clock.adjustable", "true",
                "rules.earn.pending-days", "0"));
    }

    private static WhatIf.Result run(EngineConfig cfg, long from, String scratch, List<Path> candidates) {
        UnaryOperator<RulesConfig> doubled = r -> new RulesConfig(r.defaultAccount(), r.accounts(),
                r.maxBackdateDays(), r.maxFutureSeconds(), BigDecimal.valueOf(2), r.pendingDays(), r.tiers(),
                r.activityActions(), r.customActions());
        return WhatIf.run(new WhatIf.Request(cfg, doubled, from, Long.MAX_VALUE, dir.resolve(scratch), candidates),
                (seq, total) -> { });
    }

    /** Heartbeats on three days, ten to eight days ago: one journal file each, all older than the engine's. */
    private static void oldJournalDays(Path journalDir) {
        long tenDaysAgo = System.currentTimeMillis() - 10 * DAY_MS;
        SetTimeProvider time = new SetTimeProvider(tenDaysAgo * 1_000_000L);
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir, () -> time.currentTimeMillis(), time)) {
            for (int d = 0; d < 3; d++) {
                time.currentTimeMillis(tenDaysAgo + d * DAY_MS);
                journal.appendHeartbeat();
            }
        }
    }

    private static void session(Session s) throws Exception {
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config, new SimpleMeterRegistry()))) {
            s.run(engine);
        }
    }

}
