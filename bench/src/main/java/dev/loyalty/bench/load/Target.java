package dev.loyalty.bench.load;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import picocli.CommandLine.Option;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the load goes and how it is carried: the API's URL and key, the management URL, and the client
 * side (keep-alive HTTP/1.1 connections on a few Vert.x event loops: the load generator opens its own,
 * {@code preload} uses the client's pool). Shared options of the harness's commands.
 */
final class Target implements AutoCloseable {

    @Option(names = "--url", description = "Base URL of the API (default ${DEFAULT-VALUE}).")
    String url = "http://127.0.0.1:8080";

    @Option(names = "--api-key", description = "API key with the ingest and read scopes (default ${DEFAULT-VALUE}).")
    String apiKey = "dev-key";

    @Option(names = "--management", description = "Base URL of the management port, to read the engine's "
            + "figures (lag, events processed); none for a bare endpoint.")
    String management;

    @Option(names = "--connections", description = "Keep-alive connections (default ${DEFAULT-VALUE}).")
    int connections = 50;

    @Option(names = "--event-loops", description = "Client event loops (default ${DEFAULT-VALUE}; the "
            + "server needs the other cores).")
    int eventLoops = 1;

    private Vertx vertx;
    private HttpClientAgent client;
    private final List<Context> contexts = Collections.synchronizedList(new ArrayList<>());

    /** Starts the client side: event loops with one context each, and the connection pool. */
    void open() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
        URI u = URI.create(url);
        client = vertx.createHttpClient(new HttpClientOptions()
                        .setDefaultHost(u.getHost())
                        .setDefaultPort(u.getPort() < 0 ? 80 : u.getPort())
                        .setKeepAlive(true)
                        .setPipelining(false)
                        .setTcpNoDelay(true)
                        .setIdleTimeout(60)
                        .setIdleTimeoutUnit(TimeUnit.SECONDS),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
        vertx.deployVerticle(() -> new VerticleBase() {
            @Override
            public Future<?> start() {
                contexts.add(context);
                return Future.succeededFuture();
            }
        }, new DeploymentOptions().setInstances(eventLoops)).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    HttpClientAgent client() {
        return client;
    }

    /** Where a connection of our own goes (the load generator opens {@link #connections} of them). */
    HttpConnectOptions connectOptions() {
        URI u = URI.create(url);
        return new HttpConnectOptions().setHost(u.getHost()).setPort(u.getPort() < 0 ? 80 : u.getPort());
    }

    /** One context per client event loop. */
    List<Context> contexts() {
        return contexts;
    }

    /** A POST of JSON to that path (with query) of the API, with the key. */
    RequestOptions post(String pathAndQuery) {
        URI u = URI.create(url);
        MultiMap headers = HttpHeaders.headers()
                .add(HttpHeaders.CONTENT_TYPE, "application/json")
                .add("X-Api-Key", apiKey);
        return new RequestOptions().setMethod(HttpMethod.POST).setHost(u.getHost())
                .setPort(u.getPort() < 0 ? 80 : u.getPort()).setURI(pathAndQuery).setHeaders(headers)
                .setIdleTimeout(60_000);
    }

    EngineProbe probe(boolean withStats) {
        return new EngineProbe(management, withStats ? url : null, apiKey);
    }

    @Override
    public void close() {
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                System.err.println("harness: closing the client: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
