package dev.loyalty.engine.journal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Journal retention on a real Chronicle queue that spans five days: files go only when nothing needs them. */
@Timeout(300)
class JournalRetentionTest {
    private static final long DAY_MS = 86_400_000L;
    private static final long START_MS = LocalDate.of(2026, 11, 1).atStartOfDay(ZoneOffset.UTC).toInstant()
            .toEpochMilli() + 3_600_000L;
    private static final int DAYS = 5;

    @TempDir
    Path dir;

    private final SetTimeProvider time = new SetTimeProvider(START_MS * 1_000_000L);
    private ChronicleJournal journal;
    /** Position and seq of the first record of each day. */
    private final long[] position = new long[DAYS];
    private final long[] seq = new long[DAYS];
    private long nowMs;

    @BeforeEach
    void fiveDaysOfRecords() {
        journal = ChronicleJournal.open(dir, () -> time.currentTimeMillis(), time);
        for (int d = 0; d < DAYS; d++) {
            time.currentTimeMillis(START_MS + d * DAY_MS);
            for (int i = 0; i < 3; i++) {
                long s = journal.appendHeartbeat();
                if (i == 0) {
                    seq[d] = s;
                    position[d] = journal.lastPosition();
                }
            }
        }
        nowMs = START_MS + (DAYS - 1) * DAY_MS;
        assertThat(journalFiles()).hasSize(DAYS);
    }

    @AfterEach
    void close() {
        journal.close();
    }

    private List<String> journalFiles() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JournalRetention.Policy maxAge(Duration age) {
        return new JournalRetention.Policy(age, 0);
    }

    private int readAfter(long from) {
        int n = 0;
        try (JournalReader r = journal.reader()) {
            r.seekAfter(from);
            while (r.next((p, h, b) -> { })) {
                n++;
            }
        }
        return n;
    }

    @Test
    void shouldDropOldFilesThatNothingNeedsAndKeepTheRestReadable() {
        List<JournalRetention.Drop> plan = JournalRetention.plan(journal, maxAge(Duration.ofDays(1)), position[2], nowMs);

        assertThat(plan).extracting(d -> d.file().getFileName().toString())
                .containsExactly("20261101F.cq4", "20261102F.cq4");
        assertThat(JournalRetention.apply(journal, plan)).hasSize(2);
        assertThat(journalFiles()).containsExactly("20261103F.cq4", "20261104F.cq4", "20261105F.cq4");

        assertThat(journal.firstSeq()).isEqualTo(seq[2]);
        assertThat(journal.firstPosition()).isEqualTo(position[2]);
        assertThat(readAfter(position[2])).as("records after the needed position").isEqualTo(3 * 3 - 1);
        assertThatThrownBy(() -> readAfter(position[0]))
                .isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining("journal.retention");
        long appended = journal.appendHeartbeat();
        assertThat(appended).isEqualTo(seq[DAYS - 1] + 3);
    }

    @Test
    void shouldKeepTheFileOfTheNeededPositionAndEverythingAfterIt() {
        assertThat(JournalRetention.plan(journal, maxAge(Duration.ofMillis(1)), position[1], nowMs))
                .extracting(JournalRetention.Drop::cycle).hasSize(1);
        assertThat(JournalRetention.plan(journal, maxAge(Duration.ofMillis(1)), position[0], nowMs)).isEmpty();
    }

    @Test
    void shouldKeepEverythingWhileAPartitionNeedsTheWholeJournal() {
        assertThat(JournalRetention.plan(journal, maxAge(Duration.ofMillis(1)), -1, nowMs)).isEmpty();
    }

    @Test
    void shouldKeepFilesYoungerThanTheRetention() {
        assertThat(JournalRetention.plan(journal, maxAge(Duration.ofDays(3)), position[4], nowMs))
                .extracting(d -> d.file().getFileName().toString()).containsExactly("20261101F.cq4");
        assertThat(JournalRetention.plan(journal, new JournalRetention.Policy(Duration.ZERO, 0), position[4], nowMs))
                .as("no limit, nothing dropped").isEmpty();
    }

    @Test
    void shouldDropOldestFilesWhileTooLargeButNeverTheNewest() {
        List<JournalRetention.Drop> plan = JournalRetention.plan(journal,
                new JournalRetention.Policy(Duration.ZERO, 1), position[4], nowMs);

        assertThat(plan).hasSize(DAYS - 1);
        JournalRetention.apply(journal, plan);
        assertThat(journalFiles()).containsExactly("20261105F.cq4");
        journal.close();
        journal = ChronicleJournal.open(dir, () -> time.currentTimeMillis(), time);
        assertThat(journal.lastSeq()).as("restored after a reopen").isEqualTo(seq[DAYS - 1] + 2);
        assertThat(journal.firstSeq()).isEqualTo(seq[DAYS - 1]);
    }
}
