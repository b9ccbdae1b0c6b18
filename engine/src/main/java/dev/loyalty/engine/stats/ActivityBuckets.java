package dev.loyalty.engine.stats;

/**
 * Per UTC day, how many active customers had their last activity that day: the active-member windows of
 * /stats, kept incrementally. Primitive maps (no boxing), so that an event's update allocates nothing and
 * touches one slot; remembers the days changed since the last commit so that only those are written.
 * Owned by the partition's processor thread.
 */
final class ActivityBuckets {
    private final LongLongMap counts = new LongLongMap();
    /** Days changed since the last {@link #drainDirty}; the value is a marker (1). */
    private final LongLongMap dirty = new LongLongMap();

    /** Adds {@code delta} customers to that day (a bucket reaching 0 is dropped). */
    void add(long day, long delta) {
        counts.add(day, delta);
        dirty.put(day, 1);
    }

    /** Restores a bucket read from the store (not dirty). */
    void load(long day, long count) {
        counts.put(day, count);
    }

    /** Visits the days changed since the last call with their counts (0 = gone), in no order; forgets them. */
    void drainDirty(PartitionStats.DayVisitor visitor) {
        if (dirty.size() == 0) {
            return;
        }
        dirty.forEach((day, one) -> visitor.day(day, counts.get(day)));
        dirty.clear();
    }

    /**
     * Active customers per window: window {@code w} counts the days from {@code clockDay - w + 1} on (later
     * days included, as the sorted map this replaces did). One pass over the buckets for all windows.
     */
    long[] windows(long clockDay, int[] windowsDays) {
        long[] from = new long[windowsDays.length];
        for (int i = 0; i < windowsDays.length; i++) {
            from[i] = clockDay - windowsDays[i] + 1;
        }
        return counts.sumsFrom(from);
    }
}
