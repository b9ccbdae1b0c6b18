package dev.loyalty.engine.stats;

import dev.loyalty.engine.core.ExpiryDeltas;
import dev.loyalty.engine.rules.ExpiryDayVisitor;
import dev.loyalty.engine.state.BinaryReader;
import dev.loyalty.engine.state.BinaryWriter;

import java.util.Arrays;

/**
 * Programme statistics of one partition, maintained incrementally from each customer's facts before and
 * after every change (never by scanning). Active-member windows come from per-day buckets of active
 * customers' last activity (primitive maps: an event's update allocates nothing); the expiring-points forecast from per-account, per-day buckets of the points
 * of lots expiring that day (every customer's lots, opted-out ones included: their points expire too). Owned by the partition's processor thread; published as immutable snapshots.
 */
public final class PartitionStats {
    private static final long DAY_MS = 86_400_000L;

    private long membersTotal;
    private long membersActive;
    private long membersOptedOut;
    private long eventsApplied;
    private long[] tiers = new long[4];
    private long[] liability = new long[4];
    private final ActivityBuckets activeByDay = new ActivityBuckets();
    private final ExpiringBuckets expiring = new ExpiringBuckets();
    private final ExpiryDayVisitor expiringAdder = expiring::add;

    /** Replaces the contribution of {@code before} with that of {@code after}. */
    public void change(CustomerFacts before, CustomerFacts after) {
        if (before.sameAs(after)) {
            return;
        }
        apply(before, -1);
        apply(after, +1);
        changeExpiring(before, after);
    }

    /** Applies the difference of the expiring runs only: the days an event did not touch stay clean. */
    private void changeExpiring(CustomerFacts b, CustomerFacts a) {
        int i = 0;
        int j = 0;
        while (i < b.runs || j < a.runs) {
            int c = i == b.runs ? 1 : j == a.runs ? -1 : b.compareRun(i, a, j);
            if (c == 0) {
                expiring.add(a.runAccount[j], a.runDay[j], a.runPoints[j] - b.runPoints[i]);
                i++;
                j++;
            } else if (c < 0) {
                expiring.add(b.runAccount[i], b.runDay[i], -b.runPoints[i]);
                i++;
            } else {
                expiring.add(a.runAccount[j], a.runDay[j], a.runPoints[j]);
                j++;
            }
        }
    }

    /**
     * Empties the expiring buckets, to be filled again with {@link #addExpiring} for every customer: after a
     * rules change that moves the expiry of existing lots.
     */
    public void clearExpiring() {
        expiring.clear();
    }

    /** Adds the lot changes of one rules call (rolling and calendar accounts): O(changes). */
    public void addExpiring(ExpiryDeltas deltas) {
        deltas.forEach(expiringAdder);
    }

    /** Adds a customer's expiring runs (rebuilding the buckets). */
    public void addExpiring(CustomerFacts f) {
        for (int i = 0; i < f.runs; i++) {
            expiring.add(f.runAccount[i], f.runDay[i], f.runPoints[i]);
        }
    }

    /** Expiring buckets changed since the last call, with their points (0 = remove); forgets them. */
    public void drainDirtyExpiring(ExpiringVisitor visitor) {
        expiring.drainDirty(visitor);
    }

    /** Restores an expiring bucket read from the store. */
    public void loadExpiring(int account, long day, long points) {
        expiring.load(account, day, points);
    }

    /** Receives one expiring bucket: account index, UTC day, points. */
    public interface ExpiringVisitor {
        void bucket(int account, long day, long points);
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
                activeByDay.add(f.activityDay, sign);
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

    /**
     * Days whose bucket changed since the last call, with their counts (0 = remove), in no particular order
     * (they go into one write batch); clears the set.
     */
    public void drainDirtyDays(DayVisitor visitor) {
        activeByDay.drainDirty(visitor);
    }

    /** Receives one day bucket. */
    public interface DayVisitor {
        void day(long day, long count);
    }

    /** Restores a bucket read from the store. */
    public void loadDay(long day, long count) {
        activeByDay.load(day, count);
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

    /**
     * An immutable snapshot as of that clock, with active counts for each active window and expiring points
     * per expiring window and account (days).
     */
    public Snapshot snapshot(long clockMs, int[] windowsDays, int[] expiringWindowsDays, int accounts) {
        long clockDay = Math.floorDiv(clockMs, DAY_MS);
        long[] active = activeByDay.windows(clockDay, windowsDays);
        return new Snapshot(clockMs, eventsApplied, membersTotal, membersActive, membersOptedOut,
                tiers.clone(), liability.clone(), active, expiring.windows(clockDay, expiringWindowsDays, accounts));
    }

    /**
     * Immutable figures of one partition.
     *
     * @param activeByWindow   active customers per configured window, same order as the windows
     * @param expiringByWindow per expiring window (configuration order), per account index: points of lots
     *                         expiring on one of the window's days counted from the clock's day
     */
    public record Snapshot(long clockMs, long eventsApplied, long membersTotal, long membersActive,
                           long membersOptedOut, long[] tiers, long[] liability, long[] activeByWindow,
                           long[][] expiringByWindow) {
    }
}
