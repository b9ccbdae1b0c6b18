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
    private final EventBatch events = new EventBatch();
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
        int n = events.count();
        if (n == 0) {
            return;
        }
        try {
            engine.submit(events);
        } catch (RuntimeException e) {
            // The engine tells every slot; a throw is a bug, but no request may be left unanswered by it.
            for (int i = 0; i < n; i++) {
                if (events.failure(i) == null && events.answer(i) == null && !events.journaled(i)) {
                    events.fail(i, e);
                }
            }
        }
        try {
            for (int i = 0; i < n; i++) {
                settle(i);
            }
        } finally {
            events.clear();
        }
    }

    private void settle(int slot) {
        SyncReply reply = (SyncReply) events.waiter(slot);
        HttpServerRequest request = reply.request;
        if (events.journaled(slot)) {
            reply.seq = events.record(slot).seq();
            reply.durable = engine.durable(reply.seq);
            loop.start(reply, reply.durable);
            return;
        }
        reply.unused(); // not registered with the engine (see LoyaltyEngine.submit(EventBatch))
        try {
            RuntimeException failure = events.failure(slot);
            if (failure != null) {
                throw failure;
            }
            routes.answer(request, events.answer(slot));
        } catch (RuntimeException e) {
            HttpErrors.fail(request, e);
        }
    }
}
