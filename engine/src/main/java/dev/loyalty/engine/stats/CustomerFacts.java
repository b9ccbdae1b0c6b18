package dev.loyalty.engine.stats;

import dev.loyalty.engine.core.CoreRules;
import dev.loyalty.engine.core.CustomerTable;
import dev.loyalty.engine.rules.ExpiryDayVisitor;

import java.util.Arrays;

/** The statistics-relevant facts of a customer at one moment; a reusable holder owned by one processor. */
public final class CustomerFacts {
    private static final long DAY_MS = 86_400_000L;
    /** Marker for "no activity yet". */
    public static final long NO_DAY = Long.MIN_VALUE;

    boolean exists;
    boolean active;
    int tier;
    long activityDay;
    long[] balances = new long[4];
    int accounts;
    /**
     * Expiring lot points as runs sorted by (account, day): {@code runs} entries of {@link #runAccount},
     * {@link #runDay}, {@link #runPoints}. Arrays grow and are reused: no allocation per capture.
     */
    int runs;
    int[] runAccount = new int[8];
    long[] runDay = new long[8];
    long[] runPoints = new long[8];
    private final ExpiryDayVisitor collector = this::addRun;

    /**
     * Captures the facts of the customer in that slot of the rules' table ({@code slot < 0}: a customer that
     * is not there, as a blank one) in O(accounts): the expiring runs of last_activity accounts only, as the
     * rules report the changes of the other accounts' lots ({@link CoreRules#lotExpiryDeltas()}) and a hot
     * customer's many lots must not be walked per event.
     */
    public CustomerFacts capture(CoreRules rules, int slot) {
        return capture(rules, slot, false);
    }

    /** As {@link #capture} with the expiring runs of every account: O(lots), for recounting the buckets. */
    public CustomerFacts captureWithLots(CoreRules rules, int slot) {
        return capture(rules, slot, true);
    }

    private CustomerFacts capture(CoreRules rules, int slot, boolean allLots) {
        this.accounts = rules.config().accounts().size();
        runs = 0;
        CustomerTable table = rules.table();
        exists = slot >= 0 && table.exists(slot);
        if (!exists) {
            return this;
        }
        active = table.active(slot);
        tier = table.tierIndex(slot);
        long last = table.lastActivityAtMs(slot);
        activityDay = last == Long.MIN_VALUE ? NO_DAY : Math.floorDiv(last, DAY_MS);
        if (balances.length < accounts) {
            balances = Arrays.copyOf(balances, accounts);
        }
        for (int i = 0; i < accounts; i++) {
            balances[i] = table.balance(slot, i);
        }
        if (allLots) {
            rules.forEachExpiryDay(slot, collector);
        } else {
            rules.forEachCustomerExpiryDay(slot, collector);
        }
        return this;
    }

    private void addRun(int account, long day, long points) {
        if (runs == runDay.length) {
            int n = runs * 2;
            runAccount = Arrays.copyOf(runAccount, n);
            runDay = Arrays.copyOf(runDay, n);
            runPoints = Arrays.copyOf(runPoints, n);
        }
        runAccount[runs] = account;
        runDay[runs] = day;
        runPoints[runs] = points;
        runs++;
    }

    /** Orders run {@code i} of this against run {@code j} of {@code o} by (account, day). */
    int compareRun(int i, CustomerFacts o, int j) {
        int c = Integer.compare(runAccount[i], o.runAccount[j]);
        return c != 0 ? c : Long.compare(runDay[i], o.runDay[j]);
    }

    /** True when both describe the same figures (nothing to change in the statistics). */
    public boolean sameAs(CustomerFacts o) {
        if (exists != o.exists) {
            return false;
        }
        if (!exists) {
            return true;
        }
        if (active != o.active || tier != o.tier || activityDay != o.activityDay || accounts != o.accounts
                || runs != o.runs) {
            return false;
        }
        return Arrays.equals(balances, 0, accounts, o.balances, 0, accounts)
                && Arrays.equals(runDay, 0, runs, o.runDay, 0, runs)
                && Arrays.equals(runPoints, 0, runs, o.runPoints, 0, runs)
                && Arrays.equals(runAccount, 0, runs, o.runAccount, 0, runs);
    }
}
