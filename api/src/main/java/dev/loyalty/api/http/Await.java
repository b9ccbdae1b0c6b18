package dev.loyalty.api.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Waits for an engine future from an event loop without blocking it: the completion is hopped back onto
 * the request's context, and a timer bounds the wait. Exactly one of the callbacks runs, on the context;
 * whatever it throws fails the request (mapped by {@link HttpErrors}). Event loop only.
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
        Context context = Vertx.currentContext();
        if (future.isDone()) {
            complete(ctx, future, onComplete);
            return;
        }
        Vertx vertx = ctx.vertx();
        Settled settled = new Settled();
        long timerId = vertx.setTimer(timeoutMs, id -> {
            if (!settled.done) {
                settled.done = true;
                guarded(ctx, onTimeout);
            }
        });
        future.whenComplete((value, failure) -> context.runOnContext(v -> {
            if (!settled.done) {
                settled.done = true;
                vertx.cancelTimer(timerId);
                guarded(ctx, () -> onComplete.accept(value, failure == null ? null : HttpErrors.unwrap(failure)));
            }
        }));
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

    private static <T> void complete(RoutingContext ctx, CompletableFuture<T> future, BiConsumer<T, Throwable> onComplete) {
        T value = null;
        Throwable failure = null;
        try {
            value = future.join();
        } catch (RuntimeException e) {
            failure = HttpErrors.unwrap(e);
        }
        T v = value;
        Throwable f = failure;
        guarded(ctx, () -> onComplete.accept(v, f));
    }

    private static void guarded(RoutingContext ctx, Runnable action) {
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

    /** Which callback ran; touched only on the request's context. */
    private static final class Settled {
        boolean done;
    }
}
