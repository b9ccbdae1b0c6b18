package dev.loyalty.engine.rules;

import java.util.List;

/**
 * The stored final outcome of one journaled event: applied with its effects, or rejected with its error.
 * This is what {@code GET /events/{seq}} and idempotent retries answer.
 *
 * @param seq      the event's journal sequence
 * @param customer the event's customer
 * @param error    null when applied
 * @param effects  ledger entries the event caused, in order (empty when rejected)
 */
public record EventOutcome(long seq, String customer, RuleError error, List<LedgerEntry> effects) {

    public boolean applied() {
        return error == null;
    }

    /** HTTP status a synchronous request for this event answers. */
    public int httpStatus() {
        return error == null ? 200 : error.status();
    }
}
