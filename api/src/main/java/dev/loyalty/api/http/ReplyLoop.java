package dev.loyalty.api.http;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * The requests of one event loop waiting for engine futures, answered without per-request machinery: a
 * future completed on an engine thread puts its wait on this loop's multi-producer queue, and only the
 * first completion of a burst (a processor completes a whole batch at once) schedules one
 * {@code runOnContext} that answers them all; one periodic sweep per loop answers the waits whose
 * deadline passed, instead of a timer per request. Every wait has the same timeout, so the list of open
 * waits, appended in arrival order, is in deadline order: the sweep looks at its head only.
 * Created per event-loop context by {@link #of}; everything but {@link #completed} runs on that loop.
 */
final class ReplyLoop {

    private static final String KEY = ReplyLoop.class.getName();

    private final Context context;
    private final long timeoutNs;
    /** Waits whose future completed, from engine threads (many producers, this loop consumes). */
    private final ConcurrentLinkedQueue<Wait> completedWaits = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** One handler for every drain: a burst's wake-up allocates no lambda. */
    private final Handler<Void> drainer = v -> drain();
    /** Open waits, oldest (first deadline) at the head; a doubly-linked list so a completed one leaves in O(1). */
    private Wait head;
    private Wait tail;

    /**
     * One wait: answered once, by its completion or by the sweep, whichever comes first. It is its own
     * completion callback, so a wait costs one object, not one more per lambda.
     */
    private final class Wait implements BiConsumer<Object, Throwable> {
        final RoutingContext ctx;
        final Runnable settle;
        final long deadlineNs;
        Wait prev;
        Wait next;
        boolean open = true;

        Wait(RoutingContext ctx, Runnable settle, long deadlineNs) {
            this.ctx = ctx;
            this.settle = settle;
            this.deadlineNs = deadlineNs;
        }

        /** Engine thread: the awaited future completed. */
        @Override
        public void accept(Object value, Throwable failure) {
            completed(this);
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
        Wait w = new Wait(ctx, settle, System.nanoTime() + timeoutNs);
        link(w);
        future.whenComplete(w);
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
            answer(head);
        }
    }

    private void answer(Wait w) {
        if (!w.open) {
            return;
        }
        w.open = false;
        unlink(w);
        Await.guarded(w.ctx, w.settle);
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
