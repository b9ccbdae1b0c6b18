package dev.loyalty.bench;

import dev.loyalty.api.http.ApiServer;
import dev.loyalty.bench.baseline.BareServer;
import dev.loyalty.engine.Engine;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The whole HTTP request path in process, for {@code -prof gc} (bytes allocated per request): the real
 * {@link ApiServer} router with the engine on a fresh temporary data folder ({@code customers} loaded), and
 * a blocking HTTP/1.1 client on loopback ({@link LoopbackClient}, allocation-free itself) posting checkouts one at a time: {@code sync}, {@code async}
 * ({@code ?mode=async}) and {@code bulk100} (100 checkouts per {@code POST /events/bulk}, score per slot).
 * {@code bare} posts the same body to the bench's bare endpoint in the same JVM: the client's and Vert.x's
 * own share, so "engine path minus bare" is what the engine's request handling allocates. Each iteration also
 * prints a {@code cpu-split} line: µs of CPU per request by thread role ({@link CpuSplit}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 3, time = 4)
@Fork(1)
public class RequestPathBenchmark {

    @Param({"20000"})
    public int customers;

    /** The shipped configuration's development key. */
    private static final String KEY = "dev-key";

    private Path dir;
    private LoyaltyEngine engine;
    private Vertx vertx;
    private LoopbackClient api;
    private LoopbackClient bare;
    private final StringBuilder body = new StringBuilder(40_000);
    private long transactions;
    /** Requests (bulk: slots) posted in the current iteration, for {@link CpuSplit}. */
    private long operations;
    private final CpuSplit cpu = new CpuSplit();

    @Setup(Level.Trial)
    public void start() throws Exception {
        dir = Files.createTempDirectory("request-bench");
        int apiPort = freePort();
        int barePort = freePort();
        while (barePort == apiPort) { // the OS may hand out the same free port twice in a row
            barePort = freePort();
        }
        engine = Engine.start(Fixtures.engineConfig(Map.of("data-dir", dir.toString(),
                "api.host", "127.0.0.1", "api.port", Integer.toString(apiPort))), new SimpleMeterRegistry());
        engine.serving(); // as the program does once it listens: the id filter scan may start when ready
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!engine.ready()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the engine did not get ready within 30 s");
            }
            Thread.sleep(10);
        }
        for (int from = 0; from < customers; from += 500) {
            List<Submitted> load = new ArrayList<>(1000);
            for (int i = from; i < Math.min(customers, from + 500); i++) {
                load.add(new Submitted(Fixtures.optIn("c-" + i), 0));
                load.add(new Submitted(Fixtures.pointAdd("c-" + i, 5000), 0));
            }
            engine.submit(load, true).forEach(s -> s.result().join());
        }
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        join(new ApiServer(engine, new SimpleMeterRegistry()).deploy(vertx, 1, 1000));
        join(BareServer.deploy(vertx, barePort, 1));
        api = new LoopbackClient(apiPort, KEY);
        bare = new LoopbackClient(barePort, KEY);
    }

    /** Writes one checkout body (a new transaction and idempotency id each time) into {@code body}. */
    private void checkout(StringBuilder body) {
        long n = ++transactions;
        body.append("{\"customer\":\"c-").append(ThreadLocalRandom.current().nextInt(customers))
                .append("\",\"action\":\"checkout\",\"id\":\"b-e").append(n)
                .append("\",\"data\":{\"transaction_id\":\"b-t").append(n)
                .append("\",\"items\":[{\"product_id\":\"sku-1\",\"price\":19.99,\"quantity\":2},")
                .append("{\"product_id\":\"sku-2\",\"price\":45.50,\"quantity\":1,\"discount\":5.00}]}}");
    }

    private int post(LoopbackClient to, String path) {
        operations++;
        body.setLength(0);
        checkout(body);
        return to.post(path, body);
    }
    /** {@code POST /events}, answered with the outcome. */
    @Benchmark
    public int sync() {
        return post(api, "/events");
    }

    /** {@code POST /events?mode=async}, answered {@code accepted} once journaled. */
    @Benchmark
    public int async() {
        return post(api, "/events?mode=async");
    }

    /** {@code POST /events/bulk} of 100 checkouts, answered with every slot's outcome; score per slot. */
    @Benchmark
    @OperationsPerInvocation(100)
    public int bulk100() {
        body.setLength(0);
        body.append("{\"events\":[");
        for (int i = 0; i < 100; i++) {
            if (i > 0) {
                body.append(',');
            }
            checkout(body);
        }
        operations += 100;
        return api.post("/events/bulk", body.append("]}"));
    }

    @Setup(Level.Iteration)
    public void startCpu() {
        operations = 0;
        cpu.start();
    }

    /** Prints this iteration's CPU per request by thread role (a {@code cpu-split} line in the JMH output). */
    @TearDown(Level.Iteration)
    public void printCpu(BenchmarkParams params) {
        String name = params.getBenchmark();
        cpu.print(name.substring(name.lastIndexOf('.') + 1), operations);
    }

    /** The same sync body to the bare endpoint (canned answer): the client's and the HTTP layer's share. */
    @Benchmark
    public int bare() {
        return post(bare, "/events");
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        api.close();
        bare.close();
        join(vertx.close());
        engine.close();
        Fixtures.deleteTree(dir);
    }

    private static <T> T join(Future<T> future) {
        CompletableFuture<T> done = future.toCompletionStage().toCompletableFuture();
        try {
            return done.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("request path failed", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
