package dev.loyalty.api.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The {@code http.server.requests} timer (Prometheus: {@code http_server_requests_seconds}) with a latency
 * histogram, tagged {@code method}, {@code route} (the route template such as {@code /customers/:id},
 * {@code unmatched} when no route took the request, never the raw path) and {@code status}. Every tag has
 * a bounded set of values. One instance shared by all event loops; thread-safe.
 */
public final class HttpMetrics {

    static final String NAME = "http.server.requests";
    static final String UNMATCHED = "unmatched";
    private static final String ROUTE = "loyalty.route";
    private static final Set<HttpMethod> KNOWN_METHODS = Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT,
            HttpMethod.DELETE, HttpMethod.PATCH, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final MeterRegistry registry;
    private final ConcurrentMap<Key, Timer> timers = new ConcurrentHashMap<>();

    public HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** First handler of every request: times it until the response ends (or the connection closes). */
    void start(RoutingContext ctx) {
        long startNs = System.nanoTime();
        ctx.addEndHandler(done -> record(ctx, System.nanoTime() - startNs));
        ctx.next();
    }

    /** First handler of a route: names the request's route by its template. */
    static Handler<RoutingContext> route(String template) {
        return ctx -> {
            ctx.put(ROUTE, template);
            ctx.next();
        };
    }

    private void record(RoutingContext ctx, long elapsedNs) {
        HttpMethod method = ctx.request().method();
        Key key = new Key(KNOWN_METHODS.contains(method) ? method.name() : "OTHER",
                ctx.get(ROUTE, UNMATCHED), ctx.response().getStatusCode());
        timers.computeIfAbsent(key, this::timer).record(elapsedNs, TimeUnit.NANOSECONDS);
    }

    private Timer timer(Key key) {
        return Timer.builder(NAME)
                .description("HTTP requests of the ingest/query API")
                .tag("method", key.method())
                .tag("route", key.route())
                .tag("status", Integer.toString(key.status()))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    private record Key(String method, String route, int status) {
    }
}
