package dev.loyalty.engine.processor;

import java.util.Arrays;

/**
 * Due times of dirty table rows that lie past the partition's loaded due window: a binary min-heap of (due time,
 * slot). Their due keys are not committed yet, so no window of the store can find them; the partition moves each
 * into its {@link DueQueue} when a window reaches its time, and forgets them all once the rows are written (their
 * keys are then in the batch). Twelve bytes per entry and no {@code String}; owned by the partition thread.
 */
final class DeferredDue {

    private long[] dueMs = new long[64];
    private int[] slots = new int[64];
    private int size;

    int size() {
        return size;
    }

    /** Due time of the earliest entry; {@link Long#MAX_VALUE} when empty. */
    long peekMs() {
        return size == 0 ? Long.MAX_VALUE : dueMs[0];
    }

    /** Slot of the earliest entry. */
    int peekSlot() {
        return slots[0];
    }

    void push(long due, int slot) {
        if (size == dueMs.length) {
            dueMs = Arrays.copyOf(dueMs, size * 2);
            slots = Arrays.copyOf(slots, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (dueMs[parent] <= due) {
                break;
            }
            dueMs[i] = dueMs[parent];
            slots[i] = slots[parent];
            i = parent;
        }
        dueMs[i] = due;
        slots[i] = slot;
    }

    /** Removes the earliest entry. */
    void pop() {
        int last = --size;
        long due = dueMs[last];
        int slot = slots[last];
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
            slots[i] = slots[child];
            i = child;
        }
        dueMs[i] = due;
        slots[i] = slot;
    }

    void clear() {
        size = 0;
    }
}
