package dev.loyalty.engine.core;

/**
 * Entries of (event time, journal order, points) kept sorted by (event time, order), with a head that moves
 * forward as entries leave and a running total: the storage shared by {@link LotList} and
 * {@link QualifyingWindow}. One interleaved array (entry i at {@code 3i}), not three: a held customer's lots and
 * window are then two objects each instead of four, which is what the collector traces and copies per customer.
 * Owned by the partition thread.
 */
abstract class SortedTriples {

    /** Entries kept across {@link #clear()} (a reused row); a longer array is dropped then (a hot row's). */
    private static final int KEEP_ON_CLEAR = 64;
    private static final long[] EMPTY = new long[0];

    /** (time, order, points) per entry. */
    long[] data = EMPTY;
    int head;
    int tail;
    long total;

    SortedTriples() {
    }

    /** Room for that many entries from the start. */
    SortedTriples(int capacity) {
        data = new long[3 * capacity];
    }

    /** Number of entries. */
    public int size() {
        return tail - head;
    }

    /** Event time of the i-th entry, in sorted order. */
    public long eventTimeMs(int i) {
        return data[3 * (head + i)];
    }

    /** Journal order of the i-th entry. */
    public long order(int i) {
        return data[3 * (head + i) + 1];
    }

    /** Points of the i-th entry. */
    public long points(int i) {
        return data[3 * (head + i) + 2];
    }

    final long timeAt(int at) {
        return data[3 * at];
    }

    final long orderAt(int at) {
        return data[3 * at + 1];
    }

    final long pointsAt(int at) {
        return data[3 * at + 2];
    }

    final void addPointsAt(int at, long delta) {
        data[3 * at + 2] += delta;
    }

    final void set(int at, long timeMs, long ord, long pts) {
        int i = 3 * at;
        data[i] = timeMs;
        data[i + 1] = ord;
        data[i + 2] = pts;
    }

    /** Moves entries [from, from + n) to start at {@code to}. */
    final void move(int from, int to, int n) {
        System.arraycopy(data, 3 * from, data, 3 * to, 3 * n);
    }

    final int capacity() {
        return data.length / 3;
    }

    /**
     * Heap this instance takes (object and array, as allocated: the array's capacity, not its entries), for the
     * table's byte budget: O(1), read after each change, never a walk of the entries.
     */
    final long heapBytes() {
        return HeapSizes.OBJECT_32 + HeapSizes.longs(data.length);
    }

    void clear() {
        head = 0;
        tail = 0;
        total = 0;
        if (data.length > 3 * KEEP_ON_CLEAR) {
            data = EMPTY;
        }
    }

    /** Makes room for one entry at the tail: slides down when the head freed half the array, else doubles. */
    final void ensureTailRoom() {
        int capacity = capacity();
        if (tail < capacity) {
            return;
        }
        int n = tail - head;
        if (head > 0 && n <= capacity / 2) {
            move(head, 0, n);
        } else {
            // a first entry gets room for one: most customers hold a lot or two, not four
            long[] to = new long[3 * (capacity == 0 ? 1 : Math.max(4, capacity * 2))];
            System.arraycopy(data, 3 * head, to, 0, 3 * n);
            data = to;
        }
        head = 0;
        tail = n;
    }

    /** Sort order of entries and parts: earliest event time, then journal order. */
    static int compare(long timeA, long orderA, long timeB, long orderB) {
        int c = Long.compare(timeA, timeB);
        return c != 0 ? c : Long.compare(orderA, orderB);
    }
}
