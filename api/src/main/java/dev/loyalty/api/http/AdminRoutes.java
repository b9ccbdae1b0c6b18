package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.engine.LoyaltyEngine;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.CompletableFuture;

/** {@code POST /admin/clock} (api.md, Administration). Shared by all event loops. */
final class AdminRoutes {

    /** Largest accepted advance: a century, far beyond any test or what-if run, far from overflow. */
    static final long MAX_ADVANCE_SECONDS = 100L * 366 * 24 * 3600;

    private final LoyaltyEngine engine;
    private final boolean clockAdjustable;
    private final long timeoutMs;

    AdminRoutes(LoyaltyEngine engine, boolean clockAdjustable, long timeoutMs) {
        this.engine = engine;
        this.clockAdjustable = clockAdjustable;
        this.timeoutMs = timeoutMs;
    }

    /** Refuses clock changes unless {@code clock.adjustable}; runs right after authentication. */
    void requireAdjustableClock(RoutingContext ctx) {
        if (!clockAdjustable) {
            throw new ApiException(403, "forbidden", "the clock cannot be moved here (clock.adjustable is false)");
        }
        ctx.next();
    }

    /**
     * {@code POST /admin/clock {"advance_seconds": n}}: answers the new clock once every partition applied
     * the clock record; if that takes longer than the timeout, {@code 202} with the ingest clock now
     * (the record is journaled and will apply).
     */
    void advanceClock(RoutingContext ctx) {
        JsonNode body = JsonBodyHandler.body(ctx);
        if (!body.isObject()) {
            throw new ApiException(400, "invalid_field", "request body must be a JSON object holding 'advance_seconds'");
        }
        JsonNode advance = body.get("advance_seconds");
        if (advance == null) {
            throw ApiException.missingField("advance_seconds");
        }
        if (!advance.isIntegralNumber() || !advance.canConvertToLong()
                || advance.longValue() <= 0 || advance.longValue() > MAX_ADVANCE_SECONDS) {
            throw ApiException.invalidField("advance_seconds",
                    "must be a positive whole number of seconds, at most " + MAX_ADVANCE_SECONDS);
        }
        long seconds = advance.longValue();
        if (!engine.submitBlocks()) {
            answer(ctx, engine.advanceClock(seconds));
            return;
        }
        // The journal waits for the network (Kafka's acknowledgement): journal on a worker, answer on the loop.
        ctx.vertx().executeBlocking(() -> engine.advanceClock(seconds), false).onComplete(done -> {
            if (done.failed()) {
                ctx.fail(done.cause());
            } else {
                Await.guarded(ctx, () -> answer(ctx, done.result()));
            }
        });
    }

    private void answer(RoutingContext ctx, CompletableFuture<Long> applied) {
        Await.within(ctx, applied, timeoutMs, (clockMs, failure) -> {
            if (failure != null) {
                ctx.fail(failure);
            } else {
                Responses.json(ctx, 200, JsonViews.clock(clockMs));
            }
        }, () -> Responses.json(ctx, 202, JsonViews.clock(engine.nowMs())));
    }
}
