package dev.loyalty.engine;

import dev.loyalty.engine.journal.Journal;
import dev.loyalty.engine.processor.OutcomeWaiter;
import dev.loyalty.engine.processor.OutcomeWaits;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The append hook of one single-event record on the lean path: registers the request's waiter under its seq
 * before the record is visible to the processors. One per thread, reused (no capturing lambda per request).
 */
final class LeanAppend implements Journal.AppendHook {

    private final List<OutcomeWaits> waiters;
    private final AtomicInteger inFlight;
    /** Set before each append. */
    OutcomeWaiter waiter;
    int partition;
    /** Set by the append: -1 until the record's seq is known. */
    long firstSeq = -1;
    long ingestMs;

    LeanAppend(List<OutcomeWaits> waiters, AtomicInteger inFlight) {
        this.waiters = waiters;
        this.inFlight = inFlight;
    }

    /** Readies the hook for one append. */
    LeanAppend start(OutcomeWaiter w, int p) {
        waiter = w;
        partition = p;
        firstSeq = -1;
        return this;
    }

    @Override
    public void beforeVisible(long first, long ingest) {
        firstSeq = first;
        ingestMs = ingest;
        waiters.get(partition).put(first, waiter);
        inFlight.incrementAndGet();
    }

    /** Takes the waiter back after a failed append that had registered it. */
    void undo() {
        if (firstSeq >= 0) {
            waiters.get(partition).remove(firstSeq);
            inFlight.decrementAndGet();
        }
    }
}
