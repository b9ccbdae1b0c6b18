package dev.loyalty.api.http;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 with one reusable digest per thread (event loops hash on every request). Thread-safe. */
final class Sha256 {

    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });

    private Sha256() {
    }

    static byte[] of(byte[] input) {
        return DIGEST.get().digest(input);
    }
}
