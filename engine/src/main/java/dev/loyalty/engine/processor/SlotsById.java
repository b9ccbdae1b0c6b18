package dev.loyalty.engine.processor;

import dev.loyalty.engine.core.CustomerTable;

/**
 * Sorts table slots by customer id (a commit writes its rows in key order) as ints: a merge sort with reused
 * scratch arrays, not a boxed {@code Integer[]} and a comparator lambda per commit. Each id's first chars are
 * packed once into a long that orders as {@link String#compareTo} does on them (8 chars of 8 bits when every id's
 * first 8 chars fit a byte, else 4 chars of 16 bits; missing chars as 0), so most comparisons are of two longs
 * and only ties read the strings (a commit's ids are random: reading them per comparison is a cache miss each).
 */
final class SlotsById {

    /** Scratch reused from commit to commit (the partition thread's). */
    private int[] slotScratch = new int[0];
    private long[] keys = new long[0];
    private long[] keyScratch = new long[0];

    /** Sorts {@code slots[0, n)} by {@link CustomerTable#id}. */
    void sort(int[] slots, int n, CustomerTable table) {
        if (n < 2) {
            return;
        }
        if (keys.length < n) {
            int size = Math.max(n, keys.length * 2);
            slotScratch = new int[size];
            keys = new long[size];
            keyScratch = new long[size];
        }
        boolean narrow = true;
        for (int i = 0; i < n && narrow; i++) {
            String id = table.id(slots[i]);
            for (int c = 0, end = Math.min(8, id.length()); c < end; c++) {
                if (id.charAt(c) > 0xFF) {
                    narrow = false;
                    break;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            keys[i] = prefix(table.id(slots[i]), narrow);
        }
        int[] from = slots;
        int[] to = slotScratch;
        long[] fromKeys = keys;
        long[] toKeys = keyScratch;
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                merge(from, fromKeys, to, toKeys, lo, Math.min(lo + width, n), Math.min(lo + 2 * width, n), table);
            }
            int[] t = from;
            from = to;
            to = t;
            long[] tk = fromKeys;
            fromKeys = toKeys;
            toKeys = tk;
        }
        if (from != slots) {
            System.arraycopy(from, 0, slots, 0, n);
        }
    }

    /** The id's first chars as an unsigned-ordered long: 8 of 8 bits (narrow) or 4 of 16 bits, 0 past the end. */
    static long prefix(String id, boolean narrow) {
        int bits = narrow ? 8 : 16;
        int chars = 64 / bits;
        long key = 0;
        for (int c = 0; c < chars; c++) {
            key = (key << bits) | (c < id.length() ? id.charAt(c) : 0);
        }
        return key;
    }

    private static void merge(int[] from, long[] fromKeys, int[] to, long[] toKeys, int lo, int mid, int hi,
                              CustomerTable table) {
        int i = lo;
        int j = mid;
        for (int k = lo; k < hi; k++) {
            boolean left;
            if (i >= mid) {
                left = false;
            } else if (j >= hi) {
                left = true;
            } else {
                int c = Long.compareUnsigned(fromKeys[i], fromKeys[j]);
                left = c < 0 || c == 0 && table.id(from[i]).compareTo(table.id(from[j])) <= 0;
            }
            if (left) {
                toKeys[k] = fromKeys[i];
                to[k] = from[i++];
            } else {
                toKeys[k] = fromKeys[j];
                to[k] = from[j++];
            }
        }
    }
}
