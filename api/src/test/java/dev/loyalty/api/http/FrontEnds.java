package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/** Test access to the API's two front ends over one engine: the router alone, and the direct handler in front of it. */
public final class FrontEnds {

    private FrontEnds() {
    }

    /** Listens on {@code port} with the server's full request handler ({@link DirectEvents} in front of the router). */
    public static Future<HttpServer> direct(Vertx vertx, LoyaltyEngine engine, MeterRegistry registry, int port) {
        ApiServer api = new ApiServer(engine, registry);
        return vertx.createHttpServer(api.serverOptions().setPort(port))
                .requestHandler(api.requestHandler(vertx))
                .invalidRequestHandler(ApiServer::invalidRequest)
                .listen();
    }

    /** Listens on {@code port} with the router alone: every request goes the way all went before {@link DirectEvents}. */
    public static Future<HttpServer> routerOnly(Vertx vertx, LoyaltyEngine engine, MeterRegistry registry, int port) {
        ApiServer api = new ApiServer(engine, registry);
        return vertx.createHttpServer(api.serverOptions().setPort(port))
                .requestHandler(api.router(vertx, new ApiKeys.LastMatch()))
                .invalidRequestHandler(ApiServer::invalidRequest)
                .listen();
    }
}
