package dev.loyalty.engine.rules;

import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.event.Event;

import java.util.List;

/**
 * The loyalty rules of loyalty-rules.md as a plain object: no I/O, no clock but the one in
 * {@link ApplyContext}, no threads. One instance per rules configuration; called by one processor thread.
 */
public final class Rules {

    public Rules(RulesConfig config) {
        throw new UnsupportedOperationException("rules: to be written");
    }

    public RulesConfig config() {
        throw new UnsupportedOperationException();
    }

    /**
     * Applies one journaled event to its customer (blank if unknown). First runs the customer's work due
     * by {@code ctx.clockMs()} (entries carry {@code ctx.seqWhenDue(due)}), then the event, then any work
     * the event made overdue (entries carry {@code ctx.seq()}). Every ledger entry made is appended to
     * {@code ledger} in order; the outcome's effects are the event's own entries and its overdue work.
     * A rejected event changes nothing but the due work that ran before it.
     */
    public EventOutcome apply(Customer customer, Event event, ApplyContext ctx, List<LedgerEntry> ledger) {
        throw new UnsupportedOperationException();
    }

    /** Runs the customer's work due by {@code ctx.clockMs()}, appending its ledger entries. */
    public void runDue(Customer customer, ApplyContext ctx, List<LedgerEntry> ledger) {
        throw new UnsupportedOperationException();
    }

    /** Earliest due time of the customer's pending work, or {@link Long#MAX_VALUE} if none. */
    public long nextDueMs(Customer customer) {
        throw new UnsupportedOperationException();
    }

    /** The API view of the customer at that clock (qualifying points depend on it). */
    public CustomerView view(Customer customer, long clockMs) {
        throw new UnsupportedOperationException();
    }
}
