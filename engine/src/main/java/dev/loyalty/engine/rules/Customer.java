package dev.loyalty.engine.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The whole mutable state of one customer, owned by the single processor thread of its partition.
 * A customer that has never opted in is a blank instance with {@link #exists()} false.
 *
 * <p>Only {@link Rules} changes it and only {@link CustomerCodec} serialises it; collections are sorted
 * maps and lists in journal order, so that equal histories give equal bytes.
 */
public final class Customer {

    /** Marker for a null time. */
    static final long NONE = Long.MIN_VALUE;

    final String id;
    boolean exists;
    boolean active;
    long optedInAtMs = NONE;
    long lastActivityAtMs = NONE;
    int tierIndex;
    long tierValidUntilMs = NONE;
    /** Journal order of the record that set {@link #tierValidUntilMs}: tie-break of the review. */
    long tierOrder;
    /** Number of the next ledger entry. */
    long nextEntryId = 1;
    /** Next journal order number for things created (lots, checkouts, tier validity). */
    long nextOrder = 1;
    long indexedDueMs = Long.MAX_VALUE;
    /** Profile attributes of opt_in/profile, merged, as compact JSON; null when none. */
    String attributesJson;
    final ArrayList<Account> accounts = new ArrayList<>();
    final TreeMap<String, Checkout> checkouts = new TreeMap<>();
    final TreeMap<String, Spend> spends = new TreeMap<>();
    final TreeMap<String, Reservation> reservations = new TreeMap<>();
    /**
     * Tier-qualifying earnings (checkouts and point_add into the qualifying account), net of reversals, in
     * journal order; entries older than the qualifying window are pruned.
     */
    final ArrayList<Qualifying> qualifying = new ArrayList<>();
    /** Once-only custom actions already applied. */
    final TreeSet<String> onceDone = new TreeSet<>();
    /**
     * Earliest due time of pending work as last worked out by the {@link Rules} in {@link #dueRules} (not
     * serialised): valid while the customer is unchanged since, which {@code Rules} ensures by clearing
     * {@code dueRules} before every change.
     */
    long knownDueMs;
    /** The rules that worked out {@link #knownDueMs}, or null when it is not known. */
    Rules dueRules;
    /** Checkouts whose points are pending, derived from {@link #checkouts} (not serialised). */
    final List<Checkout> pendingCheckouts = new ArrayList<>();

    /** A blank (not yet existing) customer with that id, for the given number of accounts. */
    public Customer(String id, int accounts) {
        this.id = id;
        ensureAccounts(accounts);
    }

    /** Qualifying points of one checkout ({@code transactionId} set) or point_add (null). */
    static final class Qualifying {
        final long eventTimeMs;
        final String transactionId;
        long points;

        Qualifying(long eventTimeMs, String transactionId, long points) {
            this.eventTimeMs = eventTimeMs;
            this.transactionId = transactionId;
            this.points = points;
        }
    }

    public String id() {
        return id;
    }

    /** True once the customer opted in (even if opted out since). */
    public boolean exists() {
        return exists;
    }

    /** True while status is active (exists and not opted out). */
    public boolean active() {
        return exists && active;
    }

    /** Index of the current tier in the configured ladder (0 = lowest). */
    public int tierIndex() {
        return tierIndex;
    }

    /** Latest event time of an applied activity event, epoch millis, or {@link Long#MIN_VALUE}. */
    public long lastActivityAtMs() {
        return lastActivityAtMs;
    }

    /** Balance of the account at that index (may be negative while in debt); 0 for an account never used. */
    public long balance(int accountIndex) {
        return accountIndex < accounts.size() ? accounts.get(accountIndex).balance() : 0;
    }

    /** Number of ledger entries made so far (the id of the latest entry). */
    public long ledgerEntries() {
        return nextEntryId - 1;
    }

    /** Due time under which the processor indexed this customer; opaque to the rules, persisted. */
    public long indexedDueMs() {
        return indexedDueMs;
    }

    public void indexedDueMs(long dueMs) {
        this.indexedDueMs = dueMs;
    }

    /** The account at that index, growing the list with empty accounts when the configuration added some. */
    Account account(int index) {
        ensureAccounts(index + 1);
        return accounts.get(index);
    }

    void ensureAccounts(int count) {
        while (accounts.size() < count) {
            accounts.add(new Account());
        }
    }

    void addCheckout(Checkout checkout) {
        checkouts.put(checkout.transactionId, checkout);
        if (checkout.status == Checkout.Status.PENDING) {
            pendingCheckouts.add(checkout);
        }
    }
}
