package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.event.ValidationError;
import dev.loyalty.engine.processor.OutcomeFacts;
import dev.loyalty.engine.processor.OutcomeWaiter;
import io.vertx.ext.web.RoutingContext;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The answer of one synchronous {@code POST /events/bulk} on the lean path: one wait on the request's
 * {@link ReplyLoop} for the whole bulk, told by each event's {@link Slot} (the engine's waiter of that
 * event's outcome) and answered once every outcome came and the journal is durable, or at
 * {@code api.sync-timeout}, whichever is first; the slots are rendered straight from the outcomes as they
 * stand (not applied yet: {@code accepted}). Each slot has its own {@link OutcomeFacts}, which the processor
 * writes instead of building an outcome, entry list, customer view, map and account views per event (as for a
 * {@link SyncReply}); a settled reply is kept by its loop with its slots for a later bulk
 * ({@link ReplyLoop#bulkReply}), so a bulk's events make no object at all once the loop has its replies.
 */
final class BulkReply extends ReplyLoop.Wait {

    private final ReplyLoop loop;
    private int total;
    /** Each slot's validation error (null: valid), or null when every slot is valid. */
    private ValidationError[] invalid;
    /** Valid events of this bulk: the first {@code events} of {@link #slots} are registered. */
    private int events;
    private Slot[] slots;
    /** Per answer, the outcome of each event as told (reused: a bulk's answer makes no array). */
    private OutcomeFacts[] told;
    private EventResult[] results;
    long firstSeq;
    CompletableFuture<Void> durable;

    /** The waiter of one event's outcome, telling its bulk. */
    static final class Slot extends OutcomeWaiter {
        private final BulkReply bulk;
        private final OutcomeFacts facts = new OutcomeFacts();
        /** Set on the processor thread after it wrote {@link #facts}, before the signal; read on the loop. */
        private volatile boolean factsTold;
        /** An outcome told as an object (not through the facts); written before the signal. */
        private volatile EventResult result;
        private volatile Throwable failure;

        Slot(BulkReply bulk) {
            this.bulk = bulk;
        }

        @Override
        protected OutcomeFacts facts() {
            return facts;
        }

        @Override
        protected void completedFacts() {
            factsTold = true;
            bulk.signal();
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

        /** Readies a slot of a settled bulk for another event: no engine thread holds it. */
        void again() {
            reset();
            factsTold = false;
            result = null;
            failure = null;
        }
    }

    /** A bulk of {@code total} slots, {@code events} of them valid (to journal), answered on {@code loop}. */
    BulkReply(ReplyLoop loop, RoutingContext ctx, int total, ValidationError[] invalid, int events) {
        super(loop, ctx, events);
        this.loop = loop;
        this.slots = new Slot[0];
        ready(total, invalid, events);
    }

    /** Sizes the reply for a bulk (its slots told nothing yet). */
    private void ready(int bulkTotal, ValidationError[] bulkInvalid, int bulkEvents) {
        total = bulkTotal;
        invalid = bulkInvalid;
        events = bulkEvents;
        firstSeq = -1;
        durable = null;
        if (slots.length < bulkEvents) {
            int had = slots.length;
            slots = Arrays.copyOf(slots, bulkEvents);
            for (int j = had; j < bulkEvents; j++) {
                slots[j] = new Slot(this);
            }
            told = new OutcomeFacts[bulkEvents];
            results = new EventResult[bulkEvents];
        }
    }

    /** A settled reply of this loop, answered, readied for another bulk ({@link ReplyLoop#bulkReply}). */
    void again(RoutingContext next, int bulkTotal, ValidationError[] bulkInvalid, int bulkEvents) {
        for (int j = 0; j < events; j++) {
            slots[j].again();
        }
        ready(bulkTotal, bulkInvalid, bulkEvents);
        reuse(next, bulkEvents); // last: publishes the rest with the wait's registration
    }

    /** Slots this reply holds (each with its facts), at least its bulk's events. */
    int capacity() {
        return slots.length;
    }

    /** The waiter of each valid event, in order (the first {@code events} of them): what the engine registers. */
    OutcomeWaiter[] waiters() {
        return slots;
    }

    @Override
    public void run() {
        // Read first (volatile): once settled, every slot was told and no engine thread holds the reply.
        boolean settled = settled() && !late();
        try {
            answer();
        } finally {
            Arrays.fill(told, 0, events, null);
            Arrays.fill(results, 0, events, null);
            if (settled) {
                loop.spare(this);
            }
        }
    }

    private void answer() {
        if (!durable.isDone()) {
            EventRoutes.notDurable(ctx, null);
            return;
        }
        if (durable.isCompletedExceptionally()) {
            EventRoutes.notDurable(ctx, Await.failureOf(durable));
            return;
        }
        for (int j = 0; j < events; j++) {
            Slot s = slots[j];
            // factsTold first (volatile): then the facts are whole and stay as they are (told once).
            told[j] = s.factsTold ? s.facts : null;
            results[j] = s.result;
            if (told[j] == null && results[j] == null && s.failure != null) {
                HttpErrors.noOutcome(s.failure);
            }
        }
        Responses.pooled(ctx, 200, JsonViews.bulkPooled(total, invalid, firstSeq, results, told));
    }
}
