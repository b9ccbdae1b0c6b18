package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.event.ValidationError;
import dev.loyalty.engine.processor.OutcomeWaiter;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.BiConsumer;

/**
 * The requests of one event loop waiting for engine futures, answered without per-request machinery: a
 * future completed on an engine thread puts its wait on this loop's multi-producer queue, and only the
 * first completion of a burst (a processor completes a whole batch at once) schedules one
 * {@code runOnContext} that answers them all; one periodic sweep per loop answers the waits whose
 * deadline passed, instead of a timer per request. Every wait has the same timeout, so the list of open
 * waits, appended in arrival order, is in deadline order: the sweep looks at its head only.
 * A synchronous single event's wait is also the engine's waiter of its outcome ({@link #start}): the
 * processor tells it directly, so that request has no future at all.
 * Created per event-loop context by {@link #of}; everything but {@link #completed} runs on that loop.
 */
final class ReplyLoop {

    private static final String KEY = ReplyLoop.class.getName();
    /** Sync replies kept per loop: more than a loop has in flight at once on any bench here (wrk -c50). */
    private static final int SPARE_REPLIES = 256;
    /** Bulk replies kept per loop: more than a loop has in flight on the bulk row (8 connections, two loops). */
    private static final int SPARE_BULKS = 32;
    /**
     * Slots the kept bulk replies may hold together per loop, each with its facts (~1 KB): a few MB at most,
     * however large the bulks ({@code api.bulk-max}).
     */
    private static final int SPARE_BULK_SLOTS = 4096;

    private final Context context;
    private final long timeoutNs;
    /** Waits whose future completed, from engine threads (many producers, this loop consumes). */
    private final ConcurrentLinkedQueue<Wait> completedWaits = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** One handler for every drain: a burst's wake-up allocates no lambda. */
    private final Handler<Void> drainer = v -> drain();
    /** Settled {@link SyncReply}s of this loop, for its next sync requests (this loop only). */
    private final SyncReply[] spareReplies = new SyncReply[SPARE_REPLIES];
    private int spareCount;
    /** Settled {@link BulkReply}s of this loop, for its next bulks (this loop only). */
    private final BulkReply[] spareBulks = new BulkReply[SPARE_BULKS];
    private int spareBulkCount;
    private int spareBulkSlots;
    /** Open waits, oldest (first deadline) at the head; a doubly-linked list so a completed one leaves in O(1). */
    private Wait head;
    private Wait tail;

    /**
     * One wait: answered once, by its completion or by the sweep, whichever comes first; answering runs
     * {@link #run}. It is its own completion callback (of a future, or as the engine's {@link OutcomeWaiter}
     * on the lean path, see {@link #start}), so a wait costs one object, not one more per lambda; a subclass
     * may be its own answer too (override {@link #run}).
     */
    static class Wait extends OutcomeWaiter implements BiConsumer<Object, Throwable>, Runnable {
        private static final AtomicIntegerFieldUpdater<Wait> SIGNALS =
                AtomicIntegerFieldUpdater.newUpdater(Wait.class, "signals");

        private final ReplyLoop loop;
        /**
         * The router's context of the request, or null for one answered without the router ({@link DirectEvents});
         * final but for a reused wait ({@link #reuse(RoutingContext, int)}).
         */
        RoutingContext ctx;
        /** The request answered; final but for a reused wait ({@link #reuse}). */
        HttpServerRequest request;
        private final Runnable settle;
        private long deadlineNs;
        private Wait prev;
        private Wait next;
        private boolean open = true;
        /** Answered by the sweep, not by its completion. */
        private boolean late;
        /** Lean path: signals still to come before the wait is complete (the outcome, {@link #start}, durability). */
        private volatile int signals = 2;
        /** Lean path: the outcome or the failure, written before the signal that hands the wait to the loop. */
        private EventResult outcome;
        private Throwable failure;

        /** A wait answered by {@code settle} (null when a subclass overrides {@link #run}). */
        Wait(ReplyLoop loop, RoutingContext ctx, Runnable settle) {
            this.loop = loop;
            this.ctx = ctx;
            this.request = ctx.request();
            this.settle = settle;
        }

        /** A wait of a request answered without the router: what the answer throws is mapped by {@link HttpErrors#fail}. */
        Wait(ReplyLoop loop, HttpServerRequest request, Runnable settle) {
            this.loop = loop;
            this.ctx = null;
            this.request = request;
            this.settle = settle;
        }

        /**
         * A lean wait complete after {@code outcomes} calls of {@link #signal} besides {@link #start}'s (a bulk:
         * one per event, from its events' own waiters); answered by {@link #run}.
         */
        Wait(ReplyLoop loop, RoutingContext ctx, int outcomes) {
            this(loop, ctx, null);
            this.signals = outcomes + 1;
        }

        /** Engine thread: the awaited future completed. */
        @Override
        public void accept(Object value, Throwable failure) {
            loop.completed(this);
        }

        /** Processor thread: the outcome of the event this wait was registered for (lean path). */
        @Override
        protected void completed(EventResult result) {
            outcome = result;
            signal();
        }

        /** Processor or engine thread: no outcome will come (lean path). */
        @Override
        protected void failed(Throwable cause) {
            failure = cause;
            signal();
        }

        /** One of the signals the wait waits for came; the last one hands it to its loop. Any thread. */
        final void signal() {
            if (SIGNALS.decrementAndGet(this) == 0) {
                loop.completed(this);
            }
        }

        /**
         * Lean path: whether every signal came (outcome or failure, durability); a volatile read, so what the
         * signalling threads wrote before is visible, and none of them touches the wait any more.
         */
        final boolean settled() {
            return signals == 0;
        }

        /**
         * Readies a settled lean wait, answered, for another request of the same loop (a {@link SyncReply}
         * kept for reuse): no engine thread holds it any more ({@link #settled}).
         */
        final void reuse(HttpServerRequest next) {
            reset();
            request = next;
            open = true;
            late = false;
            outcome = null;
            failure = null;
            signals = 2; // volatile, last: publishes the rest with the wait's registration
        }

        /**
         * {@link #reuse(HttpServerRequest)} for a lean wait of the router's request {@code next} complete after
         * {@code outcomes} signals besides {@link #start}'s (a {@link BulkReply} kept for reuse).
         */
        final void reuse(RoutingContext next, int outcomes) {
            reset();
            ctx = next;
            request = next.request();
            open = true;
            late = false;
            outcome = null;
            failure = null;
            signals = outcomes + 1; // volatile, last: publishes the rest with the wait's registration
        }

        /**
         * Whether the sweep answered it (deadline passed): then its last signal, if any came, may still be on the
         * loop's queue, so the wait is not reused.
         */
        final boolean late() {
            return late;
        }

        /** Lean path, once answered: the outcome, null when none came in time or it failed. */
        final EventResult outcome() {
            return outcome;
        }

        /** Lean path, once answered: why no outcome will come, or null. */
        final Throwable failure() {
            return failure;
        }

        /** Answers the request (on the loop); what it throws fails the request. */
        @Override
        public void run() {
            settle.run();
        }
    }

    private ReplyLoop(Context context, long timeoutMs) {
        this.context = context;
        this.timeoutNs = timeoutMs * 1_000_000L;
        // A quarter of the timeout, at most 10 ms: a wait is answered at most that late after its deadline.
        long sweepMs = Math.max(1, Math.min(10, timeoutMs / 4));
        context.owner().setPeriodic(sweepMs, id -> sweep());
    }

    /** This event loop's instance (made at its first use); event loop only. */
    static ReplyLoop of(long timeoutMs) {
        Context context = Vertx.currentContext();
        ReplyLoop loop = context.get(KEY);
        if (loop == null) {
            loop = new ReplyLoop(context, timeoutMs);
            context.put(KEY, loop);
        }
        return loop;
    }

    /**
     * Runs {@code settle} on this loop once {@code future} completes or the timeout passes, whichever is
     * first (at once when it is already complete); {@code settle} reads the futures as they stand. What it
     * throws fails the request.
     */
    void await(RoutingContext ctx, CompletableFuture<?> future, Runnable settle) {
        if (future.isDone()) {
            Await.guarded(ctx, settle);
            return;
        }
        open(new Wait(this, ctx, settle), future);
    }

    /** {@link #await(RoutingContext, CompletableFuture, Runnable)} for a request answered without its router context. */
    void await(HttpServerRequest request, CompletableFuture<?> future, Runnable settle) {
        if (future.isDone()) {
            Await.guarded(request, settle);
            return;
        }
        open(new Wait(this, request, settle), future);
    }

    private void open(Wait w, CompletableFuture<?> future) {
        w.deadlineNs = System.nanoTime() + timeoutNs;
        link(w);
        future.whenComplete(w);
    }

    /**
     * Lean path: {@code w} (made for this loop) was registered with the engine as the waiter of its event's
     * outcome (it may have come already); answers it once that outcome came and {@code durable} completed, or
     * the timeout passed, whichever is first. Call once, on this loop, after the engine's submit returned.
     */
    void start(Wait w, CompletableFuture<Void> durable) {
        w.deadlineNs = System.nanoTime() + timeoutNs;
        if (!durable.isDone()) {
            Wait.SIGNALS.incrementAndGet(w);
            durable.whenComplete((v, e) -> w.signal()); // journal.sync batch only: none is durable at once
        }
        link(w);
        if (Wait.SIGNALS.decrementAndGet(w) == 0) {
            answer(w); // the outcome came during the submit: no hop at all
        }
    }

    /** A settled sync reply of this loop for {@code request}, else a new one; this loop only. */
    SyncReply syncReply(HttpServerRequest request) {
        if (spareCount == 0) {
            return new SyncReply(this, request);
        }
        SyncReply r = spareReplies[--spareCount];
        spareReplies[spareCount] = null;
        r.reuse(request);
        return r;
    }

    /** Keeps {@code r} (settled and answered, or never registered with the engine) for a later request. */
    void spare(SyncReply r) {
        if (spareCount < SPARE_REPLIES) {
            r.request = null; // let go of the connection meanwhile
            spareReplies[spareCount++] = r;
        }
    }

    /**
     * A settled bulk reply of this loop for the sync bulk {@code ctx} ({@code total} slots, {@code events} of them
     * valid), else a new one; this loop only.
     */
    BulkReply bulkReply(RoutingContext ctx, int total, ValidationError[] invalid, int events) {
        if (spareBulkCount == 0) {
            return new BulkReply(this, ctx, total, invalid, events);
        }
        BulkReply r = spareBulks[--spareBulkCount];
        spareBulks[spareBulkCount] = null;
        spareBulkSlots -= r.capacity();
        r.again(ctx, total, invalid, events);
        return r;
    }

    /** Keeps {@code r} (settled and answered) for a later bulk. */
    void spare(BulkReply r) {
        if (spareBulkCount < SPARE_BULKS && spareBulkSlots + r.capacity() <= SPARE_BULK_SLOTS) {
            r.ctx = null; // let go of the request meanwhile
            r.request = null;
            spareBulks[spareBulkCount++] = r;
            spareBulkSlots += r.capacity();
        }
    }

    /** Engine thread: hands the wait to this loop, waking it only when no drain is scheduled yet. */
    private void completed(Wait w) {
        completedWaits.offer(w);
        if (drainScheduled.compareAndSet(false, true)) {
            context.runOnContext(drainer);
        }
    }

    private void drain() {
        // Cleared first: a completion offered after this point schedules another drain, never gets lost.
        drainScheduled.set(false);
        for (Wait w = completedWaits.poll(); w != null; w = completedWaits.poll()) {
            answer(w);
        }
    }

    private void sweep() {
        long nowNs = System.nanoTime();
        while (head != null && head.deadlineNs - nowNs <= 0) {
            head.late = true;
            answer(head);
        }
    }

    private void answer(Wait w) {
        if (!w.open) {
            return;
        }
        w.open = false;
        unlink(w);
        if (w.ctx != null) {
            Await.guarded(w.ctx, w);
        } else {
            Await.guarded(w.request, w);
        }
    }

    private void link(Wait w) {
        w.prev = tail;
        if (tail == null) {
            head = w;
        } else {
            tail.next = w;
        }
        tail = w;
    }

    private void unlink(Wait w) {
        if (w.prev == null) {
            head = w.next;
        } else {
            w.prev.next = w.next;
        }
        if (w.next == null) {
            tail = w.prev;
        } else {
            w.next.prev = w.prev;
        }
        w.prev = null;
        w.next = null;
    }
}
