package dev.loyalty.engine.journal;

import net.openhft.chronicle.bytes.Bytes;

import java.nio.charset.StandardCharsets;

/**
 * Recently decoded short strings by their bytes (direct-mapped, {@value #SLOTS} slots, the newest wins a slot):
 * actions, accounts and reasons repeat from event to event, so decoding them usually allocates nothing. Strings
 * longer than {@value #MAX_BYTES} bytes are decoded afresh. Owned by one thread.
 */
final class StringCache {
    private static final int SLOTS = 1024;
    private static final int MAX_BYTES = 48;

    private final byte[][] keys = new byte[SLOTS][];
    private final String[] values = new String[SLOTS];
    private final byte[] scratch = new byte[MAX_BYTES];

    /** The string of the {@code n} UTF-8 bytes at {@code at} in {@code in}. */
    String get(Bytes<?> in, long at, int n) {
        if (n > MAX_BYTES) {
            byte[] b = new byte[n];
            in.read(at, b, 0, n);
            return new String(b, StandardCharsets.UTF_8);
        }
        in.read(at, scratch, 0, n);
        int h = n;
        for (int i = 0; i < n; i++) {
            h = 31 * h + scratch[i];
        }
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        byte[] key = keys[slot];
        if (key != null && same(key, n)) {
            return values[slot];
        }
        byte[] copy = java.util.Arrays.copyOf(scratch, n);
        String s = new String(copy, StandardCharsets.UTF_8);
        keys[slot] = copy;
        values[slot] = s;
        return s;
    }

    private boolean same(byte[] key, int n) {
        if (key.length != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (key[i] != scratch[i]) {
                return false;
            }
        }
        return true;
    }
}
