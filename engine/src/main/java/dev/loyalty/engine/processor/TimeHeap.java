package dev.loyalty.engine.processor;

import java.util.Arrays;

/**
 * A binary min-heap by due time for the partition's due work; each entry's payload lives at the same index of the
 * subclass's parallel array, which this class grows and swaps through {@link #grow} and {@link #swapPayload}.
 * Entries of equal time come out in no particular order. Owned by the partition thread; grows amortised,
 * allocates nothing per push.
 */
abstract class TimeHeap {

    static final int INITIAL_CAPACITY = 64;

    private long[] dueMs = new long[INITIAL_CAPACITY];
    private int size;

    final boolean isEmpty() {
        return size == 0;
    }

    final int size() {
        return size;
    }

    /** Due time of the earliest entry; {@link Long#MAX_VALUE} when empty. */
    final long peekMs() {
        return size == 0 ? Long.MAX_VALUE : dueMs[0];
    }

    /** Appends an entry due at {@code due} and returns its index: put its payload there, then {@link #siftUp}. */
    final int add(long due) {
        if (size == dueMs.length) {
            dueMs = Arrays.copyOf(dueMs, size * 2);
            grow(size * 2);
        }
        dueMs[size] = due;
        return size++;
    }

    /** Moves the entry at {@code i} up to its place. */
    final void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (dueMs[parent] <= dueMs[i]) {
                break;
            }
            swap(i, parent);
            i = parent;
        }
    }

    /** Removes the earliest entry. */
    final void pop() {
        int last = --size;
        swap(0, last);
        release(last);
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && dueMs[child + 1] < dueMs[child]) {
                child++;
            }
            if (dueMs[child] >= dueMs[i]) {
                break;
            }
            swap(i, child);
            i = child;
        }
    }

    /** Forgets every entry. */
    void clear() {
        for (int i = 0; i < size; i++) {
            release(i);
        }
        size = 0;
    }

    private void swap(int a, int b) {
        long t = dueMs[a];
        dueMs[a] = dueMs[b];
        dueMs[b] = t;
        swapPayload(a, b);
    }

    /** Grows the payload array to {@code capacity}, keeping its entries. */
    abstract void grow(int capacity);

    abstract void swapPayload(int a, int b);

    /** The entry at {@code i} is gone: drop what its payload holds on to (nothing for primitives). */
    void release(int i) {
    }
}
