package dev.loyalty.engine.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * The journal facts a test harness hands the rules, as a processor would: every record gets the next seq,
 * the clock is the largest ingest time so far, and {@code seqWhenDue} answers the first record whose clock
 * reached the due time. Shared by {@link Harness} and {@link DualHarness}.
 */
final class TestJournal {

    /** Seq of the latest record. */
    long seq;
    /** Largest ingest time so far. */
    long clockMs = Long.MIN_VALUE;
    private long lastIngestMs = Long.MIN_VALUE;
    /** {seq, clock} of every record that moved the clock. */
    private final List<long[]> clockRecords = new ArrayList<>();

    /** Journals the next record with that ingest time; returns its context. */
    ApplyContext next(long ingestMs) {
        seq++;
        lastIngestMs = ingestMs;
        if (ingestMs > clockMs) {
            clockMs = ingestMs;
            clockRecords.add(new long[] {seq, clockMs});
        }
        return current();
    }

    /** The context of the latest record (end of a processor batch). */
    ApplyContext current() {
        return new Ctx(seq, lastIngestMs, clockMs, this);
    }

    long seqWhenDue(long dueMs) {
        for (long[] r : clockRecords) {
            if (r[1] >= dueMs) {
                return r[0];
            }
        }
        throw new IllegalStateException("clock never reached " + dueMs);
    }

    private record Ctx(long seq, long ingestTimeMs, long clockMs, TestJournal journal) implements ApplyContext {
        @Override
        public long seqWhenDue(long dueMs) {
            return journal.seqWhenDue(dueMs);
        }
    }
}
