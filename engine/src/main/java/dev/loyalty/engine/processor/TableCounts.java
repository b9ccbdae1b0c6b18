package dev.loyalty.engine.processor;

/**
 * Indexes of a partition's customer-table and commit counters ({@code loyalty_customer_table_*} and
 * {@code loyalty_processor_commits_total} in {@code /metrics}).
 */
final class TableCounts {
    /** Lookup of a customer held in the table. */
    static final int HIT = 0;
    /** Lookup that read the customer's stored record from RocksDB and decoded it (a miss). */
    static final int STORED = 1;
    /** Lookup that found the customer among the rows written to make room, not yet committed (a miss). */
    static final int PENDING = 2;
    /** Lookup of a customer nothing knows: a blank row (a new customer, or an unknown id). */
    static final int NEW = 3;
    /** Lookup served by the warm tier's encoded row ({@code WarmRows}): decoded without a RocksDB read (a miss). */
    static final int WARM = 4;
    /** A customer evicted to make room for another. */
    static final int EVICTED = 5;
    /** The table was full of changed customers: all of them written into the pending batch before an eviction. */
    static final int DIRTY_WRITES = 6;
    /** A commit of the partition's state (write-behind of the changed customers, statistics, checkpoint). */
    static final int COMMITS = 7;
    /** A {@link #STORED} lookup served by its journal record's read ahead (one multiGet per record), not a get. */
    static final int READ_AHEAD = 8;
    static final int COUNT = 9;
    /** The {@code result} tag of each lookup counter, by index (HIT … WARM). */
    static final String[] LOOKUP_RESULTS = {"hit", "stored", "pending", "new", "warm"};

    private TableCounts() {
    }
}
