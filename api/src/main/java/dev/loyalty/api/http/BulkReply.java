package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.event.ValidationError;
import dev.loyalty.engine.processor.OutcomeWaiter;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.CompletableFuture;

/**
 * The answer of one synchronous {@code POST /events/bulk} on the lean path: one wait on the request's
 * {@link ReplyLoop} for the whole bulk, told by each event's {@link Slot} (the engine's waiter of that
 * event's outcome) and answered once every outcome came and the journal is durable, or at
 * {@code api.sync-timeout}, whichever is first; the slots are rendered straight from the outcomes as they
 * stand (not applied yet: {@code accepted}). Per event only its small waiter (the processors keep one per seq):
 * no future, combined future, {@code Submission} or slot view.
 */
final class BulkReply extends ReplyLoop.Wait {

    private final int total;
    /** Each slot's validation error (null: valid), or null when every slot is valid. */
    private final ValidationError[] invalid;
    private final Slot[] slots;
    long firstSeq;
    CompletableFuture<Void> durable;

    /** The waiter of one event's outcome, telling its bulk. */
    static final class Slot extends OutcomeWaiter {
        private final BulkReply bulk;
        /** Written on the processor thread before the signal; read on the loop (at the answer, or the timeout's). */
        private volatile EventResult result;
        private volatile Throwable failure;

        Slot(BulkReply bulk) {
            this.bulk = bulk;
        }

        @Override
        protected void completed(EventResult r) {
            result = r;
            bulk.signal();
        }

        @Override
        protected void failed(Throwable cause) {
            failure = cause;
            bulk.signal();
        }
    }

    /** A bulk of {@code total} slots, {@code events} of them valid (to journal). */
    BulkReply(ReplyLoop loop, RoutingContext ctx, int total, ValidationError[] invalid, int events) {
        super(loop, ctx, events);
        this.total = total;
        this.invalid = invalid;
        this.slots = new Slot[events];
        for (int j = 0; j < events; j++) {
            slots[j] = new Slot(this);
        }
    }

    /** The waiter of each valid event, in order: what the engine registers. */
    OutcomeWaiter[] waiters() {
        return slots;
    }

    @Override
    public void run() {
        if (!durable.isDone()) {
            EventRoutes.notDurable(ctx, null);
            return;
        }
        if (durable.isCompletedExceptionally()) {
            EventRoutes.notDurable(ctx, Await.failureOf(durable));
            return;
        }
        EventResult[] results = new EventResult[slots.length];
        for (int j = 0; j < slots.length; j++) {
            results[j] = slots[j].result;
            if (results[j] == null && slots[j].failure != null) {
                HttpErrors.noOutcome(slots[j].failure);
            }
        }
        Responses.pooled(ctx, 200, JsonViews.bulkPooled(total, invalid, firstSeq, results));
    }
}
