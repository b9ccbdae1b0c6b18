package dev.loyalty.engine.stats;

import dev.loyalty.engine.state.BinaryReader;
import dev.loyalty.engine.state.BinaryWriter;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Programme statistics of one partition, maintained incrementally from each customer's facts before and
 * after every change (never by scanning). Active-member windows come from per-day buckets of active
 * customers' last activity. Owned by the partition's processor thread; published as immutable snapshots.
 */
public final class PartitionStats {
    private static final long DAY_MS = 86_400_000L;

    private long membersTotal;
    private long membersActive;
    private long membersOptedOut;
    private long eventsApplied;
    private long[] tiers = new long[4];
    private long[] liability = new long[4];
    private final TreeMap<Long, Long> activeByDay = new TreeMap<>();
    private final TreeSet<Long> dirtyDays = new TreeSet<>();

    /** Replaces the contribution of {@code before} with that of {@code after}. */
    public void change(CustomerFacts before, CustomerFacts after) {
        if (before.sameAs(after)) {
            return;
        }
        apply(before, -1);
        apply(after, +1);
    }

    private void apply(CustomerFacts f, int sign) {
        if (!f.exists) {
            return;
        }
        membersTotal += sign;
        if (f.active) {
            membersActive += sign;
            tiers = grow(tiers, f.tier + 1);
            tiers[f.tier] += sign;
            if (f.activityDay != CustomerFacts.NO_DAY) {
                long n = activeByDay.getOrDefault(f.activityDay, 0L) + sign;
                if (n == 0) {
                    activeByDay.remove(f.activityDay);
                } else {
                    activeByDay.put(f.activityDay, n);
                }
                dirtyDays.add(f.activityDay);
            }
        } else {
            membersOptedOut += sign;
        }
        liability = grow(liability, f.accounts);
        for (int i = 0; i < f.accounts; i++) {
            liability[i] += sign * f.balances[i];
        }
    }

    private static long[] grow(long[] a, int n) {
        return a.length >= n ? a : Arrays.copyOf(a, Math.max(n, a.length * 2));
    }

    public void countApplied() {
        eventsApplied++;
    }

    /** Days whose bucket changed since the last call, with their counts (0 = remove); clears the set. */
    public void drainDirtyDays(DayVisitor visitor) {
        for (Long d : dirtyDays) {
            visitor.day(d, activeByDay.getOrDefault(d, 0L));
        }
        dirtyDays.clear();
    }

    /** Receives one day bucket. */
    public interface DayVisitor {
        void day(long day, long count);
    }

    /** Restores a bucket read from the store. */
    public void loadDay(long day, long count) {
        activeByDay.put(day, count);
    }

    /** The scalar figures (everything but the day buckets) in binary form. */
    public byte[] encodeScalars(BinaryWriter w) {
        w.reset();
        w.writeLong(membersTotal).writeLong(membersActive).writeLong(membersOptedOut).writeLong(eventsApplied);
        w.writeVarInt(tiers.length);
        for (long t : tiers) {
            w.writeLong(t);
        }
        w.writeVarInt(liability.length);
        for (long l : liability) {
            w.writeLong(l);
        }
        return w.toBytes();
    }

    public void decodeScalars(byte[] b) {
        BinaryReader r = new BinaryReader(b);
        membersTotal = r.readLong();
        membersActive = r.readLong();
        membersOptedOut = r.readLong();
        eventsApplied = r.readLong();
        tiers = new long[r.readVarInt()];
        for (int i = 0; i < tiers.length; i++) {
            tiers[i] = r.readLong();
        }
        liability = new long[r.readVarInt()];
        for (int i = 0; i < liability.length; i++) {
            liability[i] = r.readLong();
        }
    }

    /** An immutable snapshot as of that clock, with active counts for each window (days). */
    public Snapshot snapshot(long clockMs, int[] windowsDays) {
        long clockDay = Math.floorDiv(clockMs, DAY_MS);
        long[] active = new long[windowsDays.length];
        for (int i = 0; i < windowsDays.length; i++) {
            long sum = 0;
            for (Map.Entry<Long, Long> e : activeByDay.tailMap(clockDay - windowsDays[i] + 1, true).entrySet()) {
                sum += e.getValue();
            }
            active[i] = sum;
        }
        return new Snapshot(clockMs, eventsApplied, membersTotal, membersActive, membersOptedOut,
                tiers.clone(), liability.clone(), active);
    }

    /**
     * Immutable figures of one partition.
     *
     * @param activeByWindow active customers per configured window, same order as the windows
     */
    public record Snapshot(long clockMs, long eventsApplied, long membersTotal, long membersActive,
                           long membersOptedOut, long[] tiers, long[] liability, long[] activeByWindow) {
    }
}
