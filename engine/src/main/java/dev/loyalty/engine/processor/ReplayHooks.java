package dev.loyalty.engine.processor;

import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.stats.PartitionStats;

/**
 * The seam through which a replay substitutes rules and observes a partition (what-if scenarios). Called
 * on the processor thread only; the live engine uses {@link #NONE}, which changes nothing.
 */
public interface ReplayHooks {

    /** Applies the journal as journaled, observing nothing. */
    ReplayHooks NONE = new ReplayHooks() {
    };

    /**
     * The rules to be in force from the record with that ingest time on.
     *
     * @param journaledJson the JSON of a rules record being read, or null for any other record
     * @return rules JSON to put in force (same JSON as in force: nothing happens), or null to keep the rules
     */
    default String rulesFor(long ingestMs, String journaledJson) {
        return journaledJson;
    }

    /**
     * Whether to run the work due by the clock before the record with that ingest time moves it (so that
     * figures taken in {@link #beforeRecord} include it). Due work is attributed to the record whose clock
     * reached it wherever it runs, so this never changes the state.
     */
    default boolean settleBefore(long ingestMs) {
        return false;
    }

    /** A record with that ingest time is about to be applied; {@code stats} holds everything before it (read only). */
    default void beforeRecord(long ingestMs, PartitionStats stats) {
    }

    /** A ledger entry was written (by an event or by due work). */
    default void ledger(LedgerEntry entry) {
    }

    /** An event of this partition was applied or rejected. */
    default void outcome(EventOutcome outcome) {
    }
}
