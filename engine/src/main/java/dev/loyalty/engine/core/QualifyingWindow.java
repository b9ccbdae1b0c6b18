package dev.loyalty.engine.core;

/**
 * Tier-qualifying earnings of one customer (checkouts and point_adds into the qualifying account, net of
 * reversals) as primitive columns sorted by (event time, journal order), with a running sum. The points as of
 * an instant are the running sum less the few head entries that left the window since the last prune, so a
 * query costs O(1) amortised; pruning after each applied event drops the head. Keyed by the earning's journal
 * order, which is unique per customer, so a refund finds its checkout's entry by binary search.
 */
public final class QualifyingWindow extends SortedTriples {

    public QualifyingWindow() {
    }

    /** Σ points of entries with event time at or after {@code fromMs}. */
    long sumFrom(long fromMs) {
        long sum = total;
        for (int i = head; i < tail && timeAt(i) < fromMs; i++) {
            sum -= pointsAt(i);
        }
        return sum;
    }

    /** Drops entries with event time before {@code fromMs}: no later query can count them. */
    void pruneBefore(long fromMs) {
        while (head < tail && timeAt(head) < fromMs) {
            total -= pointsAt(head);
            head++;
        }
        if (head == tail) {
            head = 0;
            tail = 0;
        }
    }

    void add(long timeMs, long ord, long pts) {
        total += pts;
        ensureTailRoom();
        int at = tail;
        while (at > head && compare(timeAt(at - 1), orderAt(at - 1), timeMs, ord) > 0) {
            at--;
        }
        if (tail > at) {
            move(at, at + 1, tail - at);
        }
        set(at, timeMs, ord, pts);
        tail++;
    }

    /** Subtracts reversed points from the entry of that key, if it is still in the window. */
    void reduce(long timeMs, long ord, long pts) {
        int lo = head;
        int hi = tail - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(timeAt(mid), orderAt(mid), timeMs, ord);
            if (c == 0) {
                addPointsAt(mid, -pts);
                total -= pts;
                return;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
    }
}
