package dev.loyalty.engine.processor;

import dev.loyalty.engine.LoyaltyEngine.EventResult;

/**
 * Something waiting for the outcome of one journaled event: told once, on the processor thread that applied
 * the event (or failed). Subclasses are the waits themselves (a request's reply, a future), so registering
 * one costs no object beyond it: {@link OutcomeWaits} keeps it by seq without boxing. A waiter with its own
 * {@link #facts} record is told through it ({@link #completedFacts}), without an {@link EventResult}.
 */
public abstract class OutcomeWaiter {

    /** The seq waited for; set by {@link OutcomeWaits#put}. */
    long seq = -1;
    /** The outcome, set on the processor thread when the event is applied, handed over once the batch is. */
    EventResult pending;
    /** Further waiters of the same seq (a retry meeting the original still pending); processor thread only. */
    OutcomeWaiter also;

    /** The event's outcome; processor thread. */
    protected abstract void completed(EventResult result);

    /** No outcome will come (the partition stopped); processor or engine thread. */
    protected abstract void failed(Throwable failure);

    /**
     * The record the processor writes this waiter's outcome into instead of building an {@link EventResult}, or
     * null (the default: told with one). Must return the same record from registration until told.
     */
    protected OutcomeFacts facts() {
        return null;
    }

    /** The outcome was written into {@link #facts}; processor thread. By default told as an {@link EventResult}. */
    protected void completedFacts() {
        completed(facts().toResult());
    }

    /**
     * Readies a told waiter (or one never registered) for another event: a waiter may be reused once its last
     * signal came, since the processor reads nothing of it after telling it ({@link #complete}).
     */
    protected final void reset() {
        seq = -1;
        pending = null;
        also = null;
    }

    /** Tells this waiter and those chained to it the outcome: the engine's call (a processor thread). */
    public final void complete(EventResult result) {
        for (OutcomeWaiter w = this; w != null; ) {
            OutcomeWaiter next = w.also; // read first: a told waiter may be reused at once
            w.completed(result);
            w = next;
        }
    }

    /**
     * Tells this waiter, whose {@link #facts} hold the outcome, and those chained to it (as an
     * {@link EventResult} built from the facts: chains are rare retries); processor thread.
     */
    final void completeFromFacts() {
        OutcomeWaiter next = also;
        EventResult forChain = next == null ? null : facts().toResult();
        completedFacts();
        if (next != null) {
            next.complete(forChain);
        }
    }

    /** Tells this waiter and those chained to it that no outcome will come: the engine's call. */
    public final void fail(Throwable failure) {
        for (OutcomeWaiter w = this; w != null; ) {
            OutcomeWaiter next = w.also;
            w.failed(failure);
            w = next;
        }
    }
}
