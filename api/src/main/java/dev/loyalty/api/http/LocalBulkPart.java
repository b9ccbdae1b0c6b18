package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.LoyaltyEngine.IngestRefusedException;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.event.BulkRead;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The part of a split bulk whose customers this node owns, journaled and answered in-process: the same
 * validation, submit and slot views as {@code POST /events/bulk} ({@link EventRoutes#postBulk}), without the
 * HTTP round trip to itself that a forwarded part pays (and without a second authentication and rate-limit
 * pass). Answers the part's slots as {@link JsonViews#bulk} renders them, once every outcome is known or
 * {@code api.sync-timeout} passed (slots not applied by then answer {@code accepted}, as on the route). The
 * request is read once ({@link #read}): the part's events are the slots of that read, not a body rebuilt for it.
 * A whole-part refusal fails the future with the exception the route would have failed with
 * ({@link ApiException}, {@link IngestRefusedException}): the caller answers it as the route would.
 */
final class LocalBulkPart {

    private final LoyaltyEngine engine;
    private final EventBodies bodies;
    private final long syncTimeoutMs;
    private final int bulkMax;

    LocalBulkPart(LoyaltyEngine engine, long syncTimeoutMs, int bulkMax) {
        this.engine = engine;
        this.bodies = new EventBodies(engine.config().rules());
        this.syncTimeoutMs = syncTimeoutMs;
        this.bulkMax = bulkMax;
    }

    /**
     * A bulk body read and validated as the route reads it: the slots a split bulk is divided by (each valid
     * slot's customer names its owner) and then its own part's events, read once.
     *
     * @throws ApiException 400 when the body is empty or not JSON
     */
    BulkRead read(byte[] body) {
        return bodies.bulk(body, engine.nowMs(), bulkMax);
    }

    /**
     * Journals {@code part} (slots of a bulk {@link #read}, this node's customers and the invalid ones) and
     * answers its rendered slots; on an event loop.
     */
    Future<byte[]> run(Vertx vertx, BulkRead part) {
        if (part.error() != null) {
            return Future.failedFuture(ApiException.of(part.error()));
        }
        BulkBatch bulk = new BulkBatch(part);
        if (bulk.events().isEmpty()) {
            return Future.succeededFuture(render(bulk));
        }
        Context context = vertx.getOrCreateContext();
        // The Kafka journal's acknowledgement continues the part on this context; no thread waits for it.
        return AckedSubmit.submit(engine, context, bulk.events(), true)
                .compose(submissions -> awaitOutcomes(context, bulk, submissions));
    }

    private Future<byte[]> awaitOutcomes(Context context, BulkBatch bulk, List<Submission> submissions) {
        List<CompletableFuture<?>> waiting = new ArrayList<>(submissions.size() + 1);
        long lastSeq = bulk.submitted(submissions, waiting);
        CompletableFuture<Void> durable = lastSeq < 0 ? CompletableFuture.completedFuture(null)
                : engine.durable(lastSeq);
        waiting.add(durable);
        Promise<byte[]> answer = Promise.promise();
        Runnable gather = () -> {
            if (!durable.isDone() || durable.isCompletedExceptionally()) {
                // As the route: nothing journaled is answered before the journal holds it (journal.sync).
                answer.tryFail(new IngestRefusedException(503, "unavailable",
                        "the journal could not be synced to disk in time", 0));
                return;
            }
            answer.tryComplete(render(bulk));
        };
        long timer = context.owner().setTimer(Math.max(1, syncTimeoutMs), t -> {
            if (!answer.future().isComplete()) {
                gather.run();
            }
        });
        CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).whenComplete((v, e) ->
                context.runOnContext(x -> {
                    context.owner().cancelTimer(timer);
                    if (!answer.future().isComplete()) {
                        gather.run();
                    }
                }));
        return answer.future();
    }

    private static byte[] render(BulkBatch bulk) {
        return JsonViews.bulk(bulk.gather()).getBytes();
    }
}
