package dev.loyalty.api.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;

import java.util.concurrent.TimeUnit;

/**
 * One HTTP server of the API on this verticle's event loop; {@link ApiServer#deploy} starts one per event
 * loop and Vert.x spreads the connections of the shared port over them.
 */
final class ApiVerticle extends VerticleBase {

    private final ApiServer api;
    private final long shutdownGraceMs;
    private HttpServer server;

    ApiVerticle(ApiServer api, long shutdownGraceMs) {
        this.api = api;
        this.shutdownGraceMs = shutdownGraceMs;
    }

    @Override
    public Future<?> start() {
        server = vertx.createHttpServer(api.serverOptions())
                .requestHandler(api.requestHandler(vertx))
                .invalidRequestHandler(ApiServer::invalidRequest);
        return server.listen();
    }

    /** Stops accepting, lets requests in flight finish for up to the grace time, then closes. */
    @Override
    public Future<?> stop() {
        return server.shutdown(shutdownGraceMs, TimeUnit.MILLISECONDS);
    }
}
