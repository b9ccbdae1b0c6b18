package dev.loyalty.engine;

import dev.loyalty.engine.journal.EventBatch;
import dev.loyalty.engine.journal.Journal;
import dev.loyalty.engine.journal.PartitionHash;
import dev.loyalty.engine.processor.OutcomeWaits;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The append hook of a batch of lean single events ({@link EngineImpl#submit(EventBatch)}): registers each member's
 * waiter under its seq before the shared record is visible to the processors, and gives each member's record its
 * seq. One per submitting thread, reused.
 */
final class BatchAppend implements Journal.AppendHook {

    private final List<OutcomeWaits> waiters;
    private final AtomicInteger inFlight;
    private final int partitions;
    /** Set before each append. */
    private EventBatch events;
    /** Set by the append: -1 until the record's seq is known. */
    long firstSeq = -1;
    long ingestMs;

    BatchAppend(List<OutcomeWaits> waiters, AtomicInteger inFlight, int partitions) {
        this.waiters = waiters;
        this.inFlight = inFlight;
        this.partitions = partitions;
    }

    /** Readies the hook for one append. */
    BatchAppend start(EventBatch e) {
        events = e;
        firstSeq = -1;
        return this;
    }

    @Override
    public void beforeVisible(long first, long ingest) {
        firstSeq = first;
        ingestMs = ingest;
        int n = events.memberCount();
        for (int j = 0; j < n; j++) {
            int slot = events.member(j);
            events.record(slot).seq(first + j);
            waiters.get(partition(slot)).put(first + j, events.waiter(slot));
        }
        inFlight.addAndGet(n);
    }

    /** Takes the waiters and seqs back after a failed append that had registered them. */
    void undo() {
        if (firstSeq >= 0) {
            int n = events.memberCount();
            for (int j = 0; j < n; j++) {
                int slot = events.member(j);
                events.record(slot).seq(-1);
                waiters.get(partition(slot)).remove(firstSeq + j);
            }
            inFlight.addAndGet(-n);
        }
    }

    /** Forgets the batch. */
    void done() {
        events = null;
    }

    private int partition(int slot) {
        return PartitionHash.partition(events.hash(slot), partitions);
    }
}
