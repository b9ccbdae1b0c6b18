package dev.loyalty.engine.processor;

import dev.loyalty.engine.core.CustomerTable;

/**
 * Sorts table slots by customer id (a commit writes its rows in key order) as ints: a merge sort with a reused
 * scratch array, not a boxed {@code Integer[]} and a comparator lambda per commit.
 */
final class SlotsById {

    private SlotsById() {
    }

    /**
     * Sorts {@code slots[0, n)} by {@link CustomerTable#id}; returns the scratch array to pass next time (grown if
     * it was too small).
     */
    static int[] sort(int[] slots, int n, CustomerTable table, int[] scratch) {
        if (scratch.length < n) {
            scratch = new int[Math.max(n, scratch.length * 2)];
        }
        int[] from = slots;
        int[] to = scratch;
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                merge(from, to, lo, mid, hi, table);
            }
            int[] t = from;
            from = to;
            to = t;
        }
        if (from != slots) {
            System.arraycopy(from, 0, slots, 0, n);
        }
        return scratch;
    }

    private static void merge(int[] from, int[] to, int lo, int mid, int hi, CustomerTable table) {
        int i = lo;
        int j = mid;
        for (int k = lo; k < hi; k++) {
            if (i < mid && (j >= hi || table.id(from[i]).compareTo(table.id(from[j])) <= 0)) {
                to[k] = from[i++];
            } else {
                to[k] = from[j++];
            }
        }
    }
}
