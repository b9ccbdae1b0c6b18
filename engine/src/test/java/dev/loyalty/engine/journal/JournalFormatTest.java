package dev.loyalty.engine.journal;

import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Journal format 2: CRC32C per record, refusal of format 1, per-partition readers that skip others' records. */
@Timeout(300)
class JournalFormatTest {

    @TempDir
    Path dir;

    private static Event event(String customer, long points) {
        return new Event(customer, "point_add", "id-" + customer + "-" + points, "points", Event.ABSENT, points, null,
                Event.ABSENT, null, Event.ABSENT, Event.ABSENT, "r", null);
    }

    private static List<Submitted> one(String customer, long points) {
        return List.of(new Submitted(event(customer, points), 0));
    }

    private static void drain(JournalReader r) {
        while (r.next((pos, h, payload) -> {
            if (h.type() == RecordType.EVENTS && !h.skipped()) {
                int n = (int) payload.readStopBit();
                for (int i = 0; i < n; i++) {
                    payload.readInt();
                    payload.readInt();
                    EventCodec.read(payload);
                }
            }
        })) {
            // read on
        }
    }

    @Test
    void shouldRefuseToReadARecordWithAFlippedByteNamingItsSeq() throws Exception {
        Path journal = dir.resolve("j");
        try (ChronicleJournal j = ChronicleJournal.open(journal, new AtomicLong(1_000_000)::get)) {
            j.appendEvents(one("alice", 1), null);
            j.appendHeartbeat();
            j.appendEvents(one("bob-the-damaged", 2), null); // seq 3
            j.appendEvents(one("carol", 3), null);
        }
        JournalFiles.flipByteOf(journal, "bob-the-damaged");
        try (ChronicleJournal j = ChronicleJournal.open(journal, new AtomicLong(2_000_000)::get);
             JournalReader r = j.reader()) {
            assertThatThrownBy(() -> drain(r)).isInstanceOf(JournalCorruptException.class)
                    .hasMessageContaining("seq 3").hasMessageContaining("CRC32C")
                    .hasMessageContaining("the record before it ends at seq 2");
        }
    }

    @Test
    void shouldNotLetAChangedMaskBitHideARecordFromItsPartition() throws Exception {
        Path journal = dir.resolve("j");
        String customer = "mask-victim";
        int own = PartitionHash.partition(PartitionHash.of(customer), 2);
        try (ChronicleJournal j = ChronicleJournal.open(journal, new AtomicLong(1_000_000)::get,
                DiskSpaceGuard.off(journal), 2)) {
            j.appendEvents(one(customer, 1), null); // seq 1, the only event: mask = 1 << own
            j.appendHeartbeat();
        }
        // The customer id starts 60 bytes into the record (49 header, count, hash, length, version, id length);
        // the mask is at 37: clearing its bit leaves a mask that every partition would skip.
        JournalFiles.flip(journal, customer, 37 - 60, 1 << own);
        try (ChronicleJournal j = ChronicleJournal.open(journal, new AtomicLong(2_000_000)::get)) {
            for (int p = 0; p < 2; p++) {
                try (JournalReader r = j.reader(p, 2)) {
                    assertThatThrownBy(() -> drain(r)).as("partition %d", p)
                            .isInstanceOf(JournalCorruptException.class).hasMessageContaining("seq 1 ");
                }
            }
        }
    }

    @Test
    void shouldRefuseToOpenAJournalWhoseNewestRecordIsDamaged() throws Exception {
        Path journal = dir.resolve("j");
        try (ChronicleJournal j = ChronicleJournal.open(journal, new AtomicLong(1_000_000)::get)) {
            j.appendEvents(one("alice", 1), null);
            j.appendRules("{\"rules-marker\":1}"); // seq 2, the newest: open takes its seq and clock
        }
        JournalFiles.flipByteOf(journal, "rules-marker");
        assertThatThrownBy(() -> ChronicleJournal.open(journal, new AtomicLong(2_000_000)::get).close())
                .isInstanceOf(JournalCorruptException.class).hasMessageContaining("seq 2");
    }

    private static void writeFormat1(Path journal) {
        try (FormatOneJournal old = new FormatOneJournal(journal)) {
            old.events(1_000_000, List.of(event("alice", 1)));
        }
    }

    @Test
    void shouldRefuseAFormat1JournalSayingHowToMigrate() {
        Path journal = dir.resolve("j");
        writeFormat1(journal);
        assertThatThrownBy(() -> ChronicleJournal.open(journal, new AtomicLong(2_000_000)::get).close())
                .isInstanceOf(JournalFormatException.class)
                .hasMessageContaining("journal format 1")
                .hasMessageContaining("bin/engine journal-upgrade --data DIR --into NEWDIR");
        assertThatThrownBy(() -> ChronicleJournal.openReadOnly(journal).close())
                .isInstanceOf(JournalFormatException.class);
    }

    // ---- per-partition readers ----

    /** What a partition takes from one record: its kind, seqs, time, and its own events with their seqs. */
    private record Taken(RecordType type, long firstSeq, long lastSeq, long ingestMs, List<Object> own) {
    }

    /** The old way: every record in full, the partition picks its events by hash. */
    private static List<Taken> byHash(JournalReader r, int p, int partitions, List<Boolean> skipped) {
        List<Taken> out = new ArrayList<>();
        while (r.next((pos, h, payload) -> {
            List<Object> own = new ArrayList<>();
            if (h.type() == RecordType.EVENTS && !h.skipped()) {
                int n = (int) payload.readStopBit();
                for (int i = 0; i < n; i++) {
                    int hash = payload.readInt();
                    int len = payload.readInt();
                    if (PartitionHash.partition(hash, partitions) != p) {
                        payload.readSkip(len);
                        continue;
                    }
                    own.add(h.firstSeq() + i);
                    own.add(EventCodec.read(payload));
                }
            } else if (h.type() == RecordType.RULES) {
                own.add(payload.readUtf8());
            }
            skipped.add(h.skipped());
            out.add(new Taken(h.type(), h.firstSeq(), h.lastSeq(), h.ingestMs(), own));
        })) {
            // read on
        }
        return out;
    }

    /** A random mix: single events, bulks over many partitions, heartbeats, clock advances, rules. */
    private static void writeMix(ChronicleJournal j, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int r = 0; r < 400; r++) {
            int kind = random.nextInt(20);
            if (kind < 10) {
                j.appendEvents(one("c-" + random.nextInt(40), r), null);
            } else if (kind < 15) {
                int n = 1 + random.nextInt(random.nextBoolean() ? 3 : 30);
                List<Submitted> bulk = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    bulk.add(new Submitted(event("c-" + random.nextInt(40), r * 100L + i), 0));
                }
                j.appendEvents(bulk, null);
            } else if (kind < 17) {
                j.appendHeartbeat();
            } else if (kind < 19) {
                j.appendClockAdvance(1 + random.nextInt(86_400_000), null);
            } else {
                j.appendRules("{\"r\":" + r + "}");
            }
        }
    }

    @Test
    void shouldGiveEachPartitionExactlyTheRecordsItTookFromTheWholeJournal() {
        for (int partitions : new int[] {1, 2, 3, 8, 70}) {
            for (long seed = 1; seed <= 3; seed++) {
                Path journal = dir.resolve("p" + partitions + "-" + seed);
                AtomicLong wall = new AtomicLong(1_000_000);
                try (ChronicleJournal j = ChronicleJournal.open(journal, () -> wall.addAndGet(7),
                        DiskSpaceGuard.off(journal), partitions)) {
                    writeMix(j, seed * 31 + partitions);
                    int skippedTotal = 0;
                    for (int p = 0; p < partitions; p++) {
                        List<Boolean> none = new ArrayList<>();
                        List<Taken> expected;
                        try (JournalReader all = j.reader()) {
                            expected = byHash(all, p, partitions, none);
                        }
                        assertThat(none).doesNotContain(true);
                        List<Boolean> skipped = new ArrayList<>();
                        List<Taken> actual;
                        try (JournalReader own = j.reader(p, partitions)) {
                            actual = byHash(own, p, partitions, skipped);
                        }
                        assertThat(actual).as("partition %d of %d, seed %d", p, partitions, seed)
                                .isEqualTo(expected);
                        for (int i = 0; i < actual.size(); i++) {
                            boolean hasOwn = actual.get(i).type() != RecordType.EVENTS || !actual.get(i).own().isEmpty();
                            if (partitions <= 64) {
                                // Exact mask: skipped precisely when the record holds none of the partition's events.
                                assertThat(skipped.get(i)).as("record %d", i).isEqualTo(!hasOwn);
                            } else if (skipped.get(i)) {
                                assertThat(hasOwn).isFalse();
                            }
                            skippedTotal += skipped.get(i) ? 1 : 0;
                        }
                        // A reader for another partition count reads everything: never wrong, only slower.
                        List<Boolean> otherCount = new ArrayList<>();
                        try (JournalReader other = j.reader(p, partitions + 1)) {
                            assertThat(byHash(other, p, partitions + 1, otherCount))
                                    .isEqualTo(byHashAll(j, p, partitions + 1));
                        }
                        assertThat(otherCount).doesNotContain(true);
                    }
                    if (partitions > 1) {
                        assertThat(skippedTotal).as("readers skipped others' records").isPositive();
                    }
                }
            }
        }
    }

    private static List<Taken> byHashAll(ChronicleJournal j, int p, int partitions) {
        try (JournalReader all = j.reader()) {
            return byHash(all, p, partitions, new ArrayList<>());
        }
    }

    @Test
    void shouldSeeTheSameLastSeqAndClockAfterReopening() {
        Path journal = dir.resolve("j");
        long last;
        long offset;
        try (ChronicleJournal j = ChronicleJournal.open(journal, new AtomicLong(1_000_000)::get,
                DiskSpaceGuard.off(journal), 4)) {
            writeMix(j, 5);
            j.appendEvents(List.of(new Submitted(event("x", 1), 0), new Submitted(event("y", 2), 0)), null);
            last = j.lastSeq();
            offset = j.clock().offsetMs();
        }
        try (ChronicleJournal j = ChronicleJournal.open(journal, new AtomicLong(1_000_000)::get)) {
            assertThat(j.lastSeq()).isEqualTo(last);
            assertThat(j.clock().offsetMs()).isEqualTo(offset);
            assertThat(j.firstSeq()).isEqualTo(1);
            assertThat(Objects.requireNonNull(j.reader())).isNotNull();
        }
    }
}
