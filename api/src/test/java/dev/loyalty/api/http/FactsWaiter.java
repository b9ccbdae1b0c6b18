package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.processor.OutcomeFacts;
import dev.loyalty.engine.processor.OutcomeWaiter;

import java.util.concurrent.CompletableFuture;

/**
 * A waiter told through its flat facts, reused from event to event as a loop reuses its sync replies and bulk slots
 * ({@link SyncReply}, {@link BulkReply}); being told with an object instead fails it.
 */
final class FactsWaiter extends OutcomeWaiter {
    final OutcomeFacts facts = new OutcomeFacts();
    CompletableFuture<Void> told = new CompletableFuture<>();

    void again() {
        reset();
        told = new CompletableFuture<>();
    }

    @Override
    protected OutcomeFacts facts() {
        return facts;
    }

    @Override
    protected void completedFacts() {
        told.complete(null);
    }

    @Override
    protected void completed(EventResult result) {
        told.completeExceptionally(new AssertionError("told with an object, not its facts"));
    }

    @Override
    protected void failed(Throwable failure) {
        told.completeExceptionally(failure);
    }
}
