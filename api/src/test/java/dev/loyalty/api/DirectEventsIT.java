package dev.loyalty.api;

import dev.loyalty.api.http.FrontEnds;
import dev.loyalty.engine.Engine;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.testing.Eventually;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The direct {@code POST /events} handler in front of the router answers exactly what the router alone answers:
 * one real engine (fixed wall clock), two servers over it, one with the router only (the path every request took
 * before) and one with the direct handler in front; the same table of raw requests (right and wrong methods,
 * content types, keys, scopes, sizes, queries, paths, bodies, a rate limit) goes to each, with customer and
 * event ids that differ only in a marker, and the answers (status line, headers, body with the marker and seqs
 * blanked) and each server's request timers (count per method, route and status) must be the same.
 */
@Timeout(180)
class DirectEventsIT {

    private static final String SHOP = "direct-shop-key";
    private static final String READER = "direct-reader-key";
    private static final String LIMITED = "direct-limited-key";
    private static final int MAX_BODY = 4096;

    private static Path home;
    private static LoyaltyEngine engine;
    private static Vertx vertx;
    private static final SimpleMeterRegistry ROUTER_METRICS = new SimpleMeterRegistry();
    private static final SimpleMeterRegistry DIRECT_METRICS = new SimpleMeterRegistry();
    private static int routerPort;
    private static int directPort;

    @BeforeAll
    @Timeout(120)
    static void start() throws Exception {
        home = Files.createTempDirectory("direct-events-it");
        Path config = home.resolve("engine.yaml");
        Files.writeString(config, """
                api:
                  host: 127.0.0.1
                  max-body: %d
                  keys:
                    - name: shop
                      key: %s
                      scopes: [ingest, read]
                    - name: reader
                      key: %s
                      scopes: [read]
                    - name: limited
                      key: %s
                      scopes: [ingest]
                      rate-limit: 1
                      burst: 2
                partitions: 2
                """.formatted(MAX_BODY, SHOP, READER, LIMITED));
        EngineConfig engineConfig = ProgramConfig.load(config, Map.of(),
                Map.of("data-dir", home.resolve("data").toString()));
        engine = Eventually.ready(Engine.start(engineConfig, new SimpleMeterRegistry(), () -> 1_780_000_000_000L));
        vertx = Vertx.vertx();
        routerPort = TestFolders.freePort();
        FrontEnds.routerOnly(vertx, engine, ROUTER_METRICS, routerPort)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        directPort = TestFolders.freePort();
        while (directPort == routerPort) {
            directPort = TestFolders.freePort();
        }
        FrontEnds.direct(vertx, engine, DIRECT_METRICS, directPort)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    @Timeout(120)
    static void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (engine != null) {
            engine.close();
        }
        TestFolders.deleteRecursively(home);
    }

    /** One request of the table; {@code %M} in it is the server's marker. */
    private record Case(String name, String raw) {
    }

    private static String post(String target, String key, String contentType, String body) {
        StringBuilder b = new StringBuilder("POST ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if (key != null) {
            b.append("X-Api-Key: ").append(key).append("\r\n");
        }
        if (contentType != null) {
            b.append("Content-Type: ").append(contentType).append("\r\n");
        }
        int length = body.replace("%M", "zrz").getBytes(StandardCharsets.UTF_8).length; // both markers: 3 chars
        return b.append("Content-Length: ").append(length).append("\r\n\r\n").append(body).toString();
    }

    private static String event(String customer, String action, String id, String data) {
        return "{\"customer\":\"%M-" + customer + "\",\"action\":\"" + action + "\""
                + (id == null ? "" : ",\"id\":\"%M-" + id + "\"") + ",\"data\":" + data + "}";
    }

    private static List<Case> table() {
        String json = "application/json";
        String optIn = event("c1", "opt_in", "e1", "{}");
        String add = event("c1", "point_add", "e2", "{\"points\":500}");
        String checkout = event("c1", "checkout", "e3",
                "{\"transaction_id\":\"%M-t1\",\"items\":[{\"product_id\":\"sku-1\",\"price\":19.99,\"quantity\":2}]}");
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("sync opt_in", post("/events", SHOP, json, optIn)));
        cases.add(new Case("sync retry: duplicate", post("/events", SHOP, json, optIn)));
        cases.add(new Case("same id, other body", post("/events", SHOP, json, event("c1", "opt_in", "e1", "{\"x\":1}"))));
        cases.add(new Case("sync opt_in again: rejected", post("/events", SHOP, json, event("c1", "opt_in", null, "{}"))));
        cases.add(new Case("async point_add", post("/events?mode=async", SHOP, json, add)));
        cases.add(new Case("mode=sync checkout", post("/events?mode=sync", SHOP, json, checkout)));
        cases.add(new Case("charset parameter", post("/events", SHOP, "Application/JSON; charset=utf-8",
                event("c1", "point_add", null, "{\"points\":1}"))));
        cases.add(new Case("Authorization bearer", post("/events", null, json, event("c1", "point_add", null,
                "{\"points\":2}")).replace("Host: 127.0.0.1\r\n", "Host: 127.0.0.1\r\nAuthorization: Bearer " + SHOP + "\r\n")));
        cases.add(new Case("unknown customer", post("/events", SHOP, json, event("nobody", "point_add", null,
                "{\"points\":1}"))));
        cases.add(new Case("other query: decoded by the router", post("/events?x=1&mode=sync", SHOP, json,
                event("c1", "point_add", null, "{\"points\":3}"))));
        cases.add(new Case("bad mode", post("/events?mode=later", SHOP, json, add)));
        cases.add(new Case("GET /events", "GET /events HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + SHOP + "\r\n\r\n"));
        cases.add(new Case("PUT /events", post("/events", SHOP, json, add).replaceFirst("POST", "PUT")));
        cases.add(new Case("no content type", post("/events", SHOP, null, add)));
        cases.add(new Case("text/plain", post("/events", SHOP, "text/plain", add)));
        cases.add(new Case("no key", post("/events", null, json, add)));
        cases.add(new Case("unknown key", post("/events", "not-a-key", json, add)));
        cases.add(new Case("read-only key", post("/events", READER, json, add)));
        cases.add(new Case("async, read-only key", post("/events?mode=async", READER, json, add)));
        cases.add(new Case("empty body", post("/events", SHOP, json, "")));
        cases.add(new Case("malformed JSON", post("/events", SHOP, json, "{\"customer\":")));
        cases.add(new Case("async malformed JSON", post("/events?mode=async", SHOP, json, "[1,")));
        cases.add(new Case("unknown action", post("/events", SHOP, json, event("c1", "teleport", null, "{}"))));
        cases.add(new Case("async invalid event", post("/events?mode=async", SHOP, json,
                event("c1", "point_add", null, "{\"points\":-4}"))));
        cases.add(new Case("too large", post("/events", SHOP, json, event("c1", "point_add", null,
                "{\"points\":1,\"pad\":\"" + "x".repeat(MAX_BODY) + "\"}"))));
        cases.add(new Case("just at the limit", post("/events", SHOP, json, padded(event("c1", "point_add", null,
                "{\"points\":1,\"note\":\"\"}"), MAX_BODY))));
        cases.add(new Case("chunked", "POST /events HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + SHOP
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunked(event("c1", "point_add", null, "{\"points\":4}"))));
        cases.add(new Case("trailing slash", post("/events/", SHOP, json, add)));
        cases.add(new Case("other path", post("/eventsx", SHOP, json, add)));
        cases.add(new Case("bulk", post("/events/bulk", SHOP, json, "{\"events\":[" + event("c1", "point_add", null,
                "{\"points\":5}") + "]}")));
        cases.add(new Case("rate limited 1", post("/events", LIMITED, json, event("c1", "point_add", null, "{\"points\":6}"))));
        cases.add(new Case("rate limited 2", post("/events", LIMITED, json, event("c1", "point_add", null, "{\"points\":7}"))));
        cases.add(new Case("rate limited 3: refused", post("/events", LIMITED, json,
                event("c1", "point_add", null, "{\"points\":8}"))));
        return cases;
    }

    /** {@code event} (ending in {@code "note":""}}) with the note padded so that the body is {@code size} bytes. */
    private static String padded(String event, int size) {
        int pad = size - event.replace("%M", "zrz").getBytes(StandardCharsets.UTF_8).length; // both markers: 3 chars
        int at = event.lastIndexOf("\"\"");
        return event.substring(0, at + 1) + "n".repeat(pad) + event.substring(at + 1);
    }

    private static String chunked(String body) {
        int length = body.replace("%M", "zrz").getBytes(StandardCharsets.UTF_8).length; // both markers: 3 chars
        return Integer.toHexString(length) + "\r\n" + body + "\r\n0\r\n\r\n";
    }

    @Test
    void shouldAnswerEveryRequestOfTheTableAsTheRouterAlone() throws Exception {
        List<String> differences = new ArrayList<>();
        for (Case c : table()) {
            // The router first, then the direct handler: both see the engine in the same state for their marker.
            String viaRouter = normalize(exchange(c.name(), routerPort, c.raw().replace("%M", "zrz")), "zrz");
            String viaDirect = normalize(exchange(c.name(), directPort, c.raw().replace("%M", "zdz")), "zdz");
            if (!viaRouter.equals(viaDirect)) {
                differences.add(c.name() + ":\n  router: " + viaRouter + "\n  direct: " + viaDirect);
            }
            assertThat(viaRouter).as(c.name()).doesNotStartWith("HTTP/1.1 500");
        }
        assertThat(differences).as("answers that differ").isEmpty();
        // The table exercised every kind of answer (it cannot pass on answers that are all one error), and the
        // direct handler's request timers say what the router's say.
        assertThat(timerCounts(DIRECT_METRICS)).as("request timers by method, route and status")
                .isEqualTo(timerCounts(ROUTER_METRICS))
                .containsKeys("POST /events 200", "POST /events 202", "POST /events 400", "POST /events 401",
                        "POST /events 403", "POST /events 413", "POST /events 415", "POST /events 429");
    }

    /**
     * Bodies of falling and rising lengths one after the other on one keep-alive connection (so on one event loop,
     * whose direct handler reads them into one reused array): each answered as the router answers it, none read
     * with the bytes a longer body left behind (malformed, a repeated key, profile attributes: every place the
     * reader looks at the body again).
     */
    @Test
    void shouldReadEachBodyOfAConnectionByItselfAsTheRouterDoes() throws Exception {
        String json = "application/json";
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("long opt_in", post("/events", SHOP, json, event("k1", "opt_in", null,
                "{\"note\":\"" + "y".repeat(900) + "\"}"))));
        cases.add(new Case("short malformed", post("/events", SHOP, json, "{\"customer\":\"x\"")));
        cases.add(new Case("short add", post("/events", SHOP, json, event("k1", "point_add", null, "{\"points\":9}"))));
        cases.add(new Case("repeated key", post("/events", SHOP, json,
                "{\"customer\":\"%M-k1\",\"action\":\"point_add\",\"action\":\"point_add\"}")));
        cases.add(new Case("long profile", post("/events", SHOP, json, event("k1", "profile", null,
                "{\"city\":\"" + "z".repeat(700) + "\",\"effective_timestamp\":1780000000}"))));
        cases.add(new Case("short profile", post("/events", SHOP, json, event("k1", "profile", null, "{\"a\":1}"))));
        cases.add(new Case("async short", post("/events?mode=async", SHOP, json, "[1,")));
        cases.add(new Case("tiny", post("/events", SHOP, json, "1")));
        List<String> viaRouter = new ArrayList<>();
        List<String> viaDirect = new ArrayList<>();
        try (Socket router = new Socket("127.0.0.1", routerPort); Socket direct = new Socket("127.0.0.1", directPort)) {
            for (Case c : cases) {
                viaRouter.add(c.name() + " " + normalize(exchange(c.name(), router, c.raw().replace("%M", "zkr")), "zkr"));
                viaDirect.add(c.name() + " " + normalize(exchange(c.name(), direct, c.raw().replace("%M", "zkd")), "zkd"));
            }
        }
        assertThat(viaDirect).isEqualTo(viaRouter);
        assertThat(String.join("\n", viaDirect)).contains("short add HTTP/1.1 200", "short malformed HTTP/1.1 400",
                "short profile HTTP/1.1 200", "repeated key HTTP/1.1 400");
    }

    /** Sends one raw request on a new connection; the answer's status line, sorted headers and body. */
    private static String exchange(String name, int port, String raw) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return exchange(name, socket, raw);
        }
    }

    /** Sends one raw request on {@code socket} and reads its answer, leaving the connection open. */
    private static String exchange(String name, Socket socket, String raw) throws IOException {
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        String head = readHead(name, in);
        String[] lines = head.split("\r\n");
        TreeSet<String> headers = new TreeSet<>();
        int length = 0;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String header = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (header.equals("content-length")) {
                length = Integer.parseInt(value);
            } else {
                headers.add(header + ": " + value);
            }
        }
        byte[] body = in.readNBytes(length);
        assertThat(body).as("body of %s", lines[0]).hasSize(length);
        return lines[0] + " " + headers + " " + new String(body, StandardCharsets.UTF_8);
    }

    private static String readHead(String name, InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            assertThat(b).as("%s: connection closed before a whole answer head: %s", name, head).isNotNegative();
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.UTF_8).trim();
    }

    /** The marker and every seq blanked (the two servers' events are journaled one after the other). */
    private static String normalize(String answer, String marker) {
        return answer.replace(marker, "%M").replaceAll("\"seq\":\\d+", "\"seq\":N");
    }

    private static Map<String, Long> timerCounts(SimpleMeterRegistry registry) {
        Map<String, Long> counts = new TreeMap<>();
        for (Timer t : registry.find("http.server.requests").timers()) {
            counts.merge(t.getId().getTag("method") + " " + t.getId().getTag("route") + " "
                    + t.getId().getTag("status"), t.count(), Long::sum);
        }
        return counts;
    }
}
