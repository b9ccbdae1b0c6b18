package dev.loyalty.engine.processor;

import dev.loyalty.engine.LoyaltyEngine.EventResult;

import java.util.concurrent.CompletableFuture;

/** An {@link OutcomeWaiter} completing a future: the engine API's {@code Submission.result()}. */
public final class FutureWaiter extends OutcomeWaiter {

    private final CompletableFuture<EventResult> future;

    public FutureWaiter(CompletableFuture<EventResult> future) {
        this.future = future;
    }

    public CompletableFuture<EventResult> future() {
        return future;
    }

    @Override
    protected void completed(EventResult result) {
        future.complete(result);
    }

    @Override
    protected void failed(Throwable failure) {
        future.completeExceptionally(failure);
    }
}
