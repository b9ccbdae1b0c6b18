package dev.loyalty.engine.core;

import dev.loyalty.engine.event.Event;

/**
 * What {@link CoreRules} reads of one event: the fields of {@link Event} it needs, so that a processor can hand it a
 * reusable view of the journaled bytes ({@code journal.JournalEvent}) instead of an object graph per event. Absent
 * numbers are {@link Event#ABSENT}, absent strings null, as in {@link Event}. Valid for one apply call.
 */
public interface RuleInput {

    String customer();

    String action();

    String account();

    long effectiveTimeMs();

    long points();

    String transactionId();

    /**
     * {@link #transactionId()} as chars, possibly a view valid for this apply call only (the effect sink copies its
     * chars; the transactions table copies them when it adds a row).
     */
    default CharSequence transactionIdChars() {
        return transactionId();
    }

    /** The checkout's eligible value as {@code EligibleValue.cents} gives it (items win over the total). */
    long eligibleCents();

    long pointsBurned();

    long amountCents();

    String reason();

    String attributesJson();

    /**
     * {@link #attributesJson()} as chars, possibly a view valid for this apply call only: a merge reads it without a
     * string of its own (the attributes stored for a new customer are its {@code toString()}).
     */
    default CharSequence attributesChars() {
        return attributesJson();
    }

    /** Event time: the effective timestamp when given, else the ingest time. */
    default long eventTimeMs(long ingestTimeMs) {
        long effective = effectiveTimeMs();
        return effective == Event.ABSENT ? ingestTimeMs : effective;
    }
}
