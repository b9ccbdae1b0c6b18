package dev.loyalty.engine.core;

import java.util.Arrays;

/**
 * The work items due at one instant, taken in journal order: a reusable binary min-heap over (order, arrival)
 * with each item's kind, account and index. Lets a whole group of lots expiring at the same instant (a calendar
 * year, every lot under {@code last_activity}) run in O(g log g) instead of one O(g) selection per lot.
 * Scratch space of the partition thread.
 */
final class InstantWork {

    static final byte EXPIRE = 0;
    static final byte REVIEW = 1;

    private long[] order = new long[16];
    private byte[] kind = new byte[16];
    private int[] account = new int[16];
    private int[] index = new int[16];
    /** Heap of item numbers; items arrive in the order today's rules scan them, which breaks ties. */
    private int[] heap = new int[16];
    private int size;
    private int heapSize;

    void clear() {
        size = 0;
        heapSize = 0;
    }

    void add(long itemOrder, byte itemKind, int itemAccount, int itemIndex) {
        if (size == order.length) {
            int n = size * 2;
            order = Arrays.copyOf(order, n);
            kind = Arrays.copyOf(kind, n);
            account = Arrays.copyOf(account, n);
            index = Arrays.copyOf(index, n);
            heap = Arrays.copyOf(heap, n);
        }
        order[size] = itemOrder;
        kind[size] = itemKind;
        account[size] = itemAccount;
        index[size] = itemIndex;
        heap[heapSize] = size;
        size++;
        siftUp(heapSize++);
    }

    boolean isEmpty() {
        return heapSize == 0;
    }

    /** Removes and returns the item of the smallest (order, arrival). */
    int poll() {
        int top = heap[0];
        heap[0] = heap[--heapSize];
        siftDown(0);
        return top;
    }

    byte kind(int item) {
        return kind[item];
    }

    int account(int item) {
        return account[item];
    }

    int index(int item) {
        return index[item];
    }

    private boolean less(int a, int b) {
        return order[a] < order[b] || (order[a] == order[b] && a < b);
    }

    private void siftUp(int at) {
        int item = heap[at];
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            if (!less(item, heap[parent])) {
                break;
            }
            heap[at] = heap[parent];
            at = parent;
        }
        heap[at] = item;
    }

    private void siftDown(int at) {
        int item = heap[at];
        while (true) {
            int child = 2 * at + 1;
            if (child >= heapSize) {
                break;
            }
            if (child + 1 < heapSize && less(heap[child + 1], heap[child])) {
                child++;
            }
            if (!less(heap[child], item)) {
                break;
            }
            heap[at] = heap[child];
            at = child;
        }
        heap[at] = item;
    }
}
