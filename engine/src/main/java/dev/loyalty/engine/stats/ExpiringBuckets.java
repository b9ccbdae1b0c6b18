package dev.loyalty.engine.stats;

import java.util.Arrays;

/**
 * Per account and UTC day, the points of a partition's lots that expire on that day: the /stats
 * forecast, kept incrementally. Remembers the days changed since the last commit so that only those are
 * written. Owned by the partition's processor thread.
 */
final class ExpiringBuckets {
    private LongLongMap[] points = new LongLongMap[0];
    private LongLongMap[] dirty = new LongLongMap[0];

    void add(int account, long day, long delta) {
        if (delta == 0) {
            return;
        }
        ensure(account + 1);
        points[account].add(day, delta);
        dirty[account].put(day, 1);
    }

    /** Restores a bucket read from the store (not dirty). */
    void load(int account, long day, long value) {
        ensure(account + 1);
        points[account].put(day, value);
    }

    /** Empties every bucket, each one dirty (so that the commit deletes what is not filled again). */
    void clear() {
        for (int a = 0; a < points.length; a++) {
            LongLongMap d = dirty[a];
            points[a].forEach((day, value) -> d.put(day, 1));
            points[a].clear();
        }
    }

    /** Visits the buckets changed since the last call with their values (0 = gone); forgets them. */
    void drainDirty(PartitionStats.ExpiringVisitor visitor) {
        for (int a = 0; a < dirty.length; a++) {
            LongLongMap values = points[a];
            int account = a;
            if (dirty[a].size() > 0) {
                dirty[a].forEach((day, one) -> visitor.bucket(account, day, values.get(day)));
                dirty[a].clear();
            }
        }
    }

    /**
     * Points per window and account: window {@code w} sums the days {@code [clockDay, clockDay + w)}.
     * Earlier days hold nothing once due work has run (their lots have expired).
     */
    long[][] windows(long clockDay, int[] windowsDays, int accounts) {
        long[][] out = new long[windowsDays.length][Math.max(accounts, points.length)];
        for (int w = 0; w < windowsDays.length; w++) {
            for (int a = 0; a < points.length; a++) {
                out[w][a] = points[a].sumRange(clockDay, clockDay + windowsDays[w]);
            }
        }
        return out;
    }

    private void ensure(int accounts) {
        if (points.length >= accounts) {
            return;
        }
        int old = points.length;
        points = Arrays.copyOf(points, accounts);
        dirty = Arrays.copyOf(dirty, accounts);
        for (int a = old; a < accounts; a++) {
            points[a] = new LongLongMap();
            dirty[a] = new LongLongMap();
        }
    }
}
