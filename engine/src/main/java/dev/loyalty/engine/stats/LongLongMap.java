package dev.loyalty.engine.stats;

import java.util.Arrays;

/**
 * A long-to-long hash map without boxing (linear probing, backward-shift removal): the per-day buckets
 * change on most events, and a boxed map would allocate on each. Absent keys read as 0, and a key whose
 * value becomes 0 is removed. Single-threaded.
 */
final class LongLongMap {
    private static final long EMPTY = Long.MIN_VALUE;

    private long[] keys;
    private long[] values;
    private int size;
    private int mask;

    LongLongMap() {
        allocate(16);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        values = new long[capacity];
        mask = capacity - 1;
        size = 0;
    }

    int size() {
        return size;
    }

    long get(long key) {
        checkKey(key);
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == EMPTY) {
                return 0;
            }
        }
    }

    /** Adds {@code delta} to the key's value; returns the new value (0 means the key is gone). */
    long add(long key, long delta) {
        checkKey(key);
        if (delta == 0) {
            return get(key);
        }
        int i = slot(key);
        for (; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                long v = values[i] + delta;
                if (v == 0) {
                    removeAt(i);
                } else {
                    values[i] = v;
                }
                return v;
            }
            if (k == EMPTY) {
                break;
            }
        }
        keys[i] = key;
        values[i] = delta;
        if (++size * 4 > keys.length * 3) {
            grow();
        }
        return delta;
    }

    void put(long key, long value) {
        add(key, value - get(key));
    }

    void clear() {
        Arrays.fill(keys, EMPTY);
        size = 0;
    }

    /** Sum of the values of keys in {@code [from, to)}. */
    long sumRange(long from, long to) {
        long sum = 0;
        for (int i = 0; i < keys.length; i++) {
            long k = keys[i];
            if (k != EMPTY && k >= from && k < to) {
                sum += values[i];
            }
        }
        return sum;
    }

    /** For each {@code from[i]}, the sum of the values of keys {@code >= from[i]}; one pass over the table. */
    long[] sumsFrom(long[] from) {
        long[] sums = new long[from.length];
        for (int i = 0; i < keys.length; i++) {
            long k = keys[i];
            if (k == EMPTY) {
                continue;
            }
            for (int w = 0; w < from.length; w++) {
                if (k >= from[w]) {
                    sums[w] += values[i];
                }
            }
        }
        return sums;
    }

    /** Visits every entry, in no particular order. */
    void forEach(Visitor visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                visitor.entry(keys[i], values[i]);
            }
        }
    }

    /** Receives one entry. */
    interface Visitor {
        void entry(long key, long value);
    }

    private void removeAt(int hole) {
        // Backward shift: pull later entries of the probe chain into the hole, so lookups need no tombstones.
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            long k = keys[i];
            if (k == EMPTY) {
                break;
            }
            int home = slot(k);
            boolean movable = hole <= i ? (home <= hole || home > i) : (home <= hole && home > i);
            if (movable) {
                keys[hole] = k;
                values[hole] = values[i];
                hole = i;
            }
        }
        keys[hole] = EMPTY;
        values[hole] = 0;
        size--;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        allocate(oldKeys.length * 2);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                add(oldKeys[i], oldValues[i]);
            }
        }
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private static void checkKey(long key) {
        if (key == EMPTY) {
            throw new IllegalArgumentException("key Long.MIN_VALUE is reserved");
        }
    }
}
