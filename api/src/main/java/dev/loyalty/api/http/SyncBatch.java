package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.journal.EventBatch;
import dev.loyalty.engine.journal.EventRecord;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * The lean synchronous {@code POST /events} requests of one event-loop turn, submitted together
 * ({@link LoyaltyEngine#submit(EventBatch)}): the first request of a turn schedules one task, which Netty runs
 * once the turn's reads are handled, and that task submits every request read meanwhile, so their new events
 * share one journal record (one queue write lock and one processor wake-up instead of one per request). Each
 * request is then answered from its own slot exactly as a lone submit would have answered it: its own seq and
 * outcome ({@link SyncReply}, {@link ReplyLoop#start}), a duplicate or mismatch, or its refusal. One per event
 * loop; this loop only.
 */
final class SyncBatch {

    private static final String KEY = SyncBatch.class.getName();
    /** A turn that reads more requests than this submits them in batches of this size (a bulk's record is larger). */
    static final int MAX_EVENTS = 128;

    private final Context context;
    private final ReplyLoop loop;
    private final EventRoutes routes;
    private final LoyaltyEngine engine;
    /** The batch requests join now. */
    private EventBatch events = new EventBatch();
    /**
     * Batches settled, for reuse. Settling answers requests, and answering one may make Vert.x dispatch the next
     * pipelined request of its connection at once, which joins {@link #events}: so a batch being settled is never
     * the one requests join (it is swapped out first), and flushes may nest.
     */
    private final EventBatch[] spares = new EventBatch[4];
    private int spareCount;
    private final Handler<Void> flusher = ignored -> flushScheduled();
    private boolean scheduled;

    private SyncBatch(Context context, ReplyLoop loop, EventRoutes routes, LoyaltyEngine engine) {
        this.context = context;
        this.loop = loop;
        this.routes = routes;
        this.engine = engine;
    }

    /** This event loop's batch (made at its first use); event loop only. */
    static SyncBatch of(EventRoutes routes, LoyaltyEngine engine, long syncTimeoutMs) {
        Context context = Vertx.currentContext();
        SyncBatch batch = context.get(KEY);
        if (batch == null) {
            batch = new SyncBatch(context, ReplyLoop.of(syncTimeoutMs), routes, engine);
            context.put(KEY, batch);
        }
        return batch;
    }

    /** The record to encode the next request's event into; it joins the batch with {@link #add}. */
    EventRecord next() {
        return events.next();
    }

    /** Adds the request whose event {@link #next} now holds; it is submitted and answered by the end of this turn. */
    void add(HttpServerRequest request) {
        events.add(loop.syncReply(request));
        if (events.count() >= MAX_EVENTS) {
            flush();
        } else if (!scheduled) {
            scheduled = true;
            context.runOnContext(flusher);
        }
    }

    private void flushScheduled() {
        scheduled = false;
        flush();
    }

    /** Submits the batch and answers or starts the wait of each of its requests. */
    private void flush() {
        EventBatch batch = events;
        int n = batch.count();
        if (n == 0) {
            return;
        }
        events = spareCount > 0 ? spares[--spareCount] : new EventBatch();
        try {
            engine.submit(batch);
        } catch (RuntimeException e) {
            // The engine tells every slot; a throw is a bug, but no request may be left unanswered by it.
            for (int i = 0; i < n; i++) {
                if (batch.failure(i) == null && batch.answer(i) == null && !batch.journaled(i)) {
                    batch.fail(i, e);
                }
            }
        }
        try {
            for (int i = 0; i < n; i++) {
                settle(batch, i);
            }
        } finally {
            batch.clear();
            if (spareCount < spares.length) {
                spares[spareCount++] = batch;
            }
        }
    }

    private void settle(EventBatch batch, int slot) {
        SyncReply reply = (SyncReply) batch.waiter(slot);
        HttpServerRequest request = reply.request;
        if (batch.journaled(slot)) {
            reply.seq = batch.record(slot).seq();
            reply.durable = engine.durable(reply.seq);
            loop.start(reply, reply.durable);
            return;
        }
        reply.unused(); // not registered with the engine (see LoyaltyEngine.submit(EventBatch))
        try {
            RuntimeException failure = batch.failure(slot);
            if (failure != null) {
                throw failure;
            }
            routes.answer(request, batch.answer(slot));
        } catch (RuntimeException e) {
            HttpErrors.fail(request, e);
        }
    }
}
