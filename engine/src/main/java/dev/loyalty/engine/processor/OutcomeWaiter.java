package dev.loyalty.engine.processor;

import dev.loyalty.engine.LoyaltyEngine.EventResult;

/**
 * Something waiting for the outcome of one journaled event: told once, on the processor thread that applied
 * the event (or failed). Subclasses are the waits themselves (a request's reply, a future), so registering
 * one costs no object beyond it: {@link OutcomeWaits} keeps it by seq without boxing.
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

    /** Tells this waiter and those chained to it the outcome: the engine's call (a processor thread). */
    public final void complete(EventResult result) {
        for (OutcomeWaiter w = this; w != null; w = w.also) {
            w.completed(result);
        }
    }

    /** Tells this waiter and those chained to it that no outcome will come: the engine's call. */
    public final void fail(Throwable failure) {
        for (OutcomeWaiter w = this; w != null; w = w.also) {
            w.failed(failure);
        }
    }
}
