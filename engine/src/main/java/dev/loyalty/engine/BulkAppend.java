package dev.loyalty.engine;

import dev.loyalty.engine.journal.BulkRecord;
import dev.loyalty.engine.journal.Journal;
import dev.loyalty.engine.journal.PartitionHash;
import dev.loyalty.engine.processor.OutcomeWaiter;
import dev.loyalty.engine.processor.OutcomeWaits;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The append hook of the lean bulk path ({@link EngineImpl#submit(BulkRecord, OutcomeWaiter[])}): registers
 * each event's waiter under its seq before the record is visible to the processors, with no lambda or array
 * per bulk. One per submitting thread, reused.
 */
final class BulkAppend implements Journal.AppendHook {

    private final List<OutcomeWaits> waiters;
    private final AtomicInteger inFlight;
    private final int partitions;
    /** Set before each append. */
    private BulkRecord events;
    private OutcomeWaiter[] eventWaiters;
    /** Set by the append: -1 until the record's seq is known. */
    long firstSeq = -1;
    long ingestMs;

    BulkAppend(List<OutcomeWaits> waiters, AtomicInteger inFlight, int partitions) {
        this.waiters = waiters;
        this.inFlight = inFlight;
        this.partitions = partitions;
    }

    /** Readies the hook for one append; {@code w} null: nothing awaited. */
    BulkAppend start(BulkRecord e, OutcomeWaiter[] w) {
        events = e;
        eventWaiters = w;
        firstSeq = -1;
        return this;
    }

    @Override
    public void beforeVisible(long first, long ingest) {
        firstSeq = first;
        ingestMs = ingest;
        if (eventWaiters != null) {
            int n = events.count();
            for (int j = 0; j < n; j++) {
                waiters.get(partition(j)).put(first + j, eventWaiters[j]);
            }
            inFlight.addAndGet(n);
        }
    }

    /** Takes the waiters back after a failed append that had registered them. */
    void undo() {
        if (firstSeq >= 0 && eventWaiters != null) {
            int n = events.count();
            for (int j = 0; j < n; j++) {
                waiters.get(partition(j)).remove(firstSeq + j);
            }
            inFlight.addAndGet(-n);
        }
    }

    /** Forgets the bulk (its strings and waiters are the request's). */
    void done() {
        events = null;
        eventWaiters = null;
    }

    private int partition(int j) {
        return PartitionHash.partition(events.partitionHash(j), partitions);
    }
}
