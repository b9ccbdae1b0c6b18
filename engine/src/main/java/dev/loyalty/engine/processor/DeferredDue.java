package dev.loyalty.engine.processor;

import java.util.Arrays;

/**
 * Due times of dirty table rows that lie past the partition's loaded due window: a binary min-heap of (due time,
 * slot). Their due keys are not committed yet, so no window of the store can find them; the partition moves each
 * into its {@link DueQueue} when a window reaches its time, and forgets them all once the rows are written (their
 * keys are then in the batch). Twelve bytes per entry and no {@code String}; owned by the partition thread.
 */
final class DeferredDue extends TimeHeap {

    private int[] slots = new int[INITIAL_CAPACITY];

    /** Slot of the earliest entry. */
    int peekSlot() {
        return slots[0];
    }

    void push(long due, int slot) {
        int i = add(due);
        slots[i] = slot;
        siftUp(i);
    }

    @Override
    void grow(int capacity) {
        slots = Arrays.copyOf(slots, capacity);
    }

    @Override
    void swapPayload(int a, int b) {
        int t = slots[a];
        slots[a] = slots[b];
        slots[b] = t;
    }
}
