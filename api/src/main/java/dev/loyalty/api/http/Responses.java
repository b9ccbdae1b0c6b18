package dev.loyalty.api.http;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON answers; a response that already ended or whose connection closed is left alone. Event loop only. */
final class Responses {

    static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

    private Responses() {
    }

    /** Ends the response with {@code status} and a JSON body. */
    static Future<Void> json(RoutingContext ctx, int status, Buffer body) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return Future.succeededFuture();
        }
        response.setStatusCode(status);
        MultiMap headers = response.headers();
        headers.set(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
        return response.end(body);
    }
}
