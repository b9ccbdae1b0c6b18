package dev.loyalty.api.management;

import dev.loyalty.api.http.JsonViews;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BooleanSupplier;

/**
 * {@code GET /metrics} (Prometheus text format 0.0.4), {@code /health/live} and {@code /health/ready} on
 * the management address; no key. Scrapes run on a worker thread, never on the event loop.
 */
public final class ManagementServer {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON = "application/json";

    private final HttpServer server;

    private ManagementServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts listening.
     *
     * @param ready  whether the engine is ready (recovery done, partitions caught up, journal writable)
     */
    public static Future<ManagementServer> start(Vertx vertx, String host, int port,
                                                 PrometheusMeterRegistry registry, BooleanSupplier ready) {
        Router router = Router.router(vertx);
        router.get("/metrics").handler(ctx -> scrape(vertx, ctx, registry));
        router.get("/health/live").handler(ctx -> json(ctx, 200, JsonViews.status("up")));
        router.get("/health/ready").handler(ctx -> {
            boolean isReady = ready.getAsBoolean();
            json(ctx, isReady ? 200 : 503, JsonViews.status(isReady ? "ready" : "not_ready"));
        });
        router.errorHandler(404, ctx -> json(ctx, 404, JsonViews.error(404, "not_found", "no such resource")));
        router.errorHandler(405, ctx -> json(ctx, 405,
                JsonViews.error(405, "method_not_allowed", "method not allowed here")));
        router.errorHandler(500, ctx -> {
            LOG.error("management request failed", ctx.failure());
            json(ctx, 500, JsonViews.error(500, "internal", "internal error; it has been logged"));
        });
        HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                        .setHost(host).setPort(port).setTcpNoDelay(true).setIdleTimeout(60))
                .requestHandler(router);
        return server.listen().map(s -> new ManagementServer(server));
    }

    /** The port bound (useful when configured as 0). */
    public int port() {
        return server.actualPort();
    }

    public Future<Void> close() {
        return server.close();
    }

    private static void scrape(Vertx vertx, RoutingContext ctx, PrometheusMeterRegistry registry) {
        vertx.executeBlocking(registry::scrape, false).onComplete(result -> {
            if (result.succeeded()) {
                ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TEXT).end(result.result());
            } else {
                ctx.fail(result.cause());
            }
        });
    }

    private static void json(RoutingContext ctx, int status, Buffer body) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body);
    }
}
