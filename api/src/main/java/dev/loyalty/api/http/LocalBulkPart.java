package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.IngestRefusedException;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.BulkRead;
import dev.loyalty.engine.event.ReadEvent;
import dev.loyalty.engine.event.Validated;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The part of a split bulk whose customers this node owns, journaled and answered in-process: the same
 * validation, submit and slot views as {@code POST /events/bulk} ({@link EventRoutes#postBulk}), without the
 * HTTP round trip to itself that a forwarded part pays (and without a second authentication and rate-limit
 * pass). Answers the part's slots as {@link JsonViews#bulk} renders them, once every outcome is known or
 * {@code api.sync-timeout} passed (slots not applied by then answer {@code accepted}, as on the route).
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

    /** Journals {@code body} (a bulk of this node's customers) and answers its rendered slots; on an event loop. */
    Future<JsonNode> run(Vertx vertx, byte[] body) {
        BulkRead read;
        try {
            read = bodies.bulk(body, engine.nowMs(), bulkMax);
        } catch (ApiException e) {
            return Future.failedFuture(e);
        }
        if (read.error() != null) {
            return Future.failedFuture(ApiException.of(read.error()));
        }
        int total = read.slots().size();
        BulkSlot[] slots = new BulkSlot[total];
        List<Submitted> batch = new ArrayList<>(total);
        int[] slotOf = new int[total];
        for (int i = 0; i < total; i++) {
            ReadEvent slot = read.slots().get(i);
            Validated validated = slot.validated();
            if (validated.isOk()) {
                slotOf[batch.size()] = i;
                batch.add(new Submitted(validated.event(), slot.bodyHash()));
            } else {
                slots[i] = new BulkSlot.Invalid(validated.error());
            }
        }
        if (batch.isEmpty()) {
            return Future.succeededFuture(render(slots));
        }
        Context context = vertx.getOrCreateContext();
        // The Kafka journal waits for the broker's acknowledgement: never on an event loop.
        return vertx.executeBlocking(() -> engine.submit(batch, true), false)
                .compose(submissions -> awaitOutcomes(context, slots, slotOf, submissions));
    }

    private Future<JsonNode> awaitOutcomes(Context context, BulkSlot[] slots, int[] slotOf,
                                           List<Submission> submissions) {
        long lastSeq = -1;
        List<CompletableFuture<?>> waiting = new ArrayList<>(submissions.size() + 1);
        for (int j = 0; j < submissions.size(); j++) {
            Submission s = submissions.get(j);
            if (s.refusal() != null) {
                slots[slotOf[j]] = new BulkSlot.Refused(s.refusal());
            } else {
                lastSeq = Math.max(lastSeq, s.seq());
                if (s.result() != null) {
                    waiting.add(s.result());
                }
            }
        }
        CompletableFuture<Void> durable = lastSeq < 0 ? CompletableFuture.completedFuture(null)
                : engine.durable(lastSeq);
        waiting.add(durable);
        Promise<JsonNode> answer = Promise.promise();
        Runnable gather = () -> {
            if (!durable.isDone() || durable.isCompletedExceptionally()) {
                // As the route: nothing journaled is answered before the journal holds it (journal.sync).
                answer.tryFail(new IngestRefusedException(503, "unavailable",
                        "the journal could not be synced to disk in time", 0));
                return;
            }
            for (int j = 0; j < submissions.size(); j++) {
                Submission s = submissions.get(j);
                if (s.refusal() == null) {
                    EventResult done = completed(s.result());
                    slots[slotOf[j]] = done == null
                            ? new BulkSlot.Accepted(s.seq())
                            : new BulkSlot.Done(s.seq(), s.duplicate(), done);
                }
            }
            answer.tryComplete(render(slots));
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

    private static JsonNode render(BulkSlot[] slots) {
        return JsonBodies.parse(JsonViews.bulk(Arrays.asList(slots)).getBytes());
    }

    /** The outcome if its future completed normally; null when not awaited, not done or failed. */
    private static EventResult completed(CompletableFuture<EventResult> result) {
        if (result == null || !result.isDone()) {
            return null;
        }
        try {
            return result.join();
        } catch (CompletionException | CancellationException e) {
            return null;
        }
    }
}
