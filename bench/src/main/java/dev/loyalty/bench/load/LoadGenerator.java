package dev.loyalty.bench.load;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.RequestOptions;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Sends requests over its own keep-alive connections (one request at a time on each, as wrk does) and
 * records what came back, in one of two ways.
 * <ul>
 *   <li><b>Open loop</b> ({@code rate > 0}): request {@code i} is due at {@code start + i / rate}, whether
 *       or not earlier ones have been answered. One sending thread builds the due bodies and hands them in
 *       batches to the client's event loops, where they wait for a free connection. The latency clock starts
 *       at the <em>intended</em> send time, so time spent queued behind a slow server (or a busy client)
 *       counts against the server: no coordinated omission. Service time (from the actual write) is
 *       recorded beside it.</li>
 *   <li><b>Closed loop</b> ({@code rate == 0}): each connection sends its next request as soon as the
 *       previous one is answered; the rate is whatever the server sustains, latencies are service times.</li>
 * </ul>
 * Only requests intended inside the measured window (after the warm-up) are recorded; the achieved rate
 * counts answers that arrived inside it. Connections are spread over the event loops; each loop's
 * connections and queue are touched by that loop only. Recording is thread-safe (HdrHistogram
 * {@link Recorder}s, atomics).
 */
final class LoadGenerator {

    /** How a run is shaped. */
    record Plan(double rate, long warmupNs, long durationNs, int connections, int maxOutstanding, long drainNs) {
    }

    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(120);

    private final HttpClientAgent client;
    private final HttpConnectOptions connect;
    private final RequestOptions request;
    private final Supplier<byte[]> bodies;
    private final boolean bulk;
    private final Plan plan;
    private final List<Lanes> lanes = new ArrayList<>();

    private final Recorder responseRecorder = new Recorder(HIGHEST_NS, 3);
    private final Recorder serviceRecorder = new Recorder(HIGHEST_NS, 3);
    private final Histogram responseTotal = new Histogram(HIGHEST_NS, 3);
    private final Histogram serviceTotal = new Histogram(HIGHEST_NS, 3);
    private Histogram responseInterval;
    private Histogram serviceInterval;
    private final AtomicLongArray statuses = new AtomicLongArray(600);
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder answeredInWindow = new LongAdder();
    private final LongAdder answeredAll = new LongAdder();
    private final LongAdder measured = new LongAdder();
    private final LongAdder slotErrors = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder discarded = new LongAdder();
    private final AtomicInteger outstanding = new AtomicInteger();

    private volatile long startNs;
    private volatile long measureStartNs = Long.MAX_VALUE;
    private volatile long measureEndNs = Long.MAX_VALUE;
    private volatile long unfinished;
    /** Slice length of the window's timeline, 0 for none. */
    private long timelineSliceNs;
    private volatile Timeline timeline;

    /**
     * @param bodies makes request bodies; called from the sending thread (open loop) or the event loops
     *               (closed loop), so it must be safe for those (e.g. one mix per thread)
     * @param bulk   the answers are bulk answers (count their slot errors)
     */
    LoadGenerator(HttpClientAgent client, List<Context> contexts, HttpConnectOptions connect, RequestOptions request,
                  Supplier<byte[]> bodies, boolean bulk, Plan plan) {
        this.client = client;
        this.connect = connect;
        this.request = request;
        this.bodies = bodies;
        this.bulk = bulk;
        this.plan = plan;
        for (Context ctx : contexts) {
            lanes.add(new Lanes(ctx));
        }
    }

    /** Also records a {@link Timeline} of the window in slices of {@code sliceNs}; call before {@link #run()}. */
    void timeline(long sliceNs) {
        timelineSliceNs = sliceNs;
    }

    /** The window's timeline, or null when none was asked for. */
    Timeline timeline() {
        return timeline;
    }

    long measureStartNs() {
        return measureStartNs;
    }

    long measureEndNs() {
        return measureEndNs;
    }

    /** Opens the connections, then runs the whole plan (warm-up, window, drain) on the calling thread. */
    void run() throws Exception {
        List<Future<?>> opened = new ArrayList<>();
        for (int k = 0; k < plan.connections(); k++) {
            Lanes l = lanes.get(k % lanes.size());
            opened.add(Future.future(p -> l.ctx.runOnContext(v -> l.open().onComplete(p))));
        }
        Future.all(opened).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

        startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        measureStartNs = startNs + plan.warmupNs();
        measureEndNs = measureStartNs + plan.durationNs();
        if (timelineSliceNs > 0) {
            timeline = new Timeline(measureStartNs, plan.durationNs(), timelineSliceNs);
        }
        if (plan.rate() > 0) {
            openLoop();
        } else {
            for (Lanes l : lanes) {
                l.ctx.runOnContext(v -> l.startClosedLoop());
            }
            while (System.nanoTime() < measureEndNs) {
                LockSupport.parkNanos(measureEndNs - System.nanoTime());
            }
        }
        long drainDeadline = System.nanoTime() + plan.drainNs();
        while (outstanding.get() > 0 && System.nanoTime() < drainDeadline) {
            Thread.sleep(5);
        }
        unfinished = outstanding.get();
        for (Lanes l : lanes) {
            l.ctx.runOnContext(v -> l.closeAll());
        }
    }

    /**
     * Open loop. The first half of the warm-up ramps the rate up linearly from a tenth of it (the server's
     * and this client's JIT warm up without a backlog to work off); from then on request {@code i} is due
     * at exactly {@code rampEnd + (i - rampRequests) / rate}.
     */
    private void openLoop() {
        double rate = plan.rate();
        double rampS = plan.warmupNs() / 2e9;
        double startRate = rate / 10;
        double rampRequests = rampS * (startRate + rate) / 2;
        long rampEndNs = startNs + plan.warmupNs() / 2;
        long i = 0;
        int next = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= measureEndNs) {
                return;
            }
            long due;
            if (now < startNs) {
                due = 0;
            } else if (now < rampEndNs) {
                double e = (now - startNs) / 1e9;
                due = (long) (startRate * e + (rate - startRate) * e * e / (2 * rampS)) + 1;
            } else {
                due = (long) (rampRequests + (now - rampEndNs) / 1e9 * rate) + 1;
            }
            if (due > i) {
                int n = (int) Math.min(due - i, 20_000);
                long[] intended = new long[n];
                Buffer[] payloads = new Buffer[n];
                int k = 0;
                for (int j = 0; j < n; j++, i++) {
                    // during the ramp the intended time is now (warm-up answers are not recorded)
                    long t = i < rampRequests ? now : rampEndNs + (long) ((i - rampRequests) * 1e9 / rate);
                    if (outstanding.get() >= plan.maxOutstanding()) {
                        if (t >= measureStartNs) {
                            dropped.increment();
                        }
                        continue;
                    }
                    outstanding.incrementAndGet();
                    intended[k] = t;
                    payloads[k] = Buffer.buffer(bodies.get());
                    k++;
                }
                int count = k;
                if (count > 0) {
                    Lanes l = lanes.get(next++ % lanes.size());
                    l.ctx.runOnContext(v -> {
                        for (int j = 0; j < count; j++) {
                            l.submit(intended[j], payloads[j]);
                        }
                    });
                }
            }
            long nextNs = i < rampRequests ? System.nanoTime() + 50_000
                    : rampEndNs + (long) ((i - rampRequests) * 1e9 / rate);
            long sleep = nextNs - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(sleep);
            }
        }
    }

    /** The connections of one event loop and the requests waiting for one of them. That loop only. */
    private final class Lanes {
        final Context ctx;
        final ArrayDeque<HttpClientConnection> idle = new ArrayDeque<>();
        final ArrayDeque<Object[]> waiting = new ArrayDeque<>();
        final List<HttpClientConnection> all = new ArrayList<>();
        boolean closing;

        Lanes(Context ctx) {
            this.ctx = ctx;
        }

        Future<HttpClientConnection> open() {
            return client.connect(connect).onSuccess(c -> {
                all.add(c);
                c.closeHandler(v -> {
                    all.remove(c);
                    idle.remove(c);
                    if (!closing) {
                        reconnects.increment();
                        open().onSuccess(this::free);
                    }
                });
                idle.add(c);
            });
        }

        void startClosedLoop() {
            HttpClientConnection c;
            while ((c = idle.poll()) != null) {
                sendNext(c);
            }
        }

        /** Open loop: a due request; sent at once on a free connection, else queued. */
        void submit(long intendedNs, Buffer payload) {
            HttpClientConnection c = idle.poll();
            if (c == null) {
                waiting.add(new Object[] {intendedNs, payload});
            } else {
                send(c, intendedNs, payload);
            }
        }

        /**
         * A connection is free again: next queued request, or the next closed-loop request, or idle. Warm-up
         * requests still queued once the window has begun are discarded: the window starts without the
         * backlog of a cold start (a backlog built inside the window counts in full).
         */
        void free(HttpClientConnection c) {
            Object[] w = waiting.poll();
            while (w != null && (Long) w[0] < measureStartNs && System.nanoTime() >= measureStartNs) {
                discarded.increment();
                outstanding.decrementAndGet();
                w = waiting.poll();
            }
            if (w != null) {
                send(c, (Long) w[0], (Buffer) w[1]);
            } else if (plan.rate() <= 0) {
                sendNext(c);
            } else {
                idle.add(c);
            }
        }

        /** Closed loop: the next request on that connection, unless the window is over. */
        void sendNext(HttpClientConnection c) {
            long now = System.nanoTime();
            if (now >= measureEndNs) {
                idle.add(c);
                return;
            }
            outstanding.incrementAndGet();
            send(c, now, Buffer.buffer(bodies.get()));
        }

        void send(HttpClientConnection c, long intendedNs, Buffer payload) {
            long sentNs = System.nanoTime();
            c.request(request).compose(r -> r.send(payload)).onComplete(answered -> {
                if (answered.failed()) {
                    failed(intendedNs, answered.cause());
                    c.close(); // the close handler opens a replacement
                    return;
                }
                HttpClientResponse response = answered.result();
                response.body().onComplete(body -> {
                    if (body.failed()) {
                        failed(intendedNs, body.cause());
                        c.close();
                    } else {
                        answered(intendedNs, sentNs, response.statusCode(), body.result());
                        free(c);
                    }
                });
            });
        }

        void closeAll() {
            closing = true;
            for (HttpClientConnection c : new ArrayList<>(all)) {
                c.close();
            }
        }
    }

    private void answered(long intendedNs, long sentNs, int status, Buffer body) {
        long now = System.nanoTime();
        if (intendedNs >= measureStartNs) {
            responseRecorder.recordValue(Math.min(now - intendedNs, HIGHEST_NS));
            serviceRecorder.recordValue(Math.min(now - sentNs, HIGHEST_NS));
            statuses.incrementAndGet(Math.min(Math.max(status, 0), 599));
            measured.increment();
            Timeline tl = timeline;
            if (tl != null) {
                tl.record(intendedNs, sentNs, now);
            }
            if (bulk && status == 200) {
                slotErrors.add(bulkErrors(body));
            }
        }
        if (now >= measureStartNs && now < measureEndNs) {
            answeredInWindow.increment();
        }
        answeredAll.increment();
        outstanding.decrementAndGet();
    }

    private void failed(long intendedNs, Throwable cause) {
        if (intendedNs >= measureStartNs) {
            errors.computeIfAbsent(cause.getClass().getSimpleName(), k -> new LongAdder()).increment();
        }
        outstanding.decrementAndGet();
    }

    /** The {@code "errors":k} count near the start of a bulk answer, 0 when absent. */
    static long bulkErrors(Buffer body) {
        int limit = Math.min(body.length(), 64);
        byte[] key = {'"', 'e', 'r', 'r', 'o', 'r', 's', '"', ':'};
        outer:
        for (int i = 0; i + key.length <= limit; i++) {
            for (int j = 0; j < key.length; j++) {
                if (body.getByte(i + j) != key[j]) {
                    continue outer;
                }
            }
            long n = 0;
            for (int p = i + key.length; p < body.length(); p++) {
                byte c = body.getByte(p);
                if (c < '0' || c > '9') {
                    break;
                }
                n = n * 10 + (c - '0');
            }
            return n;
        }
        return 0;
    }

    // ---------------------------------------------------------------- reading the figures

    /** Moves what was recorded since the last call into the totals; returns this interval's response times. */
    synchronized Histogram interval() {
        responseInterval = responseRecorder.getIntervalHistogram(responseInterval);
        serviceInterval = serviceRecorder.getIntervalHistogram(serviceInterval);
        responseTotal.add(responseInterval);
        serviceTotal.add(serviceInterval);
        return responseInterval;
    }

    Histogram responseTimes() {
        return responseTotal;
    }

    Histogram serviceTimes() {
        return serviceTotal;
    }

    int outstanding() {
        return outstanding.get();
    }

    long answeredInWindow() {
        return answeredInWindow.sum();
    }

    /** Answers so far, warm-up included (progress lines). */
    long answeredAll() {
        return answeredAll.sum();
    }

    long measured() {
        return measured.sum();
    }

    long slotErrors() {
        return slotErrors.sum();
    }

    long dropped() {
        return dropped.sum();
    }

    /** Warm-up requests still queued when the window began, not sent. */
    long discarded() {
        return discarded.sum();
    }

    long reconnects() {
        return reconnects.sum();
    }

    long unfinished() {
        return unfinished;
    }

    /** Status → count, for requests intended in the window. */
    Map<Integer, Long> statuses() {
        Map<Integer, Long> out = new TreeMap<>();
        for (int s = 0; s < statuses.length(); s++) {
            long n = statuses.get(s);
            if (n > 0) {
                out.put(s, n);
            }
        }
        return out;
    }

    /** Failure (exception class) → count, for requests intended in the window. */
    Map<String, Long> errors() {
        Map<String, Long> out = new TreeMap<>();
        errors.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
