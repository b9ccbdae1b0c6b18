package dev.loyalty.api.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.loyalty.engine.config.EngineConfig.ApiKey;
import io.vertx.ext.web.RoutingContext;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Optional HMAC request signing, for keys configured with an {@code hmac-secret}:
 * <pre>
 *   X-Signature: keyId=&lt;key name&gt;,ts=&lt;unix seconds&gt;,sig=&lt;base64 HMAC-SHA256(secret, ts \n METHOD \n URI \n hex(sha256(body)))&gt;
 * </pre>
 * where URI is the path and query as sent. A signature is refused ({@code 401 invalid_signature}) when it is
 * malformed, names no signing key, is dated outside {@link #WINDOW_SECONDS} of this machine's clock, does not
 * match, or was seen before within the window (a replay). Each signature is remembered exactly as long as
 * its own {@code ts} stays within the window, so a client whose clock runs minutes ahead holds only its own
 * entries, never anyone else's. Remembered signatures are bounded ({@link #MAX_REMEMBERED}); past that,
 * signed requests are refused {@code 429} rather than forgetting one that could then be replayed.
 * Thread-safe, without a global lock; one {@link Mac} per thread.
 */
final class RequestSignatures {

    static final String HEADER = "X-Signature";
    /** How far a signature's timestamp may be from this machine's clock, either way. */
    static final long WINDOW_SECONDS = 300;
    static final int MAX_REMEMBERED = 200_000;
    private static final String SIGNED = "loyalty.signed";
    private static final byte[] EMPTY = new byte[0];

    /** A parsed, not yet verified signature. */
    record Signed(ApiKey key, long ts, String sig) {
    }

    private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    });

    /** signature → how long it stays usable (until its ts leaves the window), then forgotten. */
    private final Cache<String, Duration> seen;
    private final int maxRemembered;

    RequestSignatures() {
        this(MAX_REMEMBERED, Ticker.systemTicker());
    }

    /** With a bound and a clock of its own (tests). */
    RequestSignatures(int maxRemembered, Ticker ticker) {
        this.maxRemembered = maxRemembered;
        this.seen = Caffeine.newBuilder().ticker(ticker)
                .expireAfter(Expiry.<String, Duration>creating((signature, usable) -> usable))
                .build();
    }

    /**
     * The key a signature header names, checked for form and time (not yet for the body).
     *
     * @throws ApiException 401 invalid_signature
     */
    Signed parse(String header, ApiKeys keys, long nowSeconds) {
        String keyId = null;
        String ts = null;
        String sig = null;
        for (String part : header.split(",", 4)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw invalid("X-Signature must be keyId=…,ts=…,sig=…");
            }
            String name = part.substring(0, eq).trim();
            String value = part.substring(eq + 1).trim();
            switch (name) {
                case "keyId" -> keyId = value;
                case "ts" -> ts = value;
                case "sig" -> sig = value;
                default -> throw invalid("X-Signature must be keyId=…,ts=…,sig=…");
            }
        }
        if (keyId == null || ts == null || sig == null) {
            throw invalid("X-Signature must be keyId=…,ts=…,sig=…");
        }
        ApiKey key = keys.named(keyId);
        if (key == null || key.hmacSecret() == null) {
            throw invalid("no signing key of that name");
        }
        long seconds;
        try {
            seconds = Long.parseLong(ts);
        } catch (NumberFormatException e) {
            throw invalid("ts must be unix seconds");
        }
        if (Math.abs(nowSeconds - seconds) > WINDOW_SECONDS) {
            throw invalid("the signature's ts is more than " + WINDOW_SECONDS + " s from the server's clock");
        }
        return new Signed(key, seconds, sig);
    }

    /** Keeps a parsed signature for {@link #verifyBody}. */
    static void remember(RoutingContext ctx, Signed signed) {
        ctx.put(SIGNED, signed);
    }

    /** Verifies the signature kept for this request, if any, against its body (empty for a GET). */
    void verifyBody(RoutingContext ctx, byte[] body) {
        Signed signed = ctx.get(SIGNED);
        if (signed != null) {
            verify(signed, ctx.request().method().name(), ctx.request().uri(), body == null ? EMPTY : body,
                    System.currentTimeMillis() / 1000);
        }
    }

    /**
     * Verifies a signature over the request and records it against replays.
     *
     * @throws ApiException 401 invalid_signature, or 429 when too many signatures are remembered
     */
    void verify(Signed signed, String method, String uri, byte[] body, long nowSeconds) {
        byte[] expected = sign(signed.key().hmacSecret(), signed.ts(), method, uri, body);
        byte[] given;
        try {
            given = Base64.getDecoder().decode(signed.sig());
        } catch (IllegalArgumentException e) {
            throw invalid("sig must be base64");
        }
        if (!MessageDigest.isEqual(expected, given)) {
            throw invalid("the signature does not match the request");
        }
        // usable while nowSeconds <= ts + WINDOW_SECONDS; a second more for this clock's truncated seconds
        Duration usable = Duration.ofSeconds(Math.max(1, signed.ts() + WINDOW_SECONDS + 1 - nowSeconds));
        if (seen.estimatedSize() >= maxRemembered) {
            seen.cleanUp(); // the estimate counts entries expired but not yet dropped
            if (seen.estimatedSize() >= maxRemembered) {
                throw new ApiException(429, "overloaded", "too many signed requests within the time window");
            }
        }
        // keyed by the HMAC itself: the same bytes written another way (padding left out) are the same signature
        if (seen.asMap().putIfAbsent(HexFormat.of().formatHex(expected), usable) != null) {
            throw invalid("this signature was already used (replay)");
        }
    }

    /** HMAC-SHA256(secret, ts \n METHOD \n URI \n hex(sha256(body))): what a client computes. */
    static byte[] sign(String secret, long ts, String method, String uri, byte[] body) {
        String text = ts + "\n" + method + "\n" + uri + "\n" + HexFormat.of().formatHex(Sha256.of(body));
        try {
            Mac mac = HMAC.get();
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("an HMAC key of any length is valid", e);
        }
    }

    private static ApiException invalid(String why) {
        return new ApiException(401, "invalid_signature", why);
    }
}
