package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.config.EngineConfig.ApiKey;
import dev.loyalty.engine.config.EngineConfig.Scope;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.TimeUnit;

/**
 * The ingest/query API of api.md: routes, authentication and the server options, shared by every
 * {@link ApiVerticle} (one per event loop, all on {@code api.port}). Thread-safe once built.
 */
public final class ApiServer {

    /** Largest request head line and header block; a longer one is answered 414 / 431. */
    static final int MAX_INITIAL_LINE = 4096;
    static final int MAX_HEADER_SIZE = 8192;
    /** Connections idle this long are closed. */
    static final int IDLE_TIMEOUT_SECONDS = 60;
    private static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("WWW-Authenticate");

    private final EngineConfig.Api config;
    private final ApiKeys keys;
    private final HttpMetrics metrics;
    private final EventRoutes events;
    private final QueryRoutes queries;
    private final AdminRoutes admin;
    private final JsonBodyHandler jsonBody;

    public ApiServer(LoyaltyEngine engine, MeterRegistry registry) {
        EngineConfig engineConfig = engine.config();
        this.config = engineConfig.api();
        long syncTimeoutMs = config.syncTimeout().toMillis();
        this.keys = new ApiKeys(config.keys());
        this.metrics = new HttpMetrics(registry);
        this.events = new EventRoutes(engine, syncTimeoutMs, config.bulkMax());
        this.queries = new QueryRoutes(engine, syncTimeoutMs);
        this.admin = new AdminRoutes(engine, engineConfig.clockAdjustable(), syncTimeoutMs);
        this.jsonBody = new JsonBodyHandler(config.maxBodyBytes());
    }

    /** Deploys one {@link ApiVerticle} per event loop; completes when all listen. */
    public Future<String> deploy(Vertx vertx, int instances, long shutdownGraceMs) {
        return vertx.deployVerticle(() -> new ApiVerticle(this, shutdownGraceMs),
                new DeploymentOptions().setInstances(instances));
    }

    HttpServerOptions serverOptions() {
        return new HttpServerOptions()
                .setHost(config.host())
                .setPort(config.port())
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_SIZE)
                .setIdleTimeout(IDLE_TIMEOUT_SECONDS)
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setCompressionSupported(false)
                .setTcpNoDelay(true)
                // HTTP/1.1 only: connection-level answers (413 then close) assume one request per connection at a time.
                .setHttp2ClearTextEnabled(false)
                .setHandle100ContinueAutomatically(false);
    }

    /** A router for one verticle (routers are cheap; one each keeps event loops apart). */
    Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        router.route().handler(metrics::start);

        route(router, HttpMethod.POST, "/events", Scope.INGEST).handler(jsonBody).handler(events::post);
        route(router, HttpMethod.POST, "/events/bulk", Scope.INGEST).handler(jsonBody).handler(events::postBulk);
        route(router, HttpMethod.GET, "/events/:seq", Scope.READ).handler(events::get);
        route(router, HttpMethod.GET, "/customers/:id", Scope.READ).handler(queries::customer);
        route(router, HttpMethod.GET, "/customers/:id/ledger", Scope.READ).handler(queries::ledger);
        route(router, HttpMethod.GET, "/stats", Scope.READ).handler(queries::stats);
        route(router, HttpMethod.POST, "/admin/clock", Scope.ADMIN)
                .handler(admin::requireAdjustableClock).handler(jsonBody).handler(admin::advanceClock);

        router.route().failureHandler(HttpErrors::handleFailure);
        router.errorHandler(404, HttpErrors::notFound);
        router.errorHandler(405, HttpErrors::methodNotAllowed);
        router.errorHandler(500, ctx -> HttpErrors.internal(ctx, ctx.failure()));
        return router;
    }

    /** A route named for metrics by its template, behind authentication with {@code scope}. */
    private Route route(Router router, HttpMethod method, String template, Scope scope) {
        return router.route(method, template)
                .handler(HttpMetrics.route(template))
                .handler(authenticate(scope));
    }

    /** 401 without a known key, 403 when the key lacks {@code scope}. */
    private Handler<RoutingContext> authenticate(Scope scope) {
        return ctx -> {
            HttpServerRequest request = ctx.request();
            ApiKey key = keys.find(ApiKeys.presented(request.getHeader(HttpHeaders.AUTHORIZATION),
                    request.getHeader("X-Api-Key")));
            if (key == null) {
                ctx.response().headers().set(WWW_AUTHENTICATE, "Bearer");
                throw new ApiException(401, "unauthenticated",
                        "a known API key is required (Authorization: Bearer <key> or X-Api-Key)");
            }
            if (!key.scopes().contains(scope)) {
                throw new ApiException(403, "forbidden",
                        "the API key lacks the '" + ApiKeys.wireName(scope) + "' scope");
            }
            ctx.next();
        };
    }

    /** Requests Netty could not parse (head too long, malformed): a JSON error, then the connection closes. */
    static void invalidRequest(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status;
        String code;
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            code = "uri_too_long";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            code = "headers_too_large";
        } else {
            status = 400;
            code = "bad_request";
        }
        HttpServerResponse response = request.response();
        response.setStatusCode(status).headers().set(HttpHeaders.CONTENT_TYPE, Responses.APPLICATION_JSON);
        response.end(JsonViews.error(status, code, "the request could not be read as HTTP"))
                .onComplete(v -> request.connection().close());
    }
}
