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
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.Map;
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
    private final RequestSignatures signatures = new RequestSignatures();
    private final Map<String, RateLimiter> limits = new HashMap<>();
    private final HttpMetrics metrics;
    private final EventRoutes events;
    private final QueryRoutes queries;
    private final AdminRoutes admin;
    private final JsonBodyHandler jsonBody;
    private final OwnerForwarding forwarding;
    private final OpenApiDocument openApi = OpenApiDocument.packaged();
    /** Whether {@link DirectEvents} may take {@code POST /events}: nothing to forward, a submit that never blocks. */
    private final boolean direct;

    public ApiServer(LoyaltyEngine engine, MeterRegistry registry) {
        EngineConfig engineConfig = engine.config();
        this.config = engineConfig.api();
        long syncTimeoutMs = config.syncTimeout().toMillis();
        this.keys = new ApiKeys(config.keys());
        long nowNs = System.nanoTime();
        for (ApiKey k : config.keys()) {
            if (k.ratePerSecond() > 0) {
                limits.put(k.name(), new RateLimiter(k.ratePerSecond(), k.burst(), nowNs));
            }
        }
        this.metrics = new HttpMetrics(registry);
        this.events = new EventRoutes(engine, syncTimeoutMs, config.bulkMax());
        this.queries = new QueryRoutes(engine, syncTimeoutMs);
        this.admin = new AdminRoutes(engine, engineConfig.clockAdjustable(), syncTimeoutMs);
        this.jsonBody = new JsonBodyHandler(config.maxBodyBytes(), signatures);
        this.forwarding = new OwnerForwarding(engine, registry, syncTimeoutMs, config.bulkMax());
        this.direct = engine.cluster() == null && !engine.submitBlocks();
    }

    /**
     * Does the part of a server's construction that needs no engine (the OpenAPI document's YAML to JSON, cold
     * Jackson and SnakeYAML code: 0.1-0.3 s of a start), so that a start can run it beside the engine's open.
     *
     * @throws RuntimeException when the packaged document cannot be read (the constructor then fails the same way)
     */
    public static void prepare() {
        OpenApiDocument.packaged();
    }

    /** Deploys one {@link ApiVerticle} per event loop; completes when all listen. */
    public Future<String> deploy(Vertx vertx, int instances, long shutdownGraceMs) {
        return vertx.deployVerticle(() -> new ApiVerticle(this, shutdownGraceMs),
                new DeploymentOptions().setInstances(instances));
    }

    HttpServerOptions serverOptions() {
        HttpServerOptions options = new HttpServerOptions();
        if (config.tls().enabled()) {
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                    .setCertPath(config.tls().certPath().toString())
                    .setKeyPath(config.tls().keyPath().toString()));
        }
        return options
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

    /**
     * The request handler of one verticle: {@link DirectEvents} in front of this verticle's router, which gets
     * every request it does not take. With several nodes (a cluster to forward to) or a journal whose submit
     * blocks (Kafka), the router alone.
     */
    Handler<HttpServerRequest> requestHandler(Vertx vertx) {
        ApiKeys.LastMatch lastKey = new ApiKeys.LastMatch(); // this verticle's event loop's only
        Router router = router(vertx, lastKey);
        if (!direct) {
            return router;
        }
        return new DirectEvents(router, keys, lastKey, limits, config.maxBodyBytes(), events,
                metrics.direct(DirectEvents.PATH));
    }

    /** A router for one verticle (routers are cheap; one each keeps event loops apart). */
    Router router(Vertx vertx, ApiKeys.LastMatch lastKey) {
        Router router = Router.router(vertx);
        HttpMetrics.Requests timing = metrics.requests();
        router.route().handler(timing::start);
        forwarding.start(vertx);

        // With several nodes on a Kafka journal, the forwarding handlers send a request to its partition's
        // owner, or pass it to the route when this node answers it (always on Chronicle).
        route(router, timing, lastKey, HttpMethod.POST, "/events", Scope.INGEST).handler(jsonBody)
                .handler(forwarding::post)
                .handler(events::post);
        route(router, timing, lastKey, HttpMethod.POST, "/events/bulk", Scope.INGEST).handler(jsonBody)
                .handler(forwarding::postBulk)
                .handler(events::postBulk);
        route(router, timing, lastKey, HttpMethod.GET, "/events/:seq", Scope.READ).handler(forwarding::event)
                .handler(events::get);
        route(router, timing, lastKey, HttpMethod.GET, "/customers/:id", Scope.READ).handler(forwarding::customer)
                .handler(queries::customer);
        route(router, timing, lastKey, HttpMethod.GET, "/customers/:id/ledger", Scope.READ)
                .handler(forwarding::customer)
                .handler(queries::ledger);
        route(router, timing, lastKey, HttpMethod.GET, "/stats", Scope.READ).handler(forwarding::stats)
                .handler(forwarding::localStats)
                .handler(queries::stats);
        route(router, timing, lastKey, HttpMethod.POST, "/admin/clock", Scope.ADMIN)
                .handler(admin::requireAdjustableClock).handler(jsonBody).handler(admin::advanceClock);
        // The contract is public (api.md): storefront developers fetch it before they hold a key.
        router.route(HttpMethod.GET, "/openapi.json").handler(timing.route("/openapi.json"))
                .handler(openApi::serve);

        router.route().failureHandler(HttpErrors::handleFailure);
        router.errorHandler(404, HttpErrors::notFound);
        router.errorHandler(405, HttpErrors::methodNotAllowed);
        router.errorHandler(500, ctx -> HttpErrors.internal(ctx, ctx.failure()));
        return router;
    }

    /** A route named for metrics by its template, behind authentication with {@code scope}. */
    private Route route(Router router, HttpMetrics.Requests timing, ApiKeys.LastMatch lastKey, HttpMethod method,
            String template, Scope scope) {
        return router.route(method, template)
                .handler(timing.route(template))
                .handler(authenticate(scope, lastKey));
    }

    /**
     * 401 without a known key (or, for a key with an {@code hmac-secret}, without a valid signature: see
     * {@link RequestSignatures}), 403 when the key lacks {@code scope}, 429 past the key's rate limit. A
     * signature over a body is verified once the body is read ({@link JsonBodyHandler}); a GET's at once.
     * {@code lastKey} is the router's (one event loop's): see {@link ApiKeys#find(String, ApiKeys.LastMatch)}.
     */
    private Handler<RoutingContext> authenticate(Scope scope, ApiKeys.LastMatch lastKey) {
        return ctx -> {
            HttpServerRequest request = ctx.request();
            String signature = request.getHeader(RequestSignatures.HEADER);
            ApiKey key;
            RequestSignatures.Signed signed = null;
            if (signature != null) {
                signed = signatures.parse(signature, keys, System.currentTimeMillis() / 1000);
                key = signed.key();
            } else {
                key = keys.find(ApiKeys.presented(request.getHeader(HttpHeaders.AUTHORIZATION),
                        request.getHeader("X-Api-Key")), lastKey);
                if (key == null) {
                    ctx.response().headers().set(WWW_AUTHENTICATE, "Bearer");
                    throw new ApiException(401, "unauthenticated",
                            "a known API key is required (Authorization: Bearer <key> or X-Api-Key)");
                }
                if (key.hmacSecret() != null) {
                    throw new ApiException(401, "invalid_signature",
                            "requests with this key must be signed (X-Signature)");
                }
            }
            if (!key.scopes().contains(scope)) {
                throw new ApiException(403, "forbidden",
                        "the API key lacks the '" + ApiKeys.wireName(scope) + "' scope");
            }
            RateLimiter limit = limits.get(key.name());
            if (limit != null) {
                int waitSeconds = limit.acquire(System.nanoTime());
                if (waitSeconds > 0) {
                    throw new LoyaltyEngine.IngestRefusedException(429, "overloaded",
                            "the rate limit of this API key is reached", waitSeconds);
                }
            }
            if (signed != null) {
                RequestSignatures.remember(ctx, signed);
                if (request.method() == HttpMethod.GET) {
                    signatures.verifyBody(ctx, null);
                }
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
