package dev.loyalty.engine.rules;

/**
 * The whole mutable state of one customer, owned by the single processor thread of its partition.
 * A customer that has never opted in is a blank instance with {@link #exists()} false.
 */
public final class Customer {

    /** A blank (not yet existing) customer with that id, for the given number of accounts. */
    public Customer(String id, int accounts) {
        throw new UnsupportedOperationException("rules: to be written");
    }

    public String id() {
        throw new UnsupportedOperationException();
    }

    /** True once the customer opted in (even if opted out since). */
    public boolean exists() {
        throw new UnsupportedOperationException();
    }

    /** True while status is active (exists and not opted out). */
    public boolean active() {
        throw new UnsupportedOperationException();
    }

    /** Index of the current tier in the configured ladder (0 = lowest). */
    public int tierIndex() {
        throw new UnsupportedOperationException();
    }

    /** Latest event time of an applied activity event, epoch millis, or {@link Long#MIN_VALUE}. */
    public long lastActivityAtMs() {
        throw new UnsupportedOperationException();
    }

    /** Balance of the account at that index (may be negative while in debt). */
    public long balance(int accountIndex) {
        throw new UnsupportedOperationException();
    }

    /** Due time under which the processor indexed this customer; opaque to the rules, persisted. */
    public long indexedDueMs() {
        throw new UnsupportedOperationException();
    }

    public void indexedDueMs(long dueMs) {
        throw new UnsupportedOperationException();
    }
}
