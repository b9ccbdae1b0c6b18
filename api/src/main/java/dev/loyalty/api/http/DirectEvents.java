package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine.IngestRefusedException;
import dev.loyalty.engine.config.EngineConfig.ApiKey;
import dev.loyalty.engine.config.EngineConfig.Scope;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;

import java.util.Map;

/**
 * The API server's request handler on one event loop: takes {@code POST /events} (no query, {@code ?mode=sync}
 * or {@code ?mode=async}) itself when its head shows it will pass every check the router's chain makes before the
 * route (a known unsigned key with the {@code ingest} scope, {@code application/json}, a {@code Content-Length}
 * of 1 to {@code api.max-body-bytes}, no {@code Expect}), on a journal whose submit does not block and with no
 * cluster to forward to; hands every other request to the router unchanged, which answers it (and every error
 * of those checks) as before. A taken request costs no routing context, context-data map or handler chain; its
 * body, errors, metrics and answer are those of the router's path ({@link EventRoutes#postDirect}). The one
 * check with a side effect, the key's rate limit, is made last, here, and answers the router's 429.
 * One per event loop; not thread-safe.
 */
final class DirectEvents implements Handler<HttpServerRequest> {

    static final String PATH = "/events";
    private static final String MODE_SYNC = "mode=sync";
    private static final String MODE_ASYNC = "mode=async";
    /** A connection lost mid-body needs no answer; without a handler Vert.x would log it as unhandled. */
    private static final Handler<Throwable> IGNORE = failure -> { };
    /** Bodies up to this size are read into reused arrays (a sync event is a few hundred bytes); larger get their own. */
    static final int POOLED_BODY_BYTES = 4096;
    /** Body readers kept per loop: as many requests as may be reading their bodies at once on one loop, roughly. */
    private static final int SPARE_BODIES = 64;

    private final Router router;
    private final ApiKeys keys;
    private final ApiKeys.LastMatch lastKey;
    private final Map<String, RateLimiter> limits;
    private final long maxBytes;
    private final EventRoutes events;
    private final HttpMetrics.Direct timing;
    /** Body readers of this loop whose request ended, for its next requests (arrays of {@link #POOLED_BODY_BYTES}). */
    private final Body[] spares = new Body[SPARE_BODIES];
    private int spareCount;

    DirectEvents(Router router, ApiKeys keys, ApiKeys.LastMatch lastKey, Map<String, RateLimiter> limits,
            long maxBytes, EventRoutes events, HttpMetrics.Direct timing) {
        this.router = router;
        this.keys = keys;
        this.lastKey = lastKey;
        this.limits = limits;
        this.maxBytes = maxBytes;
        this.events = events;
        this.timing = timing;
    }

    @Override
    public void handle(HttpServerRequest request) {
        int mode = mode(request);
        int length = mode < 0 ? -1 : bodyLength(request.headers(), maxBytes);
        ApiKey key = length < 0 ? null : key(request.headers());
        if (key == null) {
            router.handle(request); // not ours, or an error the router answers: it checks everything again
            return;
        }
        timing.start(request);
        RateLimiter limit = limits.get(key.name());
        if (limit != null) {
            int waitSeconds = limit.acquire(System.nanoTime());
            if (waitSeconds > 0) { // as the router's authentication answers it: before the body is read
                HttpErrors.send(request.response(), new IngestRefusedException(429, "overloaded",
                        "the rate limit of this API key is reached", waitSeconds));
                return;
            }
        }
        Body body = body(request, length, mode == 1);
        request.handler(body);
        request.exceptionHandler(IGNORE);
        request.endHandler(body.ender);
    }

    private static int mode(HttpServerRequest request) {
        return mode(request.method(), request.path(), request.query());
    }

    /** 0 sync, 1 async, -1 not this route (another method, path or query: the router's). */
    static int mode(HttpMethod method, String path, String query) {
        if (!HttpMethod.POST.equals(method) || !PATH.equals(path)) {
            return -1;
        }
        if (query == null || query.equals(MODE_SYNC)) {
            return 0;
        }
        return query.equals(MODE_ASYNC) ? 1 : -1;
    }

    /**
     * The declared body length when the head passes the body checks ({@link JsonBodyHandler}'s) and the body is
     * read as declared; -1 for everything the router answers or reads otherwise (a wrong content type, no or a
     * zero length, a chunked body, over the limit, {@code Expect}, a signature to verify over the body).
     */
    static int bodyLength(MultiMap headers, long maxBytes) {
        if (!JsonBodyHandler.isJson(headers.get(HttpHeaders.CONTENT_TYPE))
                || headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
                || headers.contains(HttpHeaders.EXPECT)
                || headers.contains(RequestSignatures.HEADER)) {
            return -1;
        }
        String declared = headers.get(HttpHeaders.CONTENT_LENGTH);
        if (declared == null || declared.isEmpty() || declared.length() > 10) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < declared.length(); i++) {
            char c = declared.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value > 0 && value <= maxBytes && value <= Integer.MAX_VALUE ? (int) value : -1;
    }

    /** The presented key when it would pass the router's authentication of an ingest route, else null. */
    private ApiKey key(MultiMap headers) {
        ApiKey key = keys.find(ApiKeys.presented(headers.get(HttpHeaders.AUTHORIZATION), headers.get("X-Api-Key")),
                lastKey);
        return key == null || key.hmacSecret() != null || !key.scopes().contains(Scope.INGEST) ? null : key;
    }

    /** A body reader for {@code request}: a spare one of this loop when its array holds the declared length. */
    private Body body(HttpServerRequest request, int declared, boolean async) {
        Body b;
        if (declared <= POOLED_BODY_BYTES && spareCount > 0) {
            b = spares[--spareCount];
            spares[spareCount] = null;
        } else {
            b = new Body(Math.max(declared, declared <= POOLED_BODY_BYTES ? POOLED_BODY_BYTES : 0));
        }
        b.start(request, declared, async);
        return b;
    }

    /**
     * One request's body, read into an array (a reused one up to {@link #POOLED_BODY_BYTES}) and handed to the
     * route; its own end handler, and kept for the loop's next request once the route returned.
     */
    private final class Body implements Handler<Buffer> {
        private final byte[] bytes;
        /** {@link #end} as a handler, made once per body reader, not per request. */
        private final Handler<Void> ender = this::end;
        private HttpServerRequest request;
        private boolean async;
        private int declared;
        private int length;

        Body(int capacity) {
            this.bytes = new byte[capacity];
        }

        void start(HttpServerRequest r, int declaredLength, boolean asyncMode) {
            request = r;
            declared = declaredLength;
            async = asyncMode;
            length = 0;
        }

        @Override
        public void handle(Buffer chunk) {
            int n = chunk.length();
            if (length + n > declared) {
                // HTTP/1.1 framing delivers exactly the declared length; anything else is a broken connection.
                length = -1;
                request.connection().close();
                return;
            }
            if (length >= 0) {
                chunk.getBytes(0, n, bytes, length);
                length += n;
            }
        }

        void end(Void ended) {
            if (length != declared) {
                return; // cut short (the connection is gone or being closed): nobody to answer; not reused
            }
            try {
                events.postDirect(request, bytes, declared, async);
            } catch (RuntimeException e) {
                HttpErrors.fail(request, e);
            }
            // The route keeps nothing of the array once it returned (postDirect): the next request may reuse it.
            request = null;
            if (bytes.length == POOLED_BODY_BYTES && spareCount < spares.length) {
                spares[spareCount++] = this;
            }
        }
    }
}
