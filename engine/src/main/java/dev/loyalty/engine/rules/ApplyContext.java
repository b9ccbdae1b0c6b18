package dev.loyalty.engine.rules;

/**
 * What the rules know of the journal while applying one record: its sequence, its ingest time and the
 * partition clock. Implemented by the processor; tests implement it directly. Never the wall clock.
 */
public interface ApplyContext {

    /** Sequence of the journal record being applied. */
    long seq();

    /** Ingest time of that record, epoch millis. */
    long ingestTimeMs();

    /** The partition clock after this record: the largest ingest time processed so far, epoch millis. */
    long clockMs();

    /**
     * Sequence of the journal record whose clock first reached {@code dueMs}: time-driven ledger entries
     * carry it. Only asked for {@code dueMs <= clockMs()}.
     */
    long seqWhenDue(long dueMs);
}
