package dev.loyalty.engine.derived;

import dev.loyalty.engine.derived.Workload.Applier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Refusals, recovery corners and the allocation-free append of {@link DerivedLog}. */
class DerivedLogTest {

    private static final DerivedLog.Sizes SMALL = new DerivedLog.Sizes(512, 128, 64);

    @TempDir
    Path dir;

    @Test
    void shouldRefuseToOpenLogsThatEndBeforeTheCommittedMark() {
        DerivedMark mark;
        try (DerivedLog log = DerivedLog.open(dir, DerivedMark.EMPTY, SMALL)) {
            new Workload(1, 50, 3).events.forEach(e -> new Applier().apply(log, e));
            mark = log.mark();
        }
        DerivedMark beyond = new DerivedMark(mark.outcomes() + 1, mark.ledger());
        assertThatThrownBy(() -> DerivedLog.open(dir, beyond, SMALL))
                .isInstanceOf(DerivedLogException.class).hasMessageContaining("before the committed mark");
        DerivedMark ledgerBeyond = new DerivedMark(mark.outcomes(), mark.ledger() + 1);
        assertThatThrownBy(() -> DerivedLog.open(dir, ledgerBeyond, SMALL))
                .isInstanceOf(DerivedLogException.class).hasMessageContaining("before the committed mark");
    }

    @Test
    void shouldRefuseAHeadThatLeadsToAnotherCustomersEntries() {
        try (DerivedLog log = DerivedLog.open(dir, DerivedMark.EMPTY, SMALL)) {
            byte[] e = {1, 2, 3};
            long ann = log.appendLedger(DerivedLog.NO_ENTRY, "ann", 1, 10, e, 0, 3);
            log.appendLedger(DerivedLog.NO_ENTRY, "bob", 1, 11, e, 0, 3);
            assertThatThrownBy(() -> log.ledgerPage("bob", ann, Long.MAX_VALUE, 10))
                    .isInstanceOf(DerivedLogException.class).hasMessageContaining("another customer");
            assertThat(log.ledgerPage("ann", ann, Long.MAX_VALUE, 10).entries()).hasSize(1);
        }
    }

    @Test
    void shouldRefuseOutcomeSeqsThatDoNotIncreaseAndHeadsPastTheEnd() {
        try (DerivedLog log = DerivedLog.open(dir, DerivedMark.EMPTY, SMALL)) {
            log.appendOutcome(5, 0, new byte[1], 0, 1);
            assertThatThrownBy(() -> log.appendOutcome(5, 0, new byte[1], 0, 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> log.appendLedger(0, "ann", 1, 5, new byte[1], 0, 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(log.outcome(5)).hasSize(1);
        }
    }

    @Test
    void shouldRebuildMissingIndexFilesFromTheirSegments() throws IOException {
        Workload w = new Workload(7, 300, 4);
        Applier model = new Applier();
        DerivedMark mark;
        try (DerivedLog log = DerivedLog.open(dir, DerivedMark.EMPTY, SMALL)) {
            w.events.forEach(e -> model.apply(log, e));
            mark = log.mark();
        }
        Map<String, byte[]> before = Workload.files(dir);
        List<Path> indexes;
        try (Stream<Path> s = Files.list(dir.resolve("outcomes"))) {
            indexes = s.filter(p -> p.toString().endsWith(".idx")).toList();
        }
        assertThat(indexes).hasSizeGreaterThan(3);
        Files.delete(indexes.get(1));
        // a side file that does not describe its segment (cut short) is rebuilt too
        Files.write(indexes.get(2), new byte[] {1, 2, 3});
        try (DerivedLog log = DerivedLog.open(dir, mark, SMALL)) {
            for (Workload.Event e : w.events) {
                assertThat(log.outcome(e.seq())).isEqualTo(e.outcome());
            }
        }
        Map<String, byte[]> after = Workload.files(dir);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((k, v) -> assertThat(after.get(k)).as(k).isEqualTo(v));
    }

    /** A reopen at the log's end (a clean stop) reads the last outcome segment once: the truncation drops nothing. */
    @Test
    void shouldReadTheLastOutcomeSegmentOnceWhenReopenedAtItsEnd() {
        Workload w = new Workload(13, 80, 3);
        DerivedLog.Sizes big = new DerivedLog.Sizes(1 << 20, 128, 64);
        DerivedMark mark;
        try (DerivedLog log = DerivedLog.open(dir, DerivedMark.EMPTY, big)) {
            Applier a = new Applier();
            w.events.forEach(e -> a.apply(log, e));
            mark = log.mark();
        }
        try (DerivedLog log = DerivedLog.open(dir, mark, big)) {
            assertThat(log.outcomeRecordsScanned()).as("outcome records read by the open").isEqualTo(w.events.size());
            for (Workload.Event e : w.events) {
                assertThat(log.outcome(e.seq())).isEqualTo(e.outcome());
            }
            Workload.Event last = w.events.get(w.events.size() - 1);
            assertThatThrownBy(() -> log.appendOutcome(last.seq(), 0, new byte[1], 0, 1))
                    .as("the last seq is known without the second scan").isInstanceOf(IllegalArgumentException.class);
            log.appendOutcome(last.seq() + 1, 0, new byte[] {42}, 0, 1);
            assertThat(log.outcome(last.seq() + 1)).containsExactly(42);
        }
    }

    @Test
    void shouldOpenOverATornTailPastTheMarkAndRefuseOneBelowIt() throws IOException {
        Workload w = new Workload(11, 60, 3);
        DerivedLog.Sizes big = new DerivedLog.Sizes(1 << 20, 128, 64);
        Path reference = dir.resolve("reference");
        try (DerivedLog log = DerivedLog.open(reference, DerivedMark.EMPTY, big)) {
            Applier a = new Applier();
            w.events.forEach(e -> a.apply(log, e));
            log.mark();
        }
        Path crashed = dir.resolve("crashed");
        Applier snapshot;
        DerivedMark mark;
        try (DerivedLog log = DerivedLog.open(crashed, DerivedMark.EMPTY, big)) {
            Applier a = new Applier();
            w.events.subList(0, 30).forEach(e -> a.apply(log, e));
            mark = log.mark();
            snapshot = a.copy();
            w.events.subList(30, 40).forEach(e -> a.apply(log, e));
            log.mark();
        }
        // a machine crash: the file grew but the last pages are zeros, and a half record follows
        Path segment = crashed.resolve("outcomes").resolve(Segment.fileName(0));
        byte[] bytes = Files.readAllBytes(segment);
        java.util.Arrays.fill(bytes, (int) mark.outcomes() + 7, bytes.length, (byte) 0);
        Files.write(segment, java.util.Arrays.copyOf(bytes, bytes.length + 3));
        try (DerivedLog log = DerivedLog.open(crashed, mark, big)) {
            assertThat(log.end()).isEqualTo(mark);
            w.events.subList(30, 60).forEach(e -> snapshot.apply(log, e));
            log.mark();
        }
        assertThat(Workload.difference(reference, crashed)).isNull();

        // zeros below the mark: the log lost what the state relies on
        bytes = Files.readAllBytes(segment);
        java.util.Arrays.fill(bytes, (int) mark.outcomes() - 40, bytes.length, (byte) 0);
        Files.write(segment, bytes);
        DerivedMark later = new DerivedMark(bytes.length, 0);
        assertThatThrownBy(() -> DerivedLog.open(crashed, later, big))
                .isInstanceOf(DerivedLogException.class);
    }

    @Test
    void shouldStartTheOutcomeLogAgainAtAMarkBelowWhatRetentionKept() {
        Workload w = new Workload(3, 200, 4);
        DerivedMark old;
        try (DerivedLog log = DerivedLog.open(dir, DerivedMark.EMPTY, SMALL)) {
            Applier a = new Applier();
            w.events.subList(0, 20).forEach(e -> a.apply(log, e));
            old = log.mark();
            w.events.subList(20, 200).forEach(e -> a.apply(log, e));
            log.mark();
            assertThat(log.forgetOutcomesBefore(Long.MAX_VALUE)).isPositive();
            assertThat(log.outcomesStart()).isGreaterThan(old.outcomes());
        }
        // the snapshot that survived is older than the retention's drop: its outcomes were all too old anyway
        try (DerivedLog log = DerivedLog.open(dir, old, SMALL)) {
            assertThat(log.outcomesStart()).isEqualTo(old.outcomes());
            assertThat(log.end()).isEqualTo(old);
            Workload.Event next = w.events.get(20);
            long p = log.appendOutcome(next.seq(), next.ingestMs(), next.outcome(), 0, next.outcome().length);
            assertThat(p).isEqualTo(old.outcomes());
            assertThat(log.outcome(next.seq())).isEqualTo(next.outcome());
            assertThat(log.outcome(w.events.get(19).seq())).isNull();
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void shouldForceWhatTheMarksReachedFromAnotherThreadThoughRetentionDroppedSomeOfItsFiles() throws Exception {
        Workload w = new Workload(3, 200, 4);
        try (DerivedLog log = DerivedLog.open(dir, DerivedMark.EMPTY, SMALL)) {
            Applier a = new Applier();
            w.events.subList(0, 100).forEach(e -> a.apply(log, e));
            log.mark(); // notes every segment sealed so far and the last one
            assertThat(log.forgetOutcomesBefore(Long.MAX_VALUE)).as("noted files deleted since").isPositive();
            w.events.subList(100, 200).forEach(e -> a.apply(log, e));
            DerivedMark mark = log.mark();
            // RocksDB's flush thread forces while the owner goes on appending
            java.util.concurrent.CompletableFuture<Void> forced =
                    java.util.concurrent.CompletableFuture.runAsync(log::forceWritten);
            Workload.Event next = w.events.get(199);
            log.appendOutcome(next.seq() + 1, next.ingestMs(), next.outcome(), 0, next.outcome().length);
            forced.get(10, java.util.concurrent.TimeUnit.SECONDS);
            log.forceWritten(); // nothing noted since: a no-op
            assertThat(log.mark().outcomes()).isGreaterThan(mark.outcomes());
        }
    }

    @Test
    void shouldNameTheFirstDifferenceBetweenALogAndItsReplay() {
        Workload w = new Workload(5, 200, 4);
        try (DerivedLog live = DerivedLog.open(dir.resolve("live"), DerivedMark.EMPTY, SMALL);
             DerivedLog replay = DerivedLog.open(dir.resolve("replay"), DerivedMark.EMPTY, SMALL)) {
            Applier a = new Applier();
            Applier b = new Applier();
            w.events.subList(0, 199).forEach(e -> a.apply(live, e));
            w.events.subList(0, 199).forEach(e -> b.apply(replay, e));
            live.mark();
            replay.mark();
            // retention dropped old outcomes in one of them only: compared where both keep them
            assertThat(live.forgetOutcomesBefore(w.events.get(100).ingestMs())).isPositive();
            assertThat(live.firstDifference(replay)).isNull();

            Workload.Event last = w.events.get(199);
            long recordAt = live.end().outcomes();
            a.apply(live, last);
            assertThat(live.firstDifference(replay)).startsWith("outcome log: ends at");
            // the same event with another ingest time: the first byte of that field differs (length, seq before it)
            b.apply(replay, new Workload.Event(last.seq(), last.ingestMs() + 1, last.outcome(), last.entries()));
            assertThat(live.firstDifference(replay)).startsWith("outcome log: byte at position " + (recordAt + 12));
        }
    }

    @Test
    void shouldAppendWithoutAllocating() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] outcome = new byte[120];
        byte[] entry = new byte[70];
        String[] customers = {"c-1", "c-2", "c-3", "c-4"};
        long[] heads = {-1, -1, -1, -1};
        try (DerivedLog log = DerivedLog.open(dir, DerivedMark.EMPTY)) {
            long seq = 0;
            long allocated = 0;
            for (int round = 0; round < 3; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 20_000; i++) {
                    seq++;
                    log.appendOutcome(seq, seq, outcome, 0, outcome.length);
                    int c = i & 3;
                    heads[c] = log.appendLedger(heads[c], customers[c], seq, seq, entry, 0, entry.length);
                    heads[c] = log.appendLedger(heads[c], customers[c], seq + 1, seq, entry, 0, entry.length);
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            // the last round (warm): nothing per append; the index's occasional growth is all that may show
            assertThat(allocated).as("bytes allocated by 20,000 events").isLessThan(20_000);
        }
    }

    @Property(tries = 500)
    void shouldWriteCustomerIdsAsStringGetBytesDoes(@ForAll String s) {
        ByteBuffer b = ByteBuffer.allocate(Utf8.length(s));
        Utf8.put(s, b);
        assertThat(b.hasRemaining()).isFalse();
        assertThat(b.array()).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
    }
}
