package dev.loyalty.api;

import dev.loyalty.api.HttpCalls.Answer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Assume;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input against the real program (in-process, real journal, state and HTTP on loopback): jqwik
 * generators for bodies (malformed and deeply nested JSON, huge numbers, NaN and Infinity, wrong types,
 * unicode tricks in ids) and raw-socket cases (broken request lines, oversized heads and bodies, bad chunked
 * encoding, slow clients, two thousand connections at once). Never a 5xx; the expected 4xx where the input
 * is known to be wrong; afterwards the process answers {@code /health/live} and its heap is bounded. Prints
 * {@code HOSTILE INPUT: tried=… 5xx=…}.
 */
class HostileInputIT {
    private static final String KEY = "fuzz-key";
    private static final Set<String> VALIDATION = Set.of("malformed_json", "missing_field", "invalid_field",
            "unknown_action");
    private static final AtomicInteger TRIED = new AtomicInteger();
    private static final AtomicInteger FIVE_XX = new AtomicInteger();
    /** 501 for an HTTP version Vert.x does not implement: a protocol-level answer of the server, not ours. */
    private static final AtomicInteger NOT_IMPLEMENTED = new AtomicInteger();

    private static Path home;
    private static Program program;
    private static HttpCalls http;
    private static HttpCalls management;
    private static int port;

    @BeforeContainer
    static void start() throws Exception {
        home = Files.createTempDirectory("hostile-input-it");
        port = TestFolders.freePort();
        int managementPort = TestFolders.freePort();
        program = TestPrograms.startReady(home, """
                api:
                  host: 127.0.0.1
                  max-body: 64KiB
                  keys:
                    - name: fuzz
                      key: fuzz-key
                      scopes: [ingest, read]
                partitions: 2
                """, port, managementPort);
        http = new HttpCalls(port);
        management = new HttpCalls(managementPort);
        assertThat(http.post("/events", KEY, "{\"customer\":\"fz-1\",\"action\":\"opt_in\"}").status()).isEqualTo(200);
    }

    @AfterContainer
    static void stop() throws Exception {
        try {
            assertThat(management.get("/health/live", null).status()).isEqualTo(200);
            assertThat(http.get("/customers/fz-1", KEY).status()).as("still serving").isEqualTo(200);
            String metrics = management.get("/metrics", null).body();
            double heap = metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{area=\"heap\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            System.out.printf("HOSTILE INPUT: tried=%d 500=%d other 5xx=%d (501 for HTTP/9.9) heap_used=%.0f MiB%n",
                    TRIED.get(), FIVE_XX.get(), NOT_IMPLEMENTED.get(), heap / (1 << 20));
            assertThat(heap).as("heap used after the onslaught").isLessThan(900.0 * (1 << 20));
            assertThat(FIVE_XX.get()).isZero();
        } finally {
            program.close();
            TestFolders.deleteRecursively(home);
        }
    }

    private static Answer counted(Answer a) {
        TRIED.incrementAndGet();
        if (a.status() >= 500) {
            FIVE_XX.incrementAndGet();
        }
        assertThat(a.status()).as(a.toString()).isLessThan(500);
        return a;
    }

    private static void assertValidationError(Answer a, String... codes) {
        assertThat(a.status()).as(a.toString()).isEqualTo(400);
        assertThat(a.errorCode()).isIn((Object[]) codes);
    }

    // ---- bodies ----

    @Property(tries = 300)
    void anyTextAsABodyIsAnsweredWithoutA5xx(@ForAll("hostileText") String body) {
        Answer a = counted(http.post("/events", KEY, body));
        if (a.status() == 400) {
            assertThat(a.errorCode()).isIn(VALIDATION);
        }
        counted(http.post("/events/bulk", KEY, body));
    }

    @Property(tries = 150)
    void aCutOffObjectIsMalformed(@ForAll("validEvent") String event, @ForAll("cut") double at) {
        String cut = event.substring(0, Math.max(1, (int) (event.length() * at)));
        assertValidationError(counted(http.post("/events", KEY, cut)), "malformed_json");
    }

    @Property(tries = 40)
    void nestingBeyondTheLimitIsMalformed(@ForAll("deep") int depth) {
        String data = "[".repeat(depth) + "]".repeat(depth);
        assertValidationError(counted(http.post("/events", KEY,
                "{\"customer\":\"fz-1\",\"action\":\"opt_in\",\"data\":{\"x\":" + data + "}}")), "malformed_json");
    }

    @Property(tries = 100)
    void nonFiniteAndHugeNumbersAreRefused(@ForAll("badNumber") String number) {
        Answer a = counted(http.post("/events", KEY,
                "{\"customer\":\"fz-1\",\"action\":\"point_add\",\"data\":{\"points\":" + number + "}}"));
        assertValidationError(a, "malformed_json", "invalid_field");
    }

    @Property(tries = 150)
    void fieldsOfTheWrongTypeAreInvalid(@ForAll("field") String field, @ForAll("wrongValue") String value) {
        // null stands for "absent" in the optional fields
        Assume.that(!value.equals("null") || field.equals("customer") || field.equals("action"));
        String body = switch (field) {
            case "customer" -> "{\"customer\":" + value + ",\"action\":\"opt_in\"}";
            case "action" -> "{\"customer\":\"fz-1\",\"action\":" + value + "}";
            case "id" -> "{\"customer\":\"fz-1\",\"action\":\"opt_in\",\"id\":" + value + "}";
            case "account" -> "{\"customer\":\"fz-1\",\"action\":\"point_add\",\"account\":" + value
                    + ",\"data\":{\"points\":1}}";
            default -> "{\"customer\":\"fz-1\",\"action\":\"point_add\",\"data\":" + value + "}";
        };
        assertValidationError(counted(http.post("/events", KEY, body)), "invalid_field", "missing_field",
                "unknown_action");
    }

    @Property(tries = 150)
    void unicodeTricksInCustomerIdsAreInvalid(@ForAll("trickyId") String id) {
        String json = "{\"customer\":\"" + jsonEscape(id) + "\",\"action\":\"opt_in\"}";
        assertValidationError(counted(http.post("/events", KEY, json)), "invalid_field");
        Answer get = counted(http.get("/customers/" + URLEncoder.encode(id, StandardCharsets.UTF_8)
                .replace("+", "%20"), KEY));
        assertThat(get.status()).isIn(400, 404);
    }

    @Provide
    Arbitrary<String> hostileText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(300),
                Arbitraries.strings().withChars("{}[]\":,0123456789.eE+-tfnaul\\ ").ofMaxLength(200),
                Arbitraries.of("", " ", "null", "[]", "{}", "\"x\"", "1", "true", "{\"events\":null}",
                        "{\"events\":{}}", "{\"events\":[1,2,3]}", "{\"a\":1,\"a\":2}", "\uFEFF{}", "{}{}",
                        "{\"customer\":\"fz-1\",\"action\":\"opt_in\"} trailing"));
    }

    @Provide
    Arbitrary<String> validEvent() {
        return Arbitraries.of(
                "{\"customer\":\"fz-1\",\"action\":\"point_add\",\"data\":{\"points\":5}}",
                "{\"customer\":\"fz-2\",\"action\":\"opt_in\",\"id\":\"x-1\",\"data\":{\"name\":\"Ann\"}}",
                "{\"customer\":\"fz-1\",\"action\":\"checkout\",\"data\":{\"transaction_id\":\"T\",\"total\":1.5}}");
    }

    @Provide
    Arbitrary<Double> cut() {
        return Arbitraries.doubles().between(0.0, 0.98);
    }

    @Provide
    Arbitrary<Integer> deep() {
        return Arbitraries.integers().between(65, 20_000);
    }

    @Provide
    Arbitrary<String> badNumber() {
        return Arbitraries.oneOf(
                Arbitraries.of("NaN", "-NaN", "Infinity", "-Infinity", "+1", "1e400", "-1e400", "0x10", ".5",
                        "9223372036854775808", "-9223372036854775809", "1.5", "-1", "1e-400"),
                Arbitraries.strings().numeric().ofMinLength(20).ofMaxLength(5000),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(400).map(d -> "1e4" + d));
    }

    @Provide
    Arbitrary<String> field() {
        return Arbitraries.of("customer", "action", "id", "account", "data");
    }

    @Provide
    Arbitrary<String> wrongValue() {
        return Arbitraries.of("12", "-1.5e3", "true", "false", "[]", "[\"fz-1\"]", "{}", "{\"a\":\"b\"}", "null", "\"\"");
    }

    @Provide
    Arbitrary<String> trickyId() {
        Arbitrary<String> tricks = Arbitraries.of(
                "fz\u200B1", "fz\u202E1", "\u0430dmin", "fz-\uFF11", "fz\u0301", "fz\u0000", "fz 1", "fz/1",
                "fz%2F1", "fz\n1", "\uD83D\uDE00", "fz\u00A01", "x".repeat(65), "fz?1", "fz#1", "fz\\1",
                "fz\"1", "\uFEFFfz");
        Arbitrary<String> mixed = Combinators.combine(
                        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(10),
                        Arbitraries.strings().withCharRange('\u0080', '\uFFFD').ofMinLength(1).ofMaxLength(3))
                .as((a, b) -> a + b)
                .filter(s -> s.chars().noneMatch(c -> Character.isSurrogate((char) c)));
        return Arbitraries.oneOf(tricks, mixed);
    }

    private static String jsonEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    // ---- raw sockets ----

    /** Sends raw bytes and returns the status of the first response line, or -1 when the server closed. */
    private static int raw(byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException closedWhileSending) {
                // the server may answer and close before taking everything
            }
            return status(s.getInputStream());
        }
    }

    private static int status(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        try {
            while ((c = in.read()) != -1 && c != '\n') {
                line.append((char) c);
            }
        } catch (IOException reset) {
            return line.length() == 0 ? -1 : parseStatus(line.toString());
        }
        return line.length() == 0 ? -1 : parseStatus(line.toString());
    }

    private static int parseStatus(String line) {
        String[] parts = line.trim().split(" ");
        return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
    }

    private static int rawCounted(String request) throws IOException {
        return rawCounted(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static int rawCounted(byte[] request) throws IOException {
        int status = raw(request);
        TRIED.incrementAndGet();
        if (status >= 500) {
            FIVE_XX.incrementAndGet();
        }
        assertThat(status).isLessThan(500);
        return status;
    }

    @Example
    void brokenRequestLinesAreRefused() throws IOException {
        int version = raw("GET / HTTP/9.9\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        TRIED.incrementAndGet();
        NOT_IMPLEMENTED.incrementAndGet();
        assertThat(version).as("Vert.x answers an unknown HTTP version itself").isEqualTo(501);
        for (String line : List.of("GARBAGE\r\n\r\n", "GET\r\n\r\n",
                "GET /stats HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n",
                "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                "\u0000\u0001\u0002\r\n\r\n", "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n")) {
            assertThat(rawCounted(line)).as(line).isIn(-1, 400, 401, 404, 405, 505);
        }
    }

    @Example
    void oversizedHeadsAreRefused() throws IOException {
        assertThat(rawCounted("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(414);
        assertThat(rawCounted("GET /stats HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n"))
                .isEqualTo(431);
        StringBuilder many = new StringBuilder("GET /stats HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 2000; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        assertThat(rawCounted(many.append("\r\n").toString())).isEqualTo(431);
    }

    @Example
    void oversizedBodiesAreRefused() throws IOException {
        String head = "POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                + "\r\nContent-Type: application/json\r\n";
        assertThat(rawCounted(head + "Content-Length: 10000000\r\n\r\n{\"customer\":")).isEqualTo(413);
        StringBuilder chunked = new StringBuilder(head + "Transfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 80; i++) {
            chunked.append("400\r\n").append("x".repeat(1024)).append("\r\n");
        }
        assertThat(rawCounted(chunked.append("0\r\n\r\n").toString())).isEqualTo(413);
        assertThat(rawCounted(head + "Transfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n")).isIn(-1, 400);
        assertThat(rawCounted(head + "Content-Length: 5\r\n\r\n{\"a\":")).isEqualTo(400);
    }

    @Example
    void slowAndManyClientsDoNotStopTheServer() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.getOutputStream().write("POST /events HTTP/1.1\r\nHost: x\r\nContent-Le".getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            assertThat(counted(http.get("/customers/fz-1", KEY)).status()).as("served beside slow clients")
                    .isEqualTo(200);
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
        List<Socket> many = new ArrayList<>();
        try {
            for (int i = 0; i < 2000; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.setSoTimeout(30_000);
                many.add(s);
            }
            byte[] request = ("GET /customers/fz-1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            for (Socket s : many) {
                s.getOutputStream().write(request);
            }
            int ok = 0;
            for (Socket s : many) {
                int status = status(s.getInputStream());
                TRIED.incrementAndGet();
                if (status >= 500) {
                    FIVE_XX.incrementAndGet();
                }
                if (status == 200) {
                    ok++;
                }
            }
            assertThat(ok).as("all 2000 connections answered").isEqualTo(2000);
        } finally {
            for (Socket s : many) {
                s.close();
            }
        }
        assertThat(management.get("/health/live", null).status()).isEqualTo(200);
    }
}
