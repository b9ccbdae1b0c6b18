package dev.loyalty.api;

import dev.loyalty.api.http.ApiServer;
import dev.loyalty.api.management.ManagementServer;
import dev.loyalty.api.management.ProgramMetrics;
import dev.loyalty.api.management.ReadinessWarmUp;
import dev.loyalty.engine.Engine;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * One running engine program: the engine, the HTTP API on one verticle per event loop, and the management
 * server. {@link #start} builds it from a loaded configuration; {@link #stop} stops it within a bounded
 * time (stop accepting HTTP and let requests in flight finish, close the engine, then the rest). Start and
 * close from ordinary threads (main, shutdown hook, tests), never from an event loop.
 */
public final class Program implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Program.class);

    /** How long requests in flight may finish after the API stops accepting. */
    static final Duration HTTP_GRACE = Duration.ofSeconds(5);
    /** How long the engine may take to close (flush state) before shutdown gives up waiting. */
    static final Duration ENGINE_CLOSE_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(10);

    private final ProgramMetrics metrics;
    private final LoyaltyEngine engine;
    private final Vertx vertx;
    private final String apiDeployment;
    private final ManagementServer management;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean stopping;
    private boolean closing;

    private Program(ProgramMetrics metrics, LoyaltyEngine engine, Vertx vertx,
                    String apiDeployment, ManagementServer management, AtomicBoolean stopping) {
        this.stopping = stopping;
        this.metrics = metrics;
        this.engine = engine;
        this.vertx = vertx;
        this.apiDeployment = apiDeployment;
        this.management = management;
    }

    /**
     * Starts the engine, the API and the management server.
     *
     * @throws dev.loyalty.engine.config.ConfigException when the data folder does not fit the configuration
     * @throws IllegalStateException when a port cannot be bound (the message says which)
     */
    public static Program start(EngineConfig config) {
        if (ConfigLoader.usesDevelopmentKey(config)) {
            LOG.warn("**************************************************************************");
            LOG.warn("* The DEVELOPMENT API key of the shipped configuration is in use.       *");
            LOG.warn("* Anyone who read the documentation can call this engine. Configure      *");
            LOG.warn("* your own keys (api.keys) before exposing it.                           *");
            LOG.warn("**************************************************************************");
        }
        int eventLoops = Runtime.getRuntime().availableProcessors();
        ProgramMetrics metrics = new ProgramMetrics();
        AtomicBoolean stopping = new AtomicBoolean();
        // Ready only once the API listens too: the two servers start side by side, either may finish first.
        AtomicBoolean serving = new AtomicBoolean();
        AtomicReference<LoyaltyEngine> opened = new AtomicReference<>();
        BooleanSupplier ready = () -> {
            LoyaltyEngine e = opened.get();
            return e != null && serving.get() && !stopping.get() && e.ready();
        };
        // Vert.x (Netty's event loops, a few hundred ms of a cold start's class loading) is built on its own
        // thread while this one opens the engine: neither needs the other before the servers deploy. The API
        // server's engine-free part follows on that thread (it was the HTTP start's largest item after the open).
        // Native epoll where it loads (Linux x86-64; elsewhere NIO, as before): the processors wake the loops
        // once per batch, and NIO's Selector.wakeup writes its eventfd under a monitor the woken loop takes
        // too, so on busy cores a loop blocked on it whenever the waking processor was descheduled holding it
        // (JFR: ~1,500 monitor waits over 1 ms on the loops in one latency row). Epoll's wake-up takes no lock.
        // The management server starts there too, during the open (/health/live up, /health/ready 503 until
        // ready), and answers one readiness request of its own: its listen and its cold first answer were on
        // the start's path after the open.
        CompletableFuture<VertxStart> startingVertx = CompletableFuture.supplyAsync(() -> {
            Vertx built = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops)
                    .setPreferNativeTransport(true));
            Future<ManagementServer> management;
            try {
                management = ManagementServer.start(built, config.management().host(), config.management().port(),
                        metrics.registry(), ready);
            } catch (RuntimeException e) { // reported after the open, where Vert.x is closed with the rest
                management = Future.failedFuture(e);
            }
            try {
                ApiServer.prepare();
            } catch (RuntimeException e) {
                LOG.debug("preparing the API server beside the engine's open (its constructor reports it)", e);
            }
            warmUp(management, config.management().host());
            return new VertxStart(built, management);
        }, task -> new Thread(task, "vertx-start").start());
        LoyaltyEngine engine;
        try {
            engine = Engine.start(config, metrics.registry());
        } catch (RuntimeException e) {
            closeVertxQuietly(startingVertx);
            metrics.close();
            throw e;
        }
        VertxStart started;
        try {
            started = startingVertx.join();
        } catch (CompletionException e) {
            closeEngine(engine);
            metrics.close();
            throw new IllegalStateException("starting Vert.x: " + e.getCause().getMessage(), e.getCause());
        }
        Vertx vertx = started.vertx();
        if (vertx.isNativeTransportEnabled()) {
            LOG.info("event loops: {} on native epoll", eventLoops);
        } else {
            LOG.info("event loops: {} on NIO (native epoll unavailable: {})", eventLoops,
                    String.valueOf(vertx.unavailableNativeTransportCause()));
        }
        opened.set(engine);
        String deployment = null;
        try {
            ApiServer api = new ApiServer(engine, metrics.registry());
            Future<String> apiDeployed = api.deploy(vertx, eventLoops, HTTP_GRACE.toMillis());
            deployment = await(apiDeployed, "api.port " + config.api().host() + ":" + config.api().port());
            ManagementServer management = await(started.management(),
                    "management.port " + config.management().host() + ":" + config.management().port());
            serving.set(true);
            engine.serving(); // background work of the engine's (the id filter scan) waits for this
            LOG.info("loyalty engine started: api on {}:{} ({} event loops), management on {}:{}, data in {}",
                    config.api().host(), config.api().port(), eventLoops, config.management().host(),
                    management.port(), config.dataDir().toAbsolutePath().normalize());
            return new Program(metrics, engine, vertx, deployment, management, stopping);
        } catch (RuntimeException e) {
            closeQuietly(vertx, engine, metrics);
            throw e;
        }
    }

    /** Vert.x built beside the engine's open, with the management server's start. */
    private record VertxStart(Vertx vertx, Future<ManagementServer> management) {
    }

    /** Once the management server listens (a failed listen is reported after the open), one request of its own. */
    private static void warmUp(Future<ManagementServer> management, String host) {
        try {
            ManagementServer server = management.toCompletionStage().toCompletableFuture()
                    .get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            ReadinessWarmUp.probe(host, server.port());
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("no management warm-up: the server did not start", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** After a refused engine start: stops Vert.x once its own start has finished (it may still be starting). */
    private static void closeVertxQuietly(CompletableFuture<VertxStart> startingVertx) {
        try {
            await(startingVertx.join().vertx().close(), STEP_TIMEOUT, "stopping Vert.x");
        } catch (RuntimeException e) {
            LOG.warn("stopping Vert.x after a failed start: {}", e.getMessage());
        }
    }

    /** Blocks until {@link #stop} has finished. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /** Turns readiness false (load balancers stop sending) while everything else keeps running. */
    void markNotReady() {
        stopping.set(true);
    }

    /**
     * Turns readiness false, stops accepting HTTP (requests in flight get {@link #HTTP_GRACE} to finish),
     * closes the engine (the processors apply what is journaled, for a few seconds at most, commit, and the
     * stores flush), then the management server and Vert.x. Bounded: a step that hangs is logged and
     * skipped. Idempotent.
     *
     * @return true when every step finished cleanly in time (false also for a repeated call)
     */
    public boolean stop() {
        synchronized (this) {
            if (closing) {
                return false;
            }
            closing = true;
        }
        markNotReady();
        long startNs = System.nanoTime();
        LOG.info("shutting down: readiness false, no new HTTP requests");
        boolean clean = true;
        try {
            await(vertx.undeploy(apiDeployment), HTTP_GRACE.plus(STEP_TIMEOUT), "stopping the API");
        } catch (RuntimeException e) {
            LOG.warn("the API did not stop cleanly: {}", e.getMessage());
            clean = false;
        }
        clean &= closeEngine(engine);
        try {
            await(management.close(), STEP_TIMEOUT, "stopping the management server");
            await(vertx.close(), STEP_TIMEOUT, "stopping Vert.x");
        } catch (RuntimeException e) {
            LOG.warn("shutdown incomplete: {}", e.getMessage());
            clean = false;
        }
        metrics.close();
        LOG.info("shut down in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
        closed.countDown();
        return clean;
    }

    /** {@link #stop}, for try-with-resources. */
    @Override
    public void close() {
        stop();
    }

    /** Closes the engine on its own thread so that a hang cannot hold the JVM's shutdown forever; true when closed. */
    private static boolean closeEngine(LoyaltyEngine engine) {
        boolean[] closedCleanly = {false};
        Thread closer = new Thread(() -> {
            try {
                engine.close();
                closedCleanly[0] = true;
            } catch (RuntimeException e) {
                LOG.error("closing the engine failed", e);
            }
        }, "engine-close");
        closer.start();
        try {
            closer.join(ENGINE_CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            LOG.error("the engine did not close within {} s; stopping without waiting",
                    ENGINE_CLOSE_TIMEOUT.toSeconds());
            return false;
        }
        return closedCleanly[0];
    }

    private static void closeQuietly(Vertx vertx, LoyaltyEngine engine, ProgramMetrics metrics) {
        try {
            await(vertx.close(), STEP_TIMEOUT, "stopping Vert.x");
        } catch (RuntimeException e) {
            LOG.warn("stopping Vert.x after a failed start: {}", e.getMessage());
        }
        closeEngine(engine);
        metrics.close();
    }

    private static <T> T await(Future<T> future, String what) {
        return await(future, STEP_TIMEOUT, what);
    }

    private static <T> T await(Future<T> future, Duration timeout, String what) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + ": no answer within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + ": interrupted", e);
        }
    }
}
