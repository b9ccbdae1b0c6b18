package dev.loyalty.api.http;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.AsyncResult;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON answers; a response that already ended or whose connection closed is left alone. Event loop only. */
final class Responses {

    static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

    private Responses() {
    }

    /** Ends the response with {@code status} and a JSON body. */
    static Future<Void> json(RoutingContext ctx, int status, Buffer body) {
        return json(ctx.response(), status, body);
    }

    /** Ends {@code response} with {@code status} and a JSON body (requests answered without the router). */
    static Future<Void> json(HttpServerResponse response, int status, Buffer body) {
        if (response.ended() || response.closed()) {
            return Future.succeededFuture();
        }
        response.setStatusCode(status);
        MultiMap headers = response.headers();
        headers.set(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
        return response.end(body);
    }

    /**
     * Ends the response with {@code status} and a JSON body in a pooled buffer ({@link JsonWriter#toPooled}),
     * released once the write is done or failed, or at once when the response cannot be written. Vert.x
     * wraps a foreign buffer so that Netty's own release after the write is a no-op, hence this one.
     */
    static void pooled(RoutingContext ctx, int status, ByteBuf body) {
        pooled(ctx.response(), status, body);
    }

    /** {@link #pooled(RoutingContext, int, ByteBuf)} for a request answered without the router. */
    static void pooled(HttpServerResponse response, int status, ByteBuf body) {
        if (response.ended() || response.closed()) {
            body.release();
            return;
        }
        try {
            response.setStatusCode(status);
            response.headers().set(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
            response.end(BufferInternal.buffer(body)).onComplete(new Release(body));
        } catch (RuntimeException e) {
            body.release();
            throw e;
        }
    }

    /** Gives a rendered body back to the pool once its write completed (either way). */
    private record Release(ByteBuf body) implements Handler<AsyncResult<Void>> {
        @Override
        public void handle(AsyncResult<Void> written) {
            body.release();
        }
    }
}
