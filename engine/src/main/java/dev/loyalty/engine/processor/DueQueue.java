package dev.loyalty.engine.processor;

import java.util.Arrays;

/**
 * The near due work of one partition in memory: a binary min-heap of (due time, customer id), replacing the
 * RocksDB due index on the hot path (no iterator per batch, no read per due customer); the partition state keeps
 * only work up to its loaded due window here. Entries may be stale (the customer's work moved since): the
 * partition state checks each popped entry against its own record of what it scheduled. Owned by the partition
 * thread; grows amortised, allocates nothing per push.
 */
final class DueQueue extends TimeHeap {

    private String[] ids = new String[INITIAL_CAPACITY];

    /** Customer of the earliest entry. */
    String peekId() {
        return ids[0];
    }

    void push(long due, String id) {
        int i = add(due);
        ids[i] = id;
        siftUp(i);
    }

    @Override
    void grow(int capacity) {
        ids = Arrays.copyOf(ids, capacity);
    }

    @Override
    void swapPayload(int a, int b) {
        String t = ids[a];
        ids[a] = ids[b];
        ids[b] = t;
    }

    @Override
    void release(int i) {
        ids[i] = null;
    }
}
