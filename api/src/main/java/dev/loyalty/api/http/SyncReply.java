package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.processor.OutcomeFacts;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.concurrent.CompletableFuture;

/**
 * The answer of one synchronous event on the lean path: the engine's waiter of its outcome (written by the
 * processor into this reply's own {@link OutcomeFacts}), its loop's wait and the answer, rendered from those facts
 * into a pooled buffer. Kept by its loop for the next request once settled ({@link ReplyLoop#syncReply}), so a
 * sync request makes neither a wait nor an outcome, entry, customer view or account object.
 */
final class SyncReply extends ReplyLoop.Wait {

    private final ReplyLoop loop;
    private final OutcomeFacts facts = new OutcomeFacts();
    /** Set by the processor before its signal: {@link #facts} hold the outcome. */
    private boolean told;
    long seq;
    CompletableFuture<Void> durable;

    SyncReply(ReplyLoop loop, HttpServerRequest request) {
        super(loop, request, null);
        this.loop = loop;
    }

    @Override
    protected OutcomeFacts facts() {
        return facts;
    }

    /** Processor thread: {@link #facts} hold the outcome. */
    @Override
    protected void completedFacts() {
        told = true;
        signal();
    }

    /** This loop: the reply was not registered with the engine (a duplicate or a refusal): keep it for another. */
    void unused() {
        loop.spare(this);
    }

    @Override
    public void run() {
        // Read first (volatile): once settled, what the processor wrote is visible and no engine thread holds it.
        boolean settled = settled() && !late();
        try {
            answer(request.response(), settled);
        } finally {
            if (settled) {
                told = false;
                loop.spare(this);
            }
        }
    }

    private void answer(HttpServerResponse response, boolean settled) {
        if (!durable.isDone()) {
            EventRoutes.notDurable(response, null);
        } else if (durable.isCompletedExceptionally()) {
            EventRoutes.notDurable(response, Await.failureOf(durable));
        } else if (settled && told) {
            Responses.pooled(response, facts.httpStatus(), JsonViews.eventFactsPooled(seq, facts));
        } else {
            // Not told through the facts: no outcome in time, a failure, or (not on this path) an EventResult.
            EventResult done = outcome();
            if (failure() != null) {
                HttpErrors.noOutcome(failure());
            }
            if (done == null) {
                Responses.pooled(response, 202, JsonViews.acceptedPooled(seq));
            } else {
                Responses.pooled(response, done.outcome().httpStatus(), JsonViews.eventResultPooled(seq, false, done));
            }
        }
    }
}
