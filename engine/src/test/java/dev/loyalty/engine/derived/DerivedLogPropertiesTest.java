package dev.loyalty.engine.derived;

import dev.loyalty.engine.derived.Workload.Applier;
import dev.loyalty.engine.derived.Workload.Entry;
import dev.loyalty.engine.derived.Workload.Event;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The derived log against an in-memory model: random appends, pages, outcome lookups, truncation to an
 * earlier mark with the same appends again, reopening, and retention, with segments and index spacing small
 * enough that every path (segment rolls, side files, reads across segments) runs many times per try.
 */
class DerivedLogPropertiesTest {

    private Path root;

    @BeforeTry
    void makeRoot() throws IOException {
        root = Files.createTempDirectory("derived-log");
    }

    @AfterTry
    void deleteRoot() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static DerivedLog.Sizes sizes(int segmentBytes, int spacing) {
        return new DerivedLog.Sizes(segmentBytes, 256, spacing);
    }

    @Property(tries = 40)
    void shouldAnswerOutcomesAndPagesLikeTheModel(@ForAll long seed,
                                                  @ForAll @IntRange(min = 1, max = 300) int count,
                                                  @ForAll @IntRange(min = 64, max = 8192) int segmentBytes,
                                                  @ForAll @IntRange(min = 1, max = 4096) int spacing) {
        Workload w = new Workload(seed, count, 7);
        Applier model = new Applier();
        SplittableRandom r = new SplittableRandom(seed ^ 0x5eed);
        try (DerivedLog log = DerivedLog.open(root.resolve("a"), DerivedMark.EMPTY, sizes(segmentBytes, spacing))) {
            for (Event e : w.events) {
                model.apply(log, e);
                if (r.nextInt(10) == 0) {
                    // reads between batches see everything appended, staged or written
                    checkAgainstModel(log, model, r, 3);
                }
            }
            checkAgainstModel(log, model, r, 40);
            log.mark();
        }
        try (DerivedLog log = DerivedLog.open(root.resolve("a"), endOf(root.resolve("a"), segmentBytes, spacing),
                sizes(segmentBytes, spacing))) {
            checkAgainstModel(log, model, r, 40);
        }
    }

    @Property(tries = 40)
    void shouldWriteTheSameBytesAfterTruncatingToAMarkAndApplyingAgain(
            @ForAll long seed, @ForAll @IntRange(min = 2, max = 300) int count,
            @ForAll @IntRange(min = 64, max = 4096) int segmentBytes,
            @ForAll @IntRange(min = 1, max = 2048) int spacing,
            @ForAll @IntRange(min = 0, max = 100) int markPercent,
            @ForAll @IntRange(min = 0, max = 100) int crashPercent,
            @ForAll boolean reopen) {
        Workload w = new Workload(seed, count, 5);
        DerivedLog.Sizes sizes = sizes(segmentBytes, spacing);
        Path reference = root.resolve("reference");
        try (DerivedLog log = DerivedLog.open(reference, DerivedMark.EMPTY, sizes)) {
            Applier a = new Applier();
            w.events.forEach(e -> a.apply(log, e));
            log.mark();
        }

        Path crashed = root.resolve("crashed");
        int committedAt = count * markPercent / 100;
        int crashAt = committedAt + (count - committedAt) * crashPercent / 100;
        Applier live = new Applier();
        Applier snapshot;
        DerivedMark mark;
        DerivedLog log = DerivedLog.open(crashed, DerivedMark.EMPTY, sizes);
        try {
            for (int i = 0; i < committedAt; i++) {
                live.apply(log, w.events.get(i));
            }
            mark = log.mark();
            snapshot = live.copy();
            for (int i = committedAt; i < crashAt; i++) {
                live.apply(log, w.events.get(i));
            }
            // what lies past the mark reaches the files, as it would before a crash that kept the older snapshot
            log.mark();
            if (reopen) {
                log.close();
                log = DerivedLog.open(crashed, mark, sizes);
            } else {
                log.truncateTo(mark);
            }
            checkAgainstModel(log, snapshot, new SplittableRandom(seed), 20);
            for (int i = committedAt; i < crashAt; i++) {
                long seq = w.events.get(i).seq();
                assertThat(log.outcome(seq)).as("outcome of seq %d, past the mark", seq).isNull();
            }
            assertThat(log.end()).isEqualTo(mark);
            for (int i = committedAt; i < count; i++) {
                snapshot.apply(log, w.events.get(i));
            }
            log.mark();
            checkAgainstModel(log, snapshot, new SplittableRandom(seed), 20);
        } finally {
            log.close();
        }
        assertThat(Workload.difference(reference, crashed)).isNull();
    }

    @Property(tries = 30)
    void shouldForgetOnlyOutcomesPastTheHorizonAndKeepEveryLedgerEntry(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int count,
            @ForAll @IntRange(min = 64, max = 2048) int segmentBytes,
            @ForAll @IntRange(min = 0, max = 100) int horizonPercent) {
        Workload w = new Workload(seed, count, 6);
        DerivedLog.Sizes sizes = sizes(segmentBytes, 512);
        Applier model = new Applier();
        Path dir = root.resolve("r");
        long first = w.events.get(0).ingestMs();
        long last = w.events.get(count - 1).ingestMs();
        long horizonMs = first + (last - first + 1) * horizonPercent / 100;
        DerivedMark mark;
        try (DerivedLog log = DerivedLog.open(dir, DerivedMark.EMPTY, sizes)) {
            w.events.forEach(e -> model.apply(log, e));
            mark = log.mark();
            log.forgetOutcomesBefore(horizonMs);
            checkRetention(log, model, horizonMs, count, segmentBytes);
        }
        try (DerivedLog log = DerivedLog.open(dir, mark, sizes)) {
            checkRetention(log, model, horizonMs, count, segmentBytes);
            for (String customer : model.ledgers.keySet()) {
                assertThat(records(log, model, customer, Long.MAX_VALUE, Integer.MAX_VALUE))
                        .hasSize(model.ledgers.get(customer).size());
            }
        }
    }

    private static void checkRetention(DerivedLog log, Applier model, long horizonMs, int count, int segmentBytes) {
        int forgotten = 0;
        long keptPastHorizonBytes = 0;
        for (Event e : model.outcomes.values()) {
            byte[] got = log.outcome(e.seq());
            if (e.ingestMs() >= horizonMs) {
                assertThat(got).as("outcome of seq %d, within the retention", e.seq()).isEqualTo(e.outcome());
            } else if (got == null) {
                forgotten++;
            } else {
                assertThat(got).isEqualTo(e.outcome());
                keptPastHorizonBytes += SegmentedLog.HEADER + OutcomeLog.FIXED + got.length;
            }
        }
        // ingest times increase here, so only the segment holding the horizon keeps outcomes past it
        assertThat(keptPastHorizonBytes).isLessThanOrEqualTo(Math.max(segmentBytes, 4 + 16 + 200));
        // whole segments go: every forgotten outcome lies below every kept one
        long firstKept = model.outcomes.values().stream().filter(e -> log.outcome(e.seq()) != null)
                .mapToLong(Event::seq).min().orElse(Long.MAX_VALUE);
        assertThat(model.outcomes.headMap(firstKept).size()).isEqualTo(forgotten);
        assertThat(forgotten).isLessThan(count);
    }

    /** Outcome lookups (present and absent seqs) and ledger pages with random {@code before} and limits. */
    private static void checkAgainstModel(DerivedLog log, Applier model, SplittableRandom r, int probes) {
        if (!model.outcomes.isEmpty()) {
            long lo = model.outcomes.firstKey();
            long hi = model.outcomes.lastKey();
            for (int i = 0; i < probes; i++) {
                long seq = lo - 2 + r.nextLong(hi - lo + 5);
                Event e = model.outcomes.get(seq);
                assertThat(log.outcome(seq)).as("outcome of seq %d", seq).isEqualTo(e == null ? null : e.outcome());
            }
        }
        assertThat(log.outcome(Long.MIN_VALUE)).isNull();
        assertThat(log.outcome(Long.MAX_VALUE)).isNull();
        for (String customer : model.ledgers.keySet()) {
            List<Entry> all = model.ledgers.get(customer);
            long maxId = all.get(all.size() - 1).id();
            for (int i = 0; i < Math.max(1, probes / 10); i++) {
                long before = r.nextInt(4) == 0 ? Long.MAX_VALUE : 1 + r.nextLong(maxId + 2);
                int limit = 1 + r.nextInt(6);
                List<Entry> expected = model.page(customer, before, limit);
                DerivedLog.LedgerPage page = log.ledgerPage(customer, model.heads.get(customer), before, limit);
                assertThat(page.entries()).hasSize(expected.size());
                for (int k = 0; k < expected.size(); k++) {
                    DerivedLog.LedgerRecord got = page.entries().get(k);
                    assertThat(got.entryId()).isEqualTo(expected.get(k).id());
                    assertThat(got.seq()).isEqualTo(expected.get(k).seq());
                    assertThat(got.entry()).isEqualTo(expected.get(k).bytes());
                }
                long next = expected.size() == limit && model.hasOlder(customer, expected.get(limit - 1).id())
                        ? expected.get(limit - 1).id() : DerivedLog.NO_ENTRY;
                assertThat(page.nextBefore()).isEqualTo(next);
                if (next != DerivedLog.NO_ENTRY) {
                    // the next page from where this one stopped is the one from the head
                    int nextLimit = 1 + r.nextInt(6);
                    List<Long> fromHead = ids(log.ledgerPage(customer, model.heads.get(customer), next, nextLimit));
                    assertThat(ids(log.ledgerPage(customer, page.nextPosition(), next, nextLimit))).isEqualTo(fromHead)
                            .isEqualTo(model.page(customer, next, nextLimit).stream().map(Entry::id).toList());
                } else {
                    assertThat(page.nextPosition()).isEqualTo(DerivedLog.NO_ENTRY);
                }
            }
        }
    }

    private static List<Long> ids(DerivedLog.LedgerPage page) {
        return page.entries().stream().map(DerivedLog.LedgerRecord::entryId).toList();
    }

    private static List<DerivedLog.LedgerRecord> records(DerivedLog log, Applier model, String customer, long before,
                                                         int limit) {
        return log.ledgerPage(customer, model.heads.get(customer), before, limit).entries();
    }

    /** The mark of a log as its files stand (what a snapshot taken at its last {@code mark()} holds). */
    private static DerivedMark endOf(Path dir, int segmentBytes, int spacing) {
        Map<String, byte[]> files = Workload.files(dir);
        long outcomes = files.entrySet().stream().filter(f -> f.getKey().startsWith("outcomes")
                && f.getKey().endsWith(".log")).mapToLong(f -> f.getValue().length).sum();
        long ledger = files.entrySet().stream().filter(f -> f.getKey().startsWith("ledger"))
                .mapToLong(f -> f.getValue().length).sum();
        return new DerivedMark(outcomes, ledger);
    }
}
