package dev.loyalty.api.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Waits for an engine future from an event loop without blocking it: Vert.x hops the completion back onto
 * the request's context and bounds the wait with one timer. Exactly one of the callbacks runs, on the
 * context; whatever it throws fails the request (mapped by {@link HttpErrors}). Event loop only.
 */
final class Await {

    private Await() {
    }

    /**
     * Runs {@code onComplete(value, failure)} when {@code future} completes within {@code timeoutMs},
     * else {@code onTimeout}.
     */
    static <T> void within(RoutingContext ctx, CompletableFuture<T> future, long timeoutMs,
                           BiConsumer<T, Throwable> onComplete, Runnable onTimeout) {
        if (future.isDone()) { // most answers: no timer, no hop
            completeNow(ctx, future, onComplete);
            return;
        }
        // completes when the engine's future does or at the deadline, whichever is first; the engine's
        // future itself then tells which (so a late failure is never mistaken for a timeout)
        Future.fromCompletionStage(future, Vertx.currentContext()).timeout(timeoutMs, TimeUnit.MILLISECONDS)
                .onComplete(settled -> {
                    if (future.isDone()) {
                        completeNow(ctx, future, onComplete);
                    } else {
                        guarded(ctx, onTimeout);
                    }
                });
    }

    /**
     * Awaits a read: {@code onValue} with the value; a failure fails the request (mapped by
     * {@link HttpErrors}); no answer within {@code timeoutMs} is {@code 503 unavailable}.
     */
    static <T> void read(RoutingContext ctx, CompletableFuture<T> future, long timeoutMs, Consumer<T> onValue) {
        within(ctx, future, timeoutMs, (value, failure) -> {
            if (failure != null) {
                ctx.fail(failure);
            } else {
                onValue.accept(value);
            }
        }, () -> HttpErrors.send(ctx, 503, "unavailable", "the engine did not answer within " + timeoutMs + " ms"));
    }

    private static <T> void completeNow(RoutingContext ctx, CompletableFuture<T> done,
                                        BiConsumer<T, Throwable> onComplete) {
        T value = null;
        Throwable failure = null;
        try {
            value = done.join();
        } catch (RuntimeException e) {
            failure = HttpErrors.unwrap(e);
        }
        T v = value;
        Throwable f = failure;
        guarded(ctx, () -> onComplete.accept(v, f));
    }

    /** The failure of a completed future (unwrapped), or null when it completed normally. */
    static Throwable failureOf(CompletableFuture<?> done) {
        try {
            done.join();
            return null;
        } catch (RuntimeException e) {
            return HttpErrors.unwrap(e);
        }
    }

    /** Runs an answer on the event loop; what it throws fails the request (or, once answered, is logged). */
    static void guarded(HttpServerRequest request, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            HttpErrors.fail(request, e);
        }
    }

    /** {@link #guarded(HttpServerRequest, Runnable)} for a request of the router: failures go to its failure handler. */
    static void guarded(RoutingContext ctx, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            if (ctx.response().ended()) {
                HttpErrors.internal(ctx, e);
            } else {
                ctx.fail(e);
            }
        }
    }
}
