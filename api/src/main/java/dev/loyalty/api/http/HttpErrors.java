package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine.IngestRefusedException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one mapping from failures to HTTP answers: every non-2xx body is
 * {@code {"error": {"status", "code", "message"}}}. Known refusals ({@link ApiException},
 * {@link IngestRefusedException}) keep their status; anything else is our bug: logged once and answered
 * {@code 500 internal} with a generic message, never a stack trace. Event loop only.
 */
public final class HttpErrors {

    private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);
    private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("Retry-After");

    private HttpErrors() {
    }

    /** Answers an error. */
    public static Future<Void> send(RoutingContext ctx, int status, String code, String message) {
        return send(ctx.response(), status, code, message);
    }

    /** Answers an error on a request answered without the router. */
    static Future<Void> send(HttpServerResponse response, int status, String code, String message) {
        return Responses.json(response, status, JsonViews.error(status, code, message));
    }

    /**
     * Answers a refused request. api.md gives every 429 a {@code Retry-After}; a refusal that knows no better
     * time (too many signed requests remembered) says one second.
     */
    public static Future<Void> send(RoutingContext ctx, ApiException e) {
        return send(ctx.response(), e);
    }

    /** {@link #send(RoutingContext, ApiException)} without the router. */
    static Future<Void> send(HttpServerResponse response, ApiException e) {
        if (e.status() == 429) {
            response.headers().set(RETRY_AFTER, "1");
        }
        return send(response, e.status(), e.code(), e.getMessage());
    }

    /** Answers a whole request the engine refused before the journal (429 with Retry-After, 503). */
    public static Future<Void> send(RoutingContext ctx, IngestRefusedException e) {
        return send(ctx.response(), e);
    }

    /** {@link #send(RoutingContext, IngestRefusedException)} without the router. */
    static Future<Void> send(HttpServerResponse response, IngestRefusedException e) {
        if (e.status() == 429) {
            response.headers().set(RETRY_AFTER, Integer.toString(Math.max(1, e.retryAfterSeconds())));
        }
        return send(response, e.status(), e.code(), e.getMessage());
    }

    /**
     * What {@link #handleFailure} answers for {@code failure}, for a request answered without the router
     * ({@link DirectEvents}); once answered, only logged.
     */
    static void fail(HttpServerRequest request, Throwable failure) {
        Throwable f = unwrap(failure);
        HttpServerResponse response = request.response();
        if (response.ended()) {
            internal(request, f);
        } else if (f instanceof ApiException e) {
            send(response, e);
        } else if (f instanceof IngestRefusedException e) {
            send(response, e);
        } else {
            internal(request, f);
        }
    }

    /** The router's failure handler: maps {@link RoutingContext#failure()} or the failed status. */
    public static void handleFailure(RoutingContext ctx) {
        Throwable failure = unwrap(ctx.failure());
        if (failure instanceof ApiException e) {
            send(ctx, e);
        } else if (failure instanceof IngestRefusedException e) {
            send(ctx, e);
        } else if (failure == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            sendStatus(ctx, ctx.statusCode());
        } else {
            internal(ctx, failure);
        }
    }

    /** No route for the path. */
    public static void notFound(RoutingContext ctx) {
        send(ctx, 404, "not_found", "no such resource: " + ctx.request().method() + " " + ctx.request().path());
    }

    /** A route for the path, not for the method. */
    public static void methodNotAllowed(RoutingContext ctx) {
        send(ctx, 405, "method_not_allowed", "method " + ctx.request().method() + " is not allowed here");
    }

    /** An unexpected failure: our bug, logged once, answered 500 without details. */
    public static void internal(RoutingContext ctx, Throwable failure) {
        internal(ctx.request(), failure);
    }

    /** {@link #internal(RoutingContext, Throwable)} without the router. */
    static void internal(HttpServerRequest request, Throwable failure) {
        LOG.error("internal error answering {} {}", request.method(), request.path(), failure);
        send(request.response(), 500, "internal", "internal error; it has been logged");
    }

    private static void sendStatus(RoutingContext ctx, int status) {
        switch (status) {
            case 404 -> notFound(ctx);
            case 405 -> methodNotAllowed(ctx);
            case 413 -> send(ctx, 413, "payload_too_large", "request body is too large");
            case 415 -> send(ctx, 415, "unsupported_media_type", "request body must be application/json");
            default -> send(ctx, status, "bad_request", "bad request");
        }
    }

    /**
     * Logs why a journaled event has no outcome to answer with (it is answered {@code accepted}): a refusal the
     * engine expects (a partition restoring after a rebalance, a stopped partition, a shutdown) in one line at
     * debug, since it repeats for every request of that partition until it is served again; anything else as a
     * warning with its stack.
     */
    static void noOutcome(Throwable failure) {
        Throwable f = unwrap(failure);
        if (f instanceof IngestRefusedException e) {
            LOG.debug("no outcome for a journaled event ({}); answering accepted", e.getMessage());
        } else {
            LOG.warn("no outcome for a journaled event; answering accepted", f);
        }
    }

    /** The cause of a wrapped future failure. */
    public static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
