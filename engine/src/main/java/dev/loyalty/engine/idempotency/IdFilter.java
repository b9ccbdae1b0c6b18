package dev.loyalty.engine.idempotency;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A Bloom filter of idempotency ids, safe for concurrent adds and probes: "surely never added" or "maybe".
 * It lets a lookup of a new id (most lookups) answer from memory, never from the RocksDB index. Bits are
 * only ever set, so a probe that says "absent" stays true of everything added before it started.
 */
final class IdFilter {

    /** Bits per hash function are picked from one 64-bit hash (Kirsch-Mitzenmacher double hashing). */
    private static final int HASHES = 3;

    private final AtomicLongArray words;
    private final long mask;

    /** @param log2Bits the filter holds {@code 2^log2Bits} bits (2^26 = 8 MiB: ~0.1% false "maybe" at 2M ids) */
    IdFilter(int log2Bits) {
        if (log2Bits < 6 || log2Bits > 34) {
            throw new IllegalArgumentException("log2Bits out of range: " + log2Bits);
        }
        this.words = new AtomicLongArray(1 << (log2Bits - 6));
        this.mask = (1L << log2Bits) - 1;
    }

    void add(String id) {
        add(hash(id));
    }

    /** {@link #add(String)} of the id whose {@link #hash} is {@code h}. */
    void add(long h) {
        long h2 = (h >>> 32) | 1;
        for (int i = 0; i < HASHES; i++) {
            long bit = (h + i * h2) & mask;
            int w = (int) (bit >>> 6);
            long m = 1L << bit;
            long old = words.get(w);
            // Already set is the common case for a repeated id; skip the write then.
            while ((old & m) == 0 && !words.compareAndSet(w, old, old | m)) {
                old = words.get(w);
            }
        }
    }

    /** False only if the id was surely never {@link #add added}. */
    boolean mightContain(String id) {
        return mightContain(hash(id));
    }

    /** {@link #mightContain(String)} of the id whose {@link #hash} is {@code h}. */
    boolean mightContain(long h) {
        long h2 = (h >>> 32) | 1;
        for (int i = 0; i < HASHES; i++) {
            long bit = (h + i * h2) & mask;
            if ((words.get((int) (bit >>> 6)) & (1L << bit)) == 0) {
                return false;
            }
        }
        return true;
    }

    /** 64-bit FNV-1a over the chars with a final avalanche (String.hashCode has too few bits for a big filter). */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb93fe53b2dd5L;
        h ^= h >>> 33;
        return h;
    }
}
