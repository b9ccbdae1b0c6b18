package dev.loyalty.api.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The {@code http.server.requests} timer (Prometheus: {@code http_server_requests_seconds}) with a latency
 * histogram, tagged {@code method}, {@code route} (the route template such as {@code /customers/:id},
 * {@code unmatched} when no route took the request, never the raw path) and {@code status}. Every tag has
 * a bounded set of values. One instance shared by all event loops; thread-safe.
 *
 * <p>Per request it allocates one object (the end handler, which carries the start time and the route): the
 * timers are cached per route in an array indexed by method and status (no key object per request), and the
 * route is handed over without Vert.x-web's per-request context-data map (see {@link Requests}).
 */
public final class HttpMetrics {

    static final String NAME = "http.server.requests";
    static final String UNMATCHED = "unmatched";
    private static final String ROUTE = "loyalty.route";
    /** Tag values of the methods, by {@link #methodIndex}; anything else is OTHER. */
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "OTHER"};
    private static final int MIN_STATUS = 100;
    private static final int STATUSES = 500; // 100-599: every status Vert.x sends

    private final MeterRegistry registry;
    /** One set of timers per route template (a handful), shared by all event loops. */
    private final ConcurrentMap<String, RouteTimers> routes = new ConcurrentHashMap<>();
    private final RouteTimers unmatched;

    public HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.unmatched = routeTimers(UNMATCHED);
    }

    /** The request timing of one router (one event loop): its {@link Requests#start} and route handlers. */
    Requests requests() {
        return new Requests();
    }

    private RouteTimers routeTimers(String template) {
        return routes.computeIfAbsent(template, RouteTimers::new);
    }

    private static int methodIndex(HttpMethod m) {
        // By name: Vert.x keeps each method's name as a constant string, so this compares without allocating.
        for (int i = 0; i < METHODS.length - 1; i++) {
            if (m.name().equals(METHODS[i])) {
                return i;
            }
        }
        return METHODS.length - 1;
    }

    /**
     * Timing for the routes of one router, used by one event loop only. The route handler of a matched route
     * runs inside {@link #start}'s {@code ctx.next()} (Vert.x-web calls the next matching handler directly),
     * so {@link #start} leaves the request's timing in {@code current} for it; should a route handler ever
     * run later (an asynchronous handler before it), it finds {@code current} pointing at another request
     * and falls back to the context-data map.
     */
    final class Requests {
        private Timing current;

        /** First handler of every request: times it until the response ends (or the connection closes). */
        void start(RoutingContext ctx) {
            Timing t = new Timing(ctx, System.nanoTime());
            ctx.addEndHandler(t);
            current = t;
            try {
                ctx.next();
            } finally {
                current = null;
            }
        }

        /** First handler of a route: names the request's route by its template. */
        Handler<RoutingContext> route(String template) {
            RouteTimers timers = routeTimers(template);
            return ctx -> {
                Timing t = current;
                if (t != null && t.ctx == ctx) {
                    t.route = timers;
                } else {
                    ctx.put(ROUTE, timers);
                }
                ctx.next();
            };
        }
    }

    /**
     * The timing of requests answered without the router ({@link DirectEvents}) under one route's timers: the
     * same timer, method and status as the router's end handler records.
     */
    Direct direct(String template) {
        return new Direct(routeTimers(template));
    }

    /** Starts timing a request of one route answered without the router. */
    final class Direct {
        private final RouteTimers timers;

        private Direct(RouteTimers timers) {
            this.timers = timers;
        }

        /** Times {@code request} from now until its response ends or its connection closes, whichever is first. */
        void start(HttpServerRequest request) {
            DirectTiming t = new DirectTiming(request, timers, System.nanoTime());
            // What Vert.x-web's end handlers hook (less the response's exception handler: a failed write closes).
            request.response().endHandler(t).closeHandler(t);
        }
    }

    /** One direct request's response end (or close) handler: records once, as {@link Timing} does. */
    private final class DirectTiming implements Handler<Void> {
        private final HttpServerRequest request;
        private final RouteTimers route;
        private final long startNs;
        private boolean recorded;

        DirectTiming(HttpServerRequest request, RouteTimers route, long startNs) {
            this.request = request;
            this.route = route;
            this.startNs = startNs;
        }

        @Override
        public void handle(Void ended) {
            if (recorded) {
                return;
            }
            recorded = true;
            route.timer(methodIndex(request.method()), request.response().getStatusCode())
                    .record(System.nanoTime() - startNs, TimeUnit.NANOSECONDS);
        }
    }

    /** One request's end handler: records its time under its route, method and status. */
    private final class Timing implements Handler<AsyncResult<Void>> {
        final RoutingContext ctx;
        final long startNs;
        RouteTimers route;

        Timing(RoutingContext ctx, long startNs) {
            this.ctx = ctx;
            this.startNs = startNs;
        }

        @Override
        public void handle(AsyncResult<Void> done) {
            long elapsedNs = System.nanoTime() - startNs;
            RouteTimers r = route;
            if (r == null) {
                r = ctx.get(ROUTE, unmatched); // the fallback path only (or unmatched: then the map is made here)
            }
            r.timer(methodIndex(ctx.request().method()), ctx.response().getStatusCode())
                    .record(elapsedNs, TimeUnit.NANOSECONDS);
        }
    }

    /** The timers of one route, by method and status, made on first use. */
    private final class RouteTimers {
        private final String template;
        private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(METHODS.length * STATUSES);

        RouteTimers(String template) {
            this.template = template;
        }

        Timer timer(int method, int status) {
            if (status < MIN_STATUS || status >= MIN_STATUS + STATUSES) {
                return build(method, status); // Micrometer returns the registered one: no cache needed for these
            }
            int i = method * STATUSES + status - MIN_STATUS;
            Timer t = timers.get(i);
            if (t == null) {
                t = build(method, status);
                timers.set(i, t); // a race registers the same meter twice: Micrometer returns one instance
            }
            return t;
        }

        private Timer build(int method, int status) {
            return Timer.builder(NAME)
                    .description("HTTP requests of the ingest/query API")
                    .tag("method", METHODS[method])
                    .tag("route", template)
                    .tag("status", Integer.toString(status))
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(100_000))
                    .maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry);
        }
    }
}
