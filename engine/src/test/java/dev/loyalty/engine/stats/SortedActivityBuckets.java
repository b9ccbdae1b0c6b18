package dev.loyalty.engine.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The reference model of {@link ActivityBuckets}: the boxed sorted maps {@code PartitionStats} used before
 * (one allocation per event), kept in test scope so the primitive buckets are compared with them.
 */
final class SortedActivityBuckets {
    private final TreeMap<Long, Long> activeByDay = new TreeMap<>();
    private final TreeSet<Long> dirtyDays = new TreeSet<>();

    void add(long day, long delta) {
        long n = activeByDay.getOrDefault(day, 0L) + delta;
        if (n == 0) {
            activeByDay.remove(day);
        } else {
            activeByDay.put(day, n);
        }
        dirtyDays.add(day);
    }

    void load(long day, long count) {
        activeByDay.put(day, count);
    }

    void drainDirty(PartitionStats.DayVisitor visitor) {
        for (Long d : dirtyDays) {
            visitor.day(d, activeByDay.getOrDefault(d, 0L));
        }
        dirtyDays.clear();
    }

    long[] windows(long clockDay, int[] windowsDays) {
        long[] active = new long[windowsDays.length];
        for (int i = 0; i < windowsDays.length; i++) {
            long sum = 0;
            for (Map.Entry<Long, Long> e : activeByDay.tailMap(clockDay - windowsDays[i] + 1, true).entrySet()) {
                sum += e.getValue();
            }
            active[i] = sum;
        }
        return active;
    }
}
