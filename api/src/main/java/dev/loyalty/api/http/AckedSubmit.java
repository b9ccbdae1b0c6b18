package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * A submit to a journal that acknowledges over the network (Kafka): the event loop hands the records to the
 * journal and the request continues on its own context when the acknowledgement comes; no thread waits for
 * the broker meanwhile. A worker runs only an id lookup that may read the index on disk.
 */
final class AckedSubmit {

    private AckedSubmit() {
    }

    /** Submits from {@code context}'s event loop; the future completes on that context. */
    static Future<List<Submission>> submit(LoyaltyEngine engine, Context context, List<Submitted> batch,
                                           boolean await) {
        Executor onContext = task -> context.runOnContext(v -> task.run());
        if (engine.lookupsInMemory(batch)) {
            return onContext(context, engine.submitAsync(batch, await, onContext));
        }
        return context.<CompletableFuture<List<Submission>>>executeBlocking(
                        () -> engine.submitAsync(batch, await, onContext), false)
                .compose(submitted -> onContext(context, submitted));
    }

    /**
     * The engine's future as a Vert.x one: the engine completes it on the context (or before returning it),
     * so the completion is passed on without another hop when already there.
     */
    private static Future<List<Submission>> onContext(Context context, CompletableFuture<List<Submission>> submitted) {
        Promise<List<Submission>> promise = Promise.promise();
        submitted.whenComplete((submissions, failure) -> {
            Runnable pass = () -> {
                if (failure != null) {
                    promise.fail(failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure);
                } else {
                    promise.complete(submissions);
                }
            };
            if (Vertx.currentContext() == context) {
                pass.run();
            } else {
                context.runOnContext(v -> pass.run());
            }
        });
        return promise.future();
    }
}
