package dev.loyalty.api.http;

import dev.loyalty.engine.config.EngineConfig.ApiKey;
import dev.loyalty.engine.config.EngineConfig.Scope;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;

/**
 * The configured API keys and how a request presents one ({@code Authorization: Bearer <key>} or
 * {@code X-Api-Key: <key>}). Only SHA-256 digests of the keys are held (configuration may give the digest
 * alone); lookup compares the digest of the presented key with {@link MessageDigest#isEqual} against every
 * key, without stopping at a match, so timing says nothing about the secrets. Never logs a key.
 * Thread-safe.
 */
public final class ApiKeys {

    private static final String BEARER = "bearer ";

    private final List<ApiKey> keys;
    private final byte[][] digests;

    public ApiKeys(List<ApiKey> keys) {
        this.keys = List.copyOf(keys);
        this.digests = new byte[this.keys.size()][];
        for (int i = 0; i < digests.length; i++) {
            digests[i] = java.util.HexFormat.of().parseHex(this.keys.get(i).keySha256());
        }
    }

    /**
     * The key a request presents: the token of an {@code Authorization: Bearer} header, else the
     * {@code X-Api-Key} header; null when neither holds one.
     */
    public static String presented(String authorization, String xApiKey) {
        if (authorization != null) {
            String value = authorization.trim();
            if (value.length() > BEARER.length()
                    && value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                String token = value.substring(BEARER.length()).trim();
                if (!token.isEmpty()) {
                    return token;
                }
            }
        }
        if (xApiKey != null) {
            String token = xApiKey.trim();
            if (!token.isEmpty()) {
                return token;
            }
        }
        return null;
    }

    /** The configured key equal to {@code presented}, or null (also for null). */
    public ApiKey find(String presented) {
        if (presented == null) {
            return null;
        }
        byte[] digest = sha256(presented);
        int match = -1;
        for (int i = 0; i < digests.length; i++) {
            if (MessageDigest.isEqual(digest, digests[i]) && match < 0) {
                match = i;
            }
        }
        return match < 0 ? null : keys.get(match);
    }

    /**
     * Like {@link #find(String)}, but first compares {@code presented} with the last key that matched on
     * this event loop ({@code last}): a client sends the same key on every request, and that comparison
     * (constant time in the presented length) costs far less than hashing it. Only matches are remembered,
     * so a stream of wrong keys neither evicts the good one nor skips its hash; a hit answers what
     * {@link #find(String)} would, since the keys never change. Whether a key hits tells a caller only
     * that it is valid, which the answer says anyway. {@code last} belongs to one thread.
     */
    public ApiKey find(String presented, LastMatch last) {
        if (presented != null && last.presented != null && sameChars(presented, last.presented)) {
            return last.key;
        }
        ApiKey key = find(presented);
        if (key != null) {
            last.presented = presented;
            last.key = key;
        }
        return key;
    }

    /** The last key that matched on one event loop (see {@link #find(String, LastMatch)}); not thread-safe. */
    public static final class LastMatch {
        private String presented;
        private ApiKey key;
    }

    /**
     * Equality without an early exit: the time depends on {@code presented}'s length only (the caller's
     * own), not on how much of the secret {@code known} (never empty) it shares or on that secret's length.
     */
    static boolean sameChars(String presented, String known) {
        int diff = presented.length() ^ known.length();
        int k = known.length();
        for (int i = 0; i < presented.length(); i++) {
            diff |= presented.charAt(i) ^ known.charAt(i % k);
        }
        return diff == 0;
    }

    /** The configured key of that name, or null (names are not secret: signed requests carry them). */
    public ApiKey named(String name) {
        for (ApiKey k : keys) {
            if (k.name().equals(name)) {
                return k;
            }
        }
        return null;
    }

    /** The wire name of a scope, as in configuration and messages. */
    public static String wireName(Scope scope) {
        return scope.name().toLowerCase(Locale.ROOT);
    }

    private static byte[] sha256(String key) {
        return Sha256.of(key.getBytes(StandardCharsets.UTF_8));
    }
}
