package dev.loyalty.engine.core;

import java.util.Arrays;

/**
 * Spendable lots of one account of one customer as primitive columns sorted by (event time, journal order),
 * which is earliest expiry first under every policy (expiry is monotone in the event time). Consumption takes
 * from the head in O(1); a credit appends at the tail in O(1) amortised when it is the newest (the common case)
 * and otherwise finds its place by binary search. Listing lots by expiry instant is a walk from the head.
 * Owned by the partition thread.
 */
public final class LotList extends SortedTriples {

    public LotList() {
        this(4);
    }

    LotList(int capacity) {
        super(capacity);
    }

    public boolean isEmpty() {
        return tail == head;
    }

    /** Σ of the lots' points. */
    public long total() {
        return total;
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

    @Override
    public String toString() {
        return "LotList" + Arrays.toString(Arrays.copyOfRange(points, head, tail));
    }
}
