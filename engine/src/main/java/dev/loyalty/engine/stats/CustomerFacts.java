package dev.loyalty.engine.stats;

import dev.loyalty.engine.rules.Customer;

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

    /** Captures the facts of that customer over {@code accounts} accounts. */
    public CustomerFacts capture(Customer c, int accounts) {
        exists = c.exists();
        this.accounts = accounts;
        if (!exists) {
            return this;
        }
        active = c.active();
        tier = c.tierIndex();
        long last = c.lastActivityAtMs();
        activityDay = last == Long.MIN_VALUE ? NO_DAY : Math.floorDiv(last, DAY_MS);
        if (balances.length < accounts) {
            balances = Arrays.copyOf(balances, accounts);
        }
        for (int i = 0; i < accounts; i++) {
            balances[i] = c.balance(i);
        }
        return this;
    }

    /** True when both describe the same figures (nothing to change in the statistics). */
    public boolean sameAs(CustomerFacts o) {
        if (exists != o.exists) {
            return false;
        }
        if (!exists) {
            return true;
        }
        if (active != o.active || tier != o.tier || activityDay != o.activityDay || accounts != o.accounts) {
            return false;
        }
        return Arrays.equals(balances, 0, accounts, o.balances, 0, accounts);
    }
}
