package dev.loyalty.engine.processor;

import java.util.Arrays;

/**
 * The hash codes of the customer ids a commit in flight writes, as a reused open-addressing set of ints: a miss
 * of a customer whose hash is here may read the store before that commit landed, so it waits for the landing
 * first; any other miss reads at once. A hash shared with another id costs a needless wait, never a stale read.
 * Allocates only when a commit writes more rows than any before. Owned by the partition thread.
 */
final class IdHashes {
    /** Stands for an empty slot; a hash of 0 is stored as {@link #ZERO_AS}. */
    private static final int EMPTY = 0;
    private static final int ZERO_AS = 0x9e3779b9;

    private int[] slots = new int[1024];
    private int size;

    /** Empties the set and makes room for {@code expected} hashes at half load at most. */
    void reset(int expected) {
        int want = Integer.highestOneBit(Math.max(16, expected) * 4 - 1);
        if (want > slots.length) {
            slots = new int[want];
        } else if (size > 0) {
            Arrays.fill(slots, EMPTY);
        }
        size = 0;
    }

    void add(int hash) {
        int h = hash == EMPTY ? ZERO_AS : hash;
        if (size * 2 >= slots.length) {
            grow();
        }
        int mask = slots.length - 1;
        for (int i = mix(h) & mask; ; i = (i + 1) & mask) {
            if (slots[i] == EMPTY) {
                slots[i] = h;
                size++;
                return;
            }
            if (slots[i] == h) {
                return;
            }
        }
    }

    boolean mightContain(int hash) {
        if (size == 0) {
            return false;
        }
        int h = hash == EMPTY ? ZERO_AS : hash;
        int mask = slots.length - 1;
        for (int i = mix(h) & mask; ; i = (i + 1) & mask) {
            if (slots[i] == EMPTY) {
                return false;
            }
            if (slots[i] == h) {
                return true;
            }
        }
    }

    int size() {
        return size;
    }

    private void grow() {
        int[] old = slots;
        slots = new int[old.length * 2];
        size = 0;
        for (int h : old) {
            if (h != EMPTY) {
                add(h);
            }
        }
    }

    /** Spreads String hash codes (often close together for ids like "c-123") over the low bits. */
    private static int mix(int h) {
        int x = h * 0x9e3779b9;
        return x ^ (x >>> 16);
    }
}
