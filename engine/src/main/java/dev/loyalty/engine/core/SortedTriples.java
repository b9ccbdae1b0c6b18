package dev.loyalty.engine.core;

/**
 * Primitive columns of (event time, journal order, points) kept sorted by (event time, order), with a head
 * that moves forward as entries leave and a running total: the storage shared by {@link LotList} and
 * {@link QualifyingWindow}. Owned by the partition thread.
 */
abstract class SortedTriples {

    long[] eventTimeMs;
    long[] order;
    long[] points;
    int head;
    int tail;
    long total;

    SortedTriples(int capacity) {
        eventTimeMs = new long[capacity];
        order = new long[capacity];
        points = new long[capacity];
    }

    /** Number of entries. */
    public int size() {
        return tail - head;
    }

    /** Event time of the i-th entry, in sorted order. */
    public long eventTimeMs(int i) {
        return eventTimeMs[head + i];
    }

    /** Journal order of the i-th entry. */
    public long order(int i) {
        return order[head + i];
    }

    /** Points of the i-th entry. */
    public long points(int i) {
        return points[head + i];
    }

    void clear() {
        head = 0;
        tail = 0;
        total = 0;
    }

    /** Makes room for one entry at the tail: slides down when the head freed half the array, else doubles. */
    final void ensureTailRoom() {
        if (tail < eventTimeMs.length) {
            return;
        }
        int n = tail - head;
        if (head > 0 && n <= eventTimeMs.length / 2) {
            System.arraycopy(eventTimeMs, head, eventTimeMs, 0, n);
            System.arraycopy(order, head, order, 0, n);
            System.arraycopy(points, head, points, 0, n);
        } else {
            int capacity = Math.max(4, eventTimeMs.length * 2);
            eventTimeMs = copy(eventTimeMs, head, n, capacity);
            order = copy(order, head, n, capacity);
            points = copy(points, head, n, capacity);
        }
        head = 0;
        tail = n;
    }

    private static long[] copy(long[] from, int start, int n, int capacity) {
        long[] to = new long[capacity];
        System.arraycopy(from, start, to, 0, n);
        return to;
    }

    /** Sort order of entries and parts: earliest event time, then journal order. */
    static int compare(long timeA, long orderA, long timeB, long orderB) {
        int c = Long.compare(timeA, timeB);
        return c != 0 ? c : Long.compare(orderA, orderB);
    }
}
