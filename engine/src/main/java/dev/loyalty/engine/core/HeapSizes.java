package dev.loyalty.engine.core;

/**
 * Estimated heap sizes of the table's objects on a 64-bit JVM with compressed references (heaps under 32 GiB,
 * 16-byte array headers, 8-byte alignment): what {@link CustomerTable} counts against its byte budget. An
 * estimate, not a measurement: {@code bench TableFootprint} compares it with the live heap after a full GC.
 */
final class HeapSizes {
    /** A compressed reference. */
    static final int REF = 4;
    /** An array's header (mark, class, length), aligned. */
    static final int ARRAY = 16;
    /** An object of a header and up to 20 bytes of fields (a {@code SortedTriples}: ref, two ints, a long). */
    static final int OBJECT_32 = 32;
    /** An object of a header and up to 44 bytes of fields ({@code Transactions}: two refs, seven ints, a long). */
    static final int OBJECT_56 = 56;
    /** A {@code String} object (header, value ref, hash, coder, hashIsZero), without its byte array. */
    static final int STRING = 24;

    private HeapSizes() {
    }

    static long longs(int n) {
        return n == 0 ? 0 : ARRAY + 8L * n;
    }

    static long ints(int n) {
        return n == 0 ? 0 : align(ARRAY + 4L * n);
    }

    static long chars(int n) {
        return n == 0 ? 0 : align(ARRAY + 2L * n);
    }

    static long bytes(int n) {
        return n == 0 ? 0 : align(ARRAY + (long) n);
    }

    /** A string of that many chars: Latin-1 (one byte a char) as ids and attributes mostly are; 0 for null. */
    static long string(String s) {
        return s == null ? 0 : STRING + bytes(Math.max(1, s.length()));
    }

    static long align(long n) {
        return (n + 7) & ~7L;
    }
}
