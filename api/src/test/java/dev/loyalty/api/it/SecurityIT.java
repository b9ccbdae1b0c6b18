package dev.loyalty.api.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.engine.testing.Eventually;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The security options against the real program, served over TLS with a certificate made for the test:
 * keys configured by their SHA-256 only, scopes per route, HMAC-signed requests (time window, replays,
 * tampered bodies), per-key rate limits, plain HTTP refused on the TLS port, and a log that holds no key,
 * secret or payload afterwards.
 */
@Timeout(600)
class SecurityIT {
    private static final String SHOP = "shop-secret-key-1";
    private static final String READER = "reader-plain-key-2";
    private static final String SIGNER = "signer-secret-key-3";
    private static final String HMAC = "signer-hmac-s3cret-0123456789";
    private static final String LIMITED = "limited-secret-key-4";
    private static final String MARKER = "PAYLOAD-MARKER-7f3a9";

    private static Path home;
    private static Path config;
    private static EngineProcess engine;
    private static HttpClient https;

    @BeforeAll
    @Timeout(300)
    static void start() throws Exception {
        home = Files.createTempDirectory("security-it");
        Path cert = home.resolve("cert.pem");
        Path key = home.resolve("key.pem");
        Process openssl;
        try {
            openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost").redirectErrorStream(true).start();
        } catch (IOException e) {
            openssl = null;
        }
        assumeTrue(openssl != null && openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0,
                "the openssl command is needed to make the test certificate");
        config = home.resolve("engine.yaml");
        Files.writeString(config, """
                api:
                  host: 127.0.0.1
                  keys:
                    - name: shop
                      key-sha256: %s
                      scopes: [ingest, read]
                    - name: reader
                      key: %s
                      scopes: [read]
                    - name: signer
                      key-sha256: %s
                      hmac-secret: %s
                      scopes: [ingest, read]
                    - name: limited
                      key-sha256: %s
                      scopes: [read]
                      rate-limit: 2
                      burst: 3
                  tls:
                    enabled: true
                    cert: %s
                    key: %s
                partitions: 1
                """.formatted(sha256(SHOP), READER, sha256(SIGNER), HMAC, sha256(LIMITED), cert, key));
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        // The connect timeout covers the TLS handshake, slow in a fresh JVM on a busy machine.
        https = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30)).build();
        engine = started();
    }

    /** The program on this class's folder and configuration, once its API answers over TLS. */
    private static EngineProcess started() throws IOException {
        EngineProcess started = new EngineProcess(home.resolve("data"), Map.of(), "--config", config.toString())
                .start();
        engine = started;
        // Ready is reported on the management port; the first TLS handshake of a new JVM can take seconds.
        Eventually.until("the API answers over TLS", Eventually.START, () -> {
            try {
                return get("/stats", READER).status() == 200;
            } catch (HttpConnectTimeoutException slowHandshake) {
                return false;
            }
        });
        return started;
    }

    @AfterAll
    @Timeout(180)
    static void stop() throws Exception {
        if (engine != null) {
            engine.close();
        }
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private record Answer(int status, JsonNode body, HttpResponse<String> raw) {
        String code() {
            return body == null ? null : body.path("error").path("code").asText(null);
        }
    }

    private static Answer send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = https.send(b.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = r.body().isEmpty() ? null : EngineProcess.JSON.readTree(r.body());
        return new Answer(r.statusCode(), body, r);
    }

    private static HttpRequest.Builder at(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + engine.port() + pathAndQuery));
    }

    private static Answer get(String path, String key) throws Exception {
        return send(at(path).header("Authorization", "Bearer " + key).GET());
    }

    private static Answer post(String path, String key, String body) throws Exception {
        return send(at(path).header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static String signature(String keyId, long ts, String method, String uri, String body, String secret)
            throws Exception {
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(body.getBytes(StandardCharsets.UTF_8)));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String sig = Base64.getEncoder().encodeToString(mac.doFinal(
                (ts + "\n" + method + "\n" + uri + "\n" + digest).getBytes(StandardCharsets.UTF_8)));
        return "keyId=" + keyId + ",ts=" + ts + ",sig=" + sig;
    }

    private static Answer signedPost(String uri, String signedBody, String sentBody, long ts) throws Exception {
        return send(at(uri).header("X-Signature", signature("signer", ts, "POST", uri, signedBody, HMAC))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(sentBody)));
    }

    private static String event(String customer) {
        return "{\"customer\":\"" + customer + "\",\"action\":\"opt_in\",\"data\":{\"note\":\"" + MARKER + "\"}}";
    }

    @Test
    void shouldAcceptKeysConfiguredByTheirHashAndEnforceScopesPerRoute() throws Exception {
        assertThat(post("/events", SHOP, event("s-1")).status()).isEqualTo(200);
        assertThat(get("/customers/s-1", SHOP).status()).isEqualTo(200);
        assertThat(get("/stats", READER).status()).isEqualTo(200);
        Answer readerPosts = post("/events", READER, event("s-2"));
        assertThat(readerPosts.status()).isEqualTo(403);
        assertThat(readerPosts.code()).isEqualTo("forbidden");
        assertThat(post("/admin/clock", SHOP, "{\"advance_seconds\":60}").status()).isEqualTo(403);
        Answer digestAsKey = get("/stats", sha256(SHOP));
        assertThat(digestAsKey.status()).as("the stored digest is not a key").isEqualTo(401);
        assertThat(get("/stats", "nope").code()).isEqualTo("unauthenticated");
    }

    @Test
    void shouldRequireAValidFreshUnusedSignatureFromASigningKey() throws Exception {
        Answer bearerOnly = post("/events", SIGNER, event("s-3"));
        assertThat(bearerOnly.status()).isEqualTo(401);
        assertThat(bearerOnly.code()).isEqualTo("invalid_signature");

        long now = System.currentTimeMillis() / 1000;
        String body = event("s-3");
        String header = signature("signer", now, "POST", "/events", body, HMAC);
        HttpRequest.Builder signed = at("/events").header("X-Signature", header)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        Answer ok = send(signed);
        assertThat(ok.status()).as(ok.raw().body()).isEqualTo(200);
        Answer replay = send(at("/events").header("X-Signature", header)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(replay.status()).isEqualTo(401);
        assertThat(replay.code()).isEqualTo("invalid_signature");

        assertThat(signedPost("/events", event("s-4"), event("s-5"), now).code())
                .as("a body other than the signed one").isEqualTo("invalid_signature");
        assertThat(signedPost("/events", event("s-4"), event("s-4"), now - 600).code())
                .as("ten minutes old").isEqualTo("invalid_signature");
        assertThat(signedPost("/events", event("s-4"), event("s-4"), now + 600).code())
                .as("ten minutes ahead").isEqualTo("invalid_signature");
        assertThat(signedPost("/events?mode=async", event("s-4"), event("s-4"), now).status())
                .as("query string is signed too").isEqualTo(202);
        Answer wrongSecret = send(at("/events").header("X-Signature",
                        signature("signer", now, "POST", "/events", event("s-6"), "not-the-secret-at-all"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(event("s-6"))));
        assertThat(wrongSecret.code()).isEqualTo("invalid_signature");
        Answer unsignedKeyId = send(at("/stats").header("X-Signature",
                signature("shop", now, "GET", "/stats", "", HMAC)).GET());
        assertThat(unsignedKeyId.code()).as("a key without hmac-secret cannot sign").isEqualTo("invalid_signature");
        Answer signedGet = send(at("/customers/s-3").header("X-Signature",
                signature("signer", now, "GET", "/customers/s-3", "", HMAC)).GET());
        assertThat(signedGet.status()).isEqualTo(200);
        assertThat(send(at("/stats").header("X-Signature", "garbage").GET()).code()).isEqualTo("invalid_signature");
    }

    @Test
    void shouldLimitEachKeysRateWith429AndRetryAfter() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        String retryAfter = null;
        for (int i = 0; i < 12; i++) {
            Answer a = get("/stats", LIMITED);
            statuses.add(a.status());
            if (a.status() == 429) {
                assertThat(a.code()).isEqualTo("overloaded");
                retryAfter = a.raw().headers().firstValue("Retry-After").orElse(null);
            }
        }
        assertThat(statuses).as("burst of 3 at 2/s").contains(200, 429);
        assertThat(statuses.stream().filter(s -> s == 200).count()).isLessThanOrEqualTo(3 + 2L * 12);
        assertThat(statuses.subList(0, 3)).containsOnly(200);
        assertThat(retryAfter).isNotNull();
        assertThat(Integer.parseInt(retryAfter)).isPositive();
        assertThat(get("/stats", SHOP).status()).as("other keys are not limited").isEqualTo(200);
    }

    @Test
    void shouldServeTheApiOnlyOverTls() {
        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port()
                        + "/stats")).timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + SHOP).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void shouldBindManagementToLoopbackByDefault() throws Exception {
        String yaml = Files.readString(EngineProcess.home().resolve("config/engine.yaml"));
        assertThat(yaml).containsPattern("management:\\s*\\n(\\s*#.*\\n)*\\s*host: 127\\.0\\.0\\.1");
        assertThat(engine.management("/health/live").status()).isEqualTo(200);
    }

    @Test
    void shouldKeepKeysSecretsAndPayloadsOutOfTheLog() throws Exception {
        // Uses every key and secret itself, so the check does not depend on which tests ran before it.
        assertThat(post("/events", SHOP, event("s-7")).status()).isEqualTo(200);
        assertThat(get("/stats", READER).status()).isEqualTo(200);
        assertThat(get("/stats", LIMITED).status()).isIn(200, 429);
        assertThat(signedPost("/events", event("s-8"), event("s-8"), System.currentTimeMillis() / 1000).status())
                .isEqualTo(200);
        assertThat(post("/events", SIGNER, event("s-9")).code()).isEqualTo("invalid_signature");
        assertThat(post("/events", SHOP, "{\"customer\":\"" + MARKER + "\",\"action\":\"opt_in\"").status())
                .isEqualTo(400);
        assertThat(post("/events", SHOP, "{\"customer\":\"s-9\",\"action\":\"" + MARKER + "\"}").status())
                .isEqualTo(400);
        // The whole log, flushed by a clean stop; then the program serves again for the other tests.
        try {
            assertThat(engine.stop()).isZero();
        } finally {
            engine = started();
        }
        String log = engine.log();
        assertThat(log).contains("loyalty engine started");
        assertThat(log).doesNotContain(SHOP, READER, SIGNER, HMAC, LIMITED, MARKER, sha256(SHOP));
    }
}
