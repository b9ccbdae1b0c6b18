package dev.loyalty.bench.baseline;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP ceiling of this machine for the API's traffic: a Vert.x server that reads a POST's whole body
 * and answers {@code 200} with a fixed JSON of the engine's own answer size, doing nothing else (no routing,
 * no auth, no parsing): a synchronous answer (679 bytes: one effect and the customer view) by default, the
 * {@code 202} body for {@code ?mode=async}. So a ratio engine ÷ bare measures the engine's work, not bytes.
 * Same Vert.x settings as the real API ({@code ApiServer.serverOptions()}: one verticle per event loop,
 * as many event loops as processors, HTTP/1.1, TCP_NODELAY, no compression). Answers every path, so
 * {@code /events}, {@code /events/bulk} and {@code /health/ready} all work. Runs until killed.
 */
@Command(name = "bare-server", mixinStandardHelpOptions = true,
        description = "Bare Vert.x endpoint: reads the body, answers 200 with fixed JSON of the engine's answer size.")
public final class BareServer implements Callable<Integer> {

    /** A synchronous answer of the engine to a checkout, as {@code POST /events} renders it (679 bytes). */
    static final Buffer SYNC_ANSWER = Buffer.buffer("{\"seq\":1048576,\"outcome\":\"applied\",\"duplicate\":false,"
            + "\"effects\":[{\"id\":12,\"seq\":1048576,\"at\":\"2026-11-26T13:40:00Z\",\"action\":\"checkout\","
            + "\"account\":\"points\",\"kind\":\"pending\",\"points\":120,\"transaction_id\":\"T-100234\",\"reason\":null}],"
            + "\"customer\":{\"id\":\"c-1001\",\"status\":\"active\",\"opted_in_at\":\"2026-01-14T09:12:31Z\","
            + "\"last_activity_at\":\"2026-11-26T13:40:00Z\",\"tier\":\"silver\",\"tier_valid_until\":\"2027-05-02T10:00:00Z\","
            + "\"qualifying_points\":1320,\"accounts\":{\"points\":{\"balance\":900,\"spendable\":850,\"reserved\":50,"
            + "\"pending\":120,\"earned\":1320,\"spent\":400,\"expired\":20,\"deducted\":0},\"bonus\":{\"balance\":50,"
            + "\"spendable\":50,\"reserved\":0,\"pending\":0,\"earned\":50,\"spent\":0,\"expired\":0,\"deducted\":0}}}}");
    /** The engine's {@code 202} answer of {@code ?mode=async}. */
    static final Buffer ASYNC_ANSWER = Buffer.buffer("{\"seq\":1048576,\"outcome\":\"accepted\"}");
    private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

    @Option(names = "--port", required = true, description = "Port to listen on (loopback and all interfaces).")
    int port;

    @Option(names = "--event-loops", description = "Event loops and verticles; default: one per processor, as the API.")
    int eventLoops = Runtime.getRuntime().availableProcessors();

    public static void main(String[] args) {
        System.exit(new CommandLine(new BareServer()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        // The engine's transport (native epoll where it loads, as Program asks), so the ratio compares work, not
        // transports.
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setPreferNativeTransport(true));
        deploy(vertx, port, eventLoops).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        System.out.printf("bare server listening on port %d (%d event loops, %s)%n", port, eventLoops,
                vertx.isNativeTransportEnabled() ? "native transport" : "NIO");
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            vertx.close();
            forever.countDown();
        }));
        forever.await();
        return 0;
    }

    /** Deploys the endpoint on {@code port} with {@code instances} verticles (in-process benchmarks use it too). */
    public static Future<String> deploy(Vertx vertx, int port, int instances) {
        return vertx.deployVerticle(() -> new Endpoint(port), new DeploymentOptions().setInstances(instances));
    }

    /** One server on this verticle's event loop; Vert.x spreads the shared port's connections. */
    private static final class Endpoint extends VerticleBase {
        private final int port;

        Endpoint(int port) {
            this.port = port;
        }

        @Override
        public Future<?> start() {
            HttpServerOptions options = new HttpServerOptions()
                    .setPort(port)
                    .setMaxInitialLineLength(4096)
                    .setMaxHeaderSize(8192)
                    .setIdleTimeout(60)
                    .setIdleTimeoutUnit(TimeUnit.SECONDS)
                    .setCompressionSupported(false)
                    .setTcpNoDelay(true)
                    .setHttp2ClearTextEnabled(false)
                    .setHandle100ContinueAutomatically(false);
            return vertx.createHttpServer(options).requestHandler(Endpoint::answer).listen();
        }

        private static void answer(HttpServerRequest request) {
            if (request.method() == HttpMethod.POST) {
                request.body().onSuccess(body -> respond(request));
            } else {
                respond(request);
            }
        }

        private static void respond(HttpServerRequest request) {
            String query = request.query();
            boolean async = query != null && query.contains("mode=async");
            request.response().putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
                    .end(async ? ASYNC_ANSWER : SYNC_ANSWER);
        }
    }
}
