package dev.loyalty.engine.core;

import dev.loyalty.engine.rules.ExpiryDayVisitor;

import java.util.Arrays;

/**
 * Changes one rules call made to a customer's lots whose expiry day depends on the lot alone (rolling and
 * calendar policies), as (account, UTC expiry day, ± points): what the /stats expiring buckets must add, so
 * that they follow a customer in O(lots touched) rather than O(lots held). A reusable primitive buffer owned
 * by the partition thread; neighbouring changes of one day merge.
 */
public final class ExpiryDeltas {
    private int[] account = new int[8];
    private long[] day = new long[8];
    private long[] points = new long[8];
    private int size;

    /** Forgets every change (at the start of each rules call). */
    public void clear() {
        size = 0;
    }

    public int size() {
        return size;
    }

    void add(int acct, long epochDay, long pts) {
        if (size > 0 && account[size - 1] == acct && day[size - 1] == epochDay) {
            points[size - 1] += pts;
            return;
        }
        if (size == points.length) {
            account = Arrays.copyOf(account, size * 2);
            day = Arrays.copyOf(day, size * 2);
            points = Arrays.copyOf(points, size * 2);
        }
        account[size] = acct;
        day[size] = epochDay;
        points[size] = pts;
        size++;
    }

    /** Visits the changes in the order they were made (a change of 0 points is left out). */
    public void forEach(ExpiryDayVisitor visitor) {
        for (int i = 0; i < size; i++) {
            if (points[i] != 0) {
                visitor.expiring(account[i], day[i], points[i]);
            }
        }
    }
}
