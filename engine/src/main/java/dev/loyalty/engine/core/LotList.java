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
    }

    /** Room for that many lots from the start. */
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
        if (tail == head || compare(timeAt(tail - 1), orderAt(tail - 1), timeMs, ord) < 0) {
            ensureTailRoom();
            set(tail, timeMs, ord, pts);
            tail++;
            return;
        }
        int lo = head;
        int hi = tail;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(timeAt(mid), orderAt(mid), timeMs, ord);
            if (c == 0) {
                addPointsAt(mid, pts);
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
            set(head, timeMs, ord, pts);
            return;
        }
        int rank = lo - head;
        ensureTailRoom();
        lo = head + rank;
        move(lo, lo + 1, tail - lo);
        set(lo, timeMs, ord, pts);
        tail++;
    }

    /**
     * Takes up to {@code pts} points from the head lots, earliest expiry first, writing each part taken to
     * {@code parts} (may be null when the parts are not needed); returns the points taken.
     */
    long take(long pts, PartBuffer parts) {
        long left = pts;
        while (left > 0 && head < tail) {
            long take = Math.min(left, pointsAt(head));
            if (parts != null) {
                parts.add(timeAt(head), orderAt(head), take);
            }
            addPointsAt(head, -take);
            total -= take;
            left -= take;
            if (pointsAt(head) == 0) {
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
            total -= pointsAt(i);
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
        long pts = pointsAt(at);
        total -= pts;
        if (at == head) {
            head++;
        } else {
            move(at + 1, at, tail - at - 1);
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
        long[] pts = new long[size()];
        for (int i = 0; i < pts.length; i++) {
            pts[i] = points(i);
        }
        return "LotList" + Arrays.toString(pts);
    }
}
