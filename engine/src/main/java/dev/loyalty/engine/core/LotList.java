package dev.loyalty.engine.core;

import java.util.Arrays;

/**
 * Spendable lots of one account of one customer as primitive columns sorted by (event time, journal order),
 * which is earliest expiry first under every policy (expiry is monotone in the event time). Consumption takes
 * from the head in O(1); a credit appends at the tail in O(1) amortised when it is the newest (the common case)
 * and otherwise finds its place by binary search. Listing lots by expiry instant is a walk from the head.
 * Owned by the partition thread.
 */
public final class LotList {

    private long[] eventTimeMs;
    private long[] order;
    private long[] points;
    private int head;
    private int tail;
    private long total;

    public LotList() {
        this(4);
    }

    LotList(int capacity) {
        eventTimeMs = new long[capacity];
        order = new long[capacity];
        points = new long[capacity];
    }

    /** Number of lots. */
    public int size() {
        return tail - head;
    }

    public boolean isEmpty() {
        return tail == head;
    }

    /** Σ of the lots' points. */
    public long total() {
        return total;
    }

    /** Event time of the i-th lot, earliest expiry first. */
    public long eventTimeMs(int i) {
        return eventTimeMs[head + i];
    }

    /** Journal order of the i-th lot. */
    public long order(int i) {
        return order[head + i];
    }

    /** Points of the i-th lot, always positive. */
    public long points(int i) {
        return points[head + i];
    }

    void clear() {
        head = 0;
        tail = 0;
        total = 0;
    }

    /**
     * Adds points as a lot of that (event time, order), merged into the lot of that very key if there is one.
     * A lot sorting after every other one is appended; else it is inserted at its binary-searched place.
     */
    void insert(long timeMs, long ord, long pts) {
        total += pts;
        if (tail == head || compare(eventTimeMs[tail - 1], order[tail - 1], timeMs, ord) < 0) {
            ensureTailRoom();
            eventTimeMs[tail] = timeMs;
            order[tail] = ord;
            points[tail] = pts;
            tail++;
            return;
        }
        int lo = head;
        int hi = tail;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(eventTimeMs[mid], order[mid], timeMs, ord);
            if (c == 0) {
                points[mid] += pts;
                return;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo == head && head > 0) {
            // room before the head: a backdated credit sorting first costs no shift
            head--;
            eventTimeMs[head] = timeMs;
            order[head] = ord;
            points[head] = pts;
            return;
        }
        int rank = lo - head;
        ensureTailRoom();
        lo = head + rank;
        int n = tail - lo;
        System.arraycopy(eventTimeMs, lo, eventTimeMs, lo + 1, n);
        System.arraycopy(order, lo, order, lo + 1, n);
        System.arraycopy(points, lo, points, lo + 1, n);
        eventTimeMs[lo] = timeMs;
        order[lo] = ord;
        points[lo] = pts;
        tail++;
    }

    /**
     * Takes up to {@code pts} points from the head lots, earliest expiry first, writing each part taken to
     * {@code parts} (may be null when the parts are not needed); returns the points taken.
     */
    long take(long pts, PartBuffer parts) {
        long left = pts;
        while (left > 0 && head < tail) {
            long take = Math.min(left, points[head]);
            if (parts != null) {
                parts.add(eventTimeMs[head], order[head], take);
            }
            points[head] -= take;
            total -= take;
            left -= take;
            if (points[head] == 0) {
                head++;
            }
        }
        if (head == tail) {
            head = 0;
            tail = 0;
        }
        return pts - left;
    }

    /** Removes the first {@code n} lots (a group that expired). */
    void removeFirst(int n) {
        for (int i = head; i < head + n; i++) {
            total -= points[i];
        }
        head += n;
        if (head == tail) {
            head = 0;
            tail = 0;
        }
    }

    /** Removes the i-th lot (an expiring one); returns its points. */
    long removeAt(int i) {
        int at = head + i;
        long pts = points[at];
        total -= pts;
        if (at == head) {
            head++;
        } else {
            int n = tail - at - 1;
            System.arraycopy(eventTimeMs, at + 1, eventTimeMs, at, n);
            System.arraycopy(order, at + 1, order, at, n);
            System.arraycopy(points, at + 1, points, at, n);
            tail--;
        }
        if (head == tail) {
            head = 0;
            tail = 0;
        }
        return pts;
    }

    private void ensureTailRoom() {
        if (tail < eventTimeMs.length) {
            return;
        }
        int n = tail - head;
        if (head > 0 && n <= eventTimeMs.length / 2) {
            // slide down rather than grow: consumption freed half the array at the head
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

    /** Consumption order of lots and parts: earliest event time, then journal order. */
    static int compare(long timeA, long orderA, long timeB, long orderB) {
        int c = Long.compare(timeA, timeB);
        return c != 0 ? c : Long.compare(orderA, orderB);
    }

    @Override
    public String toString() {
        return "LotList" + Arrays.toString(Arrays.copyOfRange(points, head, tail));
    }
}
