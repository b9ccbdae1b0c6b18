package dev.loyalty.engine.processor;

import java.util.Arrays;

/**
 * The near due work of one partition in memory: a binary min-heap of (due time, customer id), replacing the
 * RocksDB due index on the hot path (no iterator per batch, no read per due customer); the partition state keeps
 * only work up to its loaded due window here. Entries may be stale (the customer's work moved since): the
 * partition state checks each popped entry against its own record of what it scheduled. Owned by the partition
 * thread; grows amortised, allocates nothing per push.
 */
final class DueQueue {

    private long[] dueMs = new long[64];
    private String[] ids = new String[64];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** Due time of the earliest entry; {@link Long#MAX_VALUE} when empty. */
    long peekMs() {
        return size == 0 ? Long.MAX_VALUE : dueMs[0];
    }

    /** Customer of the earliest entry. */
    String peekId() {
        return ids[0];
    }

    void push(long due, String id) {
        if (size == dueMs.length) {
            dueMs = Arrays.copyOf(dueMs, size * 2);
            ids = Arrays.copyOf(ids, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (dueMs[parent] <= due) {
                break;
            }
            dueMs[i] = dueMs[parent];
            ids[i] = ids[parent];
            i = parent;
        }
        dueMs[i] = due;
        ids[i] = id;
    }

    /** Removes the earliest entry. */
    void pop() {
        int last = --size;
        long due = dueMs[last];
        String id = ids[last];
        ids[last] = null;
        if (last == 0) {
            return;
        }
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= last) {
                break;
            }
            if (child + 1 < last && dueMs[child + 1] < dueMs[child]) {
                child++;
            }
            if (dueMs[child] >= due) {
                break;
            }
            dueMs[i] = dueMs[child];
            ids[i] = ids[child];
            i = child;
        }
        dueMs[i] = due;
        ids[i] = id;
    }

    void clear() {
        Arrays.fill(ids, 0, size, null);
        size = 0;
    }
}
