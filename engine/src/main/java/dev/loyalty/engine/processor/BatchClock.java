package dev.loyalty.engine.processor;

import java.util.Arrays;

/**
 * The clock of a partition and, for the batch being applied, each step it took: which record's ingest
 * time moved it to which value. Time-driven work found due inside a batch is attributed to the record
 * whose clock first reached its due time, whatever the batch boundaries were (replay must agree).
 */
final class BatchClock {
    private long clockMs = Long.MIN_VALUE;
    private long clockSeq;
    private long[] stepMs = new long[64];
    private long[] stepSeq = new long[64];
    private int steps;

    long nowMs() {
        return clockMs;
    }

    long seqOfNow() {
        return clockSeq;
    }

    void restore(long clockMs, long clockSeq) {
        this.clockMs = clockMs;
        this.clockSeq = clockSeq;
        steps = 0;
    }

    /** A record with that ingest time and seq was read; returns true when the clock moved. */
    boolean advance(long ingestMs, long seq) {
        if (ingestMs <= clockMs) {
            return false;
        }
        clockMs = ingestMs;
        clockSeq = seq;
        if (steps == stepMs.length) {
            stepMs = Arrays.copyOf(stepMs, steps * 2);
            stepSeq = Arrays.copyOf(stepSeq, steps * 2);
        }
        stepMs[steps] = ingestMs;
        stepSeq[steps] = seq;
        steps++;
        return true;
    }

    /** Seq of the first record of this batch whose clock reached {@code dueMs}. */
    long seqWhenDue(long dueMs) {
        int lo = 0;
        int hi = steps - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (stepMs[mid] >= dueMs) {
                found = mid;
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        // Work due before this batch was run at the end of an earlier one; fall back to the current seq.
        return found < 0 ? clockSeq : stepSeq[found];
    }

    /** A batch was committed: its steps are no longer needed. */
    void newBatch() {
        steps = 0;
    }
}
