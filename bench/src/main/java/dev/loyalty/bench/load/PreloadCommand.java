package dev.loyalty.bench.load;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code preload}: creates customers {@code c-0 .. c-(n-1)} with asynchronous bulks ({@code opt_in} and,
 * unless {@code --points 0}, a {@code point_add}), retrying bulks answered {@code 429}, then waits until the
 * engine has applied them. Ends with a {@code RESULT} line.
 */
@Command(name = "preload", mixinStandardHelpOptions = true,
        description = "Create customers c-0 .. c-(n-1) through bulk opt_ins and wait until they are applied.")
final class PreloadCommand implements Callable<Integer> {

    @Mixin
    Target target;

    @Option(names = "--customers", required = true, description = "How many customers.")
    long customers;

    @Option(names = "--points", description = "Points given to each (0: none) (default ${DEFAULT-VALUE}).")
    long points = 500;

    @Option(names = "--per-bulk", description = "Customers per bulk request (default ${DEFAULT-VALUE}; "
            + "two events each with points, within api.bulk-max).")
    int perBulk = 500;

    @Option(names = "--wait-timeout", description = "Longest wait for the engine to "
            + "apply everything after sending (default 10m).")
    java.time.Duration waitTimeout = java.time.Duration.ofMinutes(10);

    private final AtomicLong nextFrom = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    @Override
    public Integer call() throws Exception {
        Target t = target;
        long startNs = System.nanoTime();
        try (t) {
            t.connections = Math.min(t.connections, 4);
            t.open();
            RequestOptions request = t.post("/events/bulk?mode=async");
            CompletableFuture<?>[] workers = new CompletableFuture<?>[t.connections];
            for (int k = 0; k < workers.length; k++) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                workers[k] = done;
                Context ctx = t.contexts().get(k % t.contexts().size());
                ctx.runOnContext(v -> sendNext(t.client(), request, ctx, done));
            }
            CompletableFuture.allOf(workers).get(waitTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (failure.get() != null) {
                System.err.println("preload failed: " + failure.get());
                return 1;
            }
            long sentNs = System.nanoTime();
            EngineProbe probe = t.probe(true);
            long deadline = sentNs + waitTimeout.toNanos();
            EngineProbe.Sample s = probe.sample();
            double target = s.journalLastSeq();
            while (true) {
                // On Kafka seqs are per partition (partition * 2^43 + offset): the lowest applied seq never reaches
                // the highest journaled one, so no lag on any partition served by this node is the test there.
                boolean applied = t.management != null
                        ? s.minAppliedSeq() >= target || s.maxLag() == 0
                        : s.members() >= customers;
                if (applied) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    System.err.printf("preload: the engine did not apply everything within %s (%s)%n", waitTimeout, s);
                    return 1;
                }
                Thread.sleep(100);
                s = probe.sample();
            }
            double seconds = (System.nanoTime() - startNs) / 1e9;
            System.out.printf(Locale.ROOT, "preloaded %d customers (%d events, %d bulks retried after 429) in %.1f s "
                            + "(sent in %.1f s): %.0f events/s applied%n",
                    customers, events.get(), retries.get(), seconds, (sentNs - startNs) / 1e9, events.get() / seconds);
            System.out.printf(Locale.ROOT, "RESULT label=preload customers=%d events=%d seconds=%.3f events_per_s=%.0f "
                    + "members=%d%n", customers, events.get(), seconds, events.get() / seconds, s.members());
        }
        return 0;
    }

    /** Sends the next slice of customers on this worker; completes {@code done} when none is left. */
    private void sendNext(HttpClient client, RequestOptions request, Context ctx, CompletableFuture<Void> done) {
        if (failure.get() != null) {
            done.complete(null);
            return;
        }
        long from = nextFrom.getAndAdd(perBulk);
        if (from >= customers) {
            done.complete(null);
            return;
        }
        int n = (int) Math.min(perBulk, customers - from);
        Buffer body = Buffer.buffer(EventMix.preloadBulk(from, n, points));
        send(client, request, ctx, body, n * (points > 0 ? 2L : 1L), done);
    }

    private void send(HttpClient client, RequestOptions request, Context ctx, Buffer body, long eventCount,
                      CompletableFuture<Void> done) {
        client.request(request).compose(r -> r.send(body)).onComplete(answered -> {
            if (answered.failed()) {
                failure.compareAndSet(null, answered.cause());
                done.complete(null);
                return;
            }
            HttpClientResponse response = answered.result();
            response.body().onComplete(read -> {
                int status = response.statusCode();
                if (status == 429 || status == 503) {
                    // the processors are too far behind (or the engine is not ready yet): wait, send it again
                    retries.incrementAndGet();
                    ctx.owner().setTimer(100, id -> send(client, request, ctx, body, eventCount, done));
                } else if (status != 200) {
                    failure.compareAndSet(null, new IllegalStateException("bulk answered " + status + ": "
                            + (read.succeeded() ? read.result().toString() : read.cause().toString())));
                    done.complete(null);
                } else {
                    events.addAndGet(eventCount);
                    sendNext(client, request, ctx, done);
                }
            });
        });
    }
}
