package dev.loyalty.engine.core;

import java.util.Arrays;

/**
 * The hot customers of one partition in compact form, owned by its processor thread: fixed fields in primitive
 * columns indexed by slot, the per-account counters in one long column (slot × accounts × counters), and per
 * slot the variable parts (lots per account, qualifying window, open transactions), created on first use.
 *
 * <p>Bounded: {@link #capacity()} slots. When every slot is taken, {@link #create} evicts a clean customer
 * (one whose state is stored: {@link #markClean}), chosen by a clock hand; a table full of dirty customers
 * refuses to grow ({@link IllegalStateException}), which the write-behind step turns into a flush. A customer
 * never seen is a blank row ({@link #exists} false) until its opt_in. The number of accounts is fixed per
 * table: a configuration that adds accounts reloads the partition from its snapshots.
 */
public final class CustomerTable {

    /** Marker for a null time, as in {@code CustomerView}. */
    public static final long NONE = Long.MIN_VALUE;
    /** {@link #ledgerHead} of a customer without ledger entries (the derived log's "no previous entry"). */
    public static final long NO_LEDGER = -1;

    /** Per-account counters, in the order of the counter column. */
    public static final int RESERVED = 0;
    public static final int DEBT = 1;
    public static final int PENDING = 2;
    public static final int EARNED = 3;
    public static final int SPENT = 4;
    public static final int EXPIRED = 5;
    public static final int DEDUCTED = 6;
    static final int COUNTERS = 7;

    private static final byte EXISTS = 1;
    private static final byte ACTIVE = 2;
    private static final byte DIRTY = 4;

    private final int capacity;
    private final int accounts;
    private final String[] id;
    private final byte[] flags;
    private final long[] optedInAtMs;
    private final long[] lastActivityAtMs;
    private final int[] tierIndex;
    private final long[] tierValidUntilMs;
    private final long[] tierOrder;
    private final long[] nextEntryId;
    private final long[] nextOrder;
    private final long[] indexedDueMs;
    private final long[] ledgerHead;
    private final long[] onceDone;
    private final String[] attributesJson;
    private final long[] counters;
    private final LotList[] lots;
    private final QualifyingWindow[] qualifying;
    private final Transactions[] transactions;

    /** Open addressing over slots by id: slot + 1, 0 for empty; at most half full. */
    private final int[] index;
    private final int[] freeSlots;
    private int freeCount;
    private int size;
    private int clockHand;

    public CustomerTable(int capacity, int accounts) {
        if (capacity < 1 || capacity > (1 << 29) || accounts < 1) {
            throw new IllegalArgumentException("capacity " + capacity + ", accounts " + accounts);
        }
        this.capacity = capacity;
        this.accounts = accounts;
        id = new String[capacity];
        flags = new byte[capacity];
        optedInAtMs = new long[capacity];
        lastActivityAtMs = new long[capacity];
        tierIndex = new int[capacity];
        tierValidUntilMs = new long[capacity];
        tierOrder = new long[capacity];
        nextEntryId = new long[capacity];
        nextOrder = new long[capacity];
        indexedDueMs = new long[capacity];
        ledgerHead = new long[capacity];
        onceDone = new long[capacity];
        attributesJson = new String[capacity];
        counters = new long[capacity * accounts * COUNTERS];
        lots = new LotList[capacity * accounts];
        qualifying = new QualifyingWindow[capacity];
        transactions = new Transactions[capacity];
        index = new int[Integer.highestOneBit(capacity) * 4];
        freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeSlots[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    public int capacity() {
        return capacity;
    }

    /** Number of customers held. */
    public int size() {
        return size;
    }

    public int accounts() {
        return accounts;
    }

    /** Slot of that customer, or -1 when not held. */
    public int find(String customerId) {
        int mask = index.length - 1;
        for (int i = hash(customerId) & mask; ; i = (i + 1) & mask) {
            int slot = index[i] - 1;
            if (slot < 0) {
                return -1;
            }
            if (id[slot].equals(customerId)) {
                return slot;
            }
        }
    }

    /**
     * Slot of the customer whose id is the {@code length} ASCII bytes {@code idBytes} (whose
     * {@link String#hashCode()} is {@code stringHash}), or -1 when not held: a lookup straight from journaled bytes,
     * without a string per event. Only for ASCII ids (one byte is one char); others go through {@link #find(String)}.
     */
    public int findAscii(byte[] idBytes, int length, int stringHash) {
        int mask = index.length - 1;
        for (int i = spread(stringHash) & mask; ; i = (i + 1) & mask) {
            int slot = index[i] - 1;
            if (slot < 0) {
                return -1;
            }
            String candidate = id[slot];
            if (candidate.hashCode() == stringHash && sameAscii(candidate, idBytes, length)) {
                return slot;
            }
        }
    }

    private static boolean sameAscii(String s, byte[] b, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) != b[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Adds a blank customer (not yet opted in, clean) and returns its slot, evicting a clean customer when full.
     *
     * @throws IllegalStateException when every customer held is dirty
     */
    public int create(String customerId) {
        if (freeCount == 0 && evictClean() < 0) {
            throw new IllegalStateException("customer table full: all " + capacity + " customers are dirty");
        }
        int slot = freeSlots[--freeCount];
        id[slot] = customerId;
        flags[slot] = 0;
        optedInAtMs[slot] = NONE;
        lastActivityAtMs[slot] = NONE;
        tierIndex[slot] = 0;
        tierValidUntilMs[slot] = NONE;
        tierOrder[slot] = 0;
        nextEntryId[slot] = 1;
        nextOrder[slot] = 1;
        indexedDueMs[slot] = Long.MAX_VALUE;
        ledgerHead[slot] = NO_LEDGER;
        onceDone[slot] = 0;
        attributesJson[slot] = null;
        Arrays.fill(counters, slot * accounts * COUNTERS, (slot + 1) * accounts * COUNTERS, 0L);
        for (int a = 0; a < accounts; a++) {
            LotList l = lots[slot * accounts + a];
            if (l != null) {
                l.clear();
            }
        }
        if (qualifying[slot] != null) {
            qualifying[slot].clear();
        }
        // The slot's objects are reused, not replaced: a customer loaded into an evicted customer's slot
        // allocates nothing that would live as long as the row (what young collections copy and promote).
        if (transactions[slot] != null) {
            transactions[slot].clear();
        }
        int mask = index.length - 1;
        int i = hash(customerId) & mask;
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = slot + 1;
        size++;
        return slot;
    }

    /** Evicts one clean customer (clock order); returns its former slot, or -1 when none is clean. */
    public int evictClean() {
        for (int n = 0; n < capacity; n++) {
            int slot = clockHand;
            clockHand = clockHand + 1 == capacity ? 0 : clockHand + 1;
            if (id[slot] != null && (flags[slot] & DIRTY) == 0) {
                remove(slot);
                return slot;
            }
        }
        return -1;
    }

    /** Drops the customer of that slot from the table (its lots, window and transactions stay for reuse). */
    public void remove(int slot) {
        int mask = index.length - 1;
        int i = hash(id[slot]) & mask;
        while (index[i] != slot + 1) {
            i = (i + 1) & mask;
        }
        // backward-shift deletion keeps every probe chain unbroken without tombstones
        int gap = i;
        for (int j = (gap + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
            int home = hash(id[index[j] - 1]) & mask;
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                index[gap] = index[j];
                gap = j;
            }
        }
        index[gap] = 0;
        id[slot] = null;
        attributesJson[slot] = null;
        freeSlots[freeCount++] = slot;
        size--;
    }

    public String id(int slot) {
        return id[slot];
    }

    /** True once the customer opted in (even if opted out since). */
    public boolean exists(int slot) {
        return (flags[slot] & EXISTS) != 0;
    }

    /** True while active: exists and not opted out. */
    public boolean active(int slot) {
        return (flags[slot] & (EXISTS | ACTIVE)) == (EXISTS | ACTIVE);
    }

    /** True when changed since last {@link #markClean}: it may not be evicted. */
    public boolean dirty(int slot) {
        return (flags[slot] & DIRTY) != 0;
    }

    public void markClean(int slot) {
        flags[slot] &= ~DIRTY;
    }

    /** Marks the row changed (it must be written before it may be evicted). */
    public void markDirty(int slot) {
        flags[slot] |= DIRTY;
    }

    void exists(int slot, boolean value) {
        flags[slot] = (byte) (value ? flags[slot] | EXISTS : flags[slot] & ~EXISTS);
    }

    /** The raw active flag (without existence). */
    boolean activeFlag(int slot) {
        return (flags[slot] & ACTIVE) != 0;
    }

    void active(int slot, boolean value) {
        flags[slot] = (byte) (value ? flags[slot] | ACTIVE : flags[slot] & ~ACTIVE);
    }

    public long optedInAtMs(int slot) {
        return optedInAtMs[slot];
    }

    void optedInAtMs(int slot, long value) {
        optedInAtMs[slot] = value;
    }

    public long lastActivityAtMs(int slot) {
        return lastActivityAtMs[slot];
    }

    void lastActivityAtMs(int slot, long value) {
        lastActivityAtMs[slot] = value;
    }

    public int tierIndex(int slot) {
        return tierIndex[slot];
    }

    void tierIndex(int slot, int value) {
        tierIndex[slot] = value;
    }

    public long tierValidUntilMs(int slot) {
        return tierValidUntilMs[slot];
    }

    void tierValidUntilMs(int slot, long value) {
        tierValidUntilMs[slot] = value;
    }

    /** Journal order of the record that set the tier validity: tie-break of the review. */
    public long tierOrder(int slot) {
        return tierOrder[slot];
    }

    void tierOrder(int slot, long value) {
        tierOrder[slot] = value;
    }

    /** Number of the next ledger entry. */
    public long nextEntryId(int slot) {
        return nextEntryId[slot];
    }

    void nextEntryId(int slot, long value) {
        nextEntryId[slot] = value;
    }

    /** Next journal order number for things created (lots, checkouts, tier validity). */
    public long nextOrder(int slot) {
        return nextOrder[slot];
    }

    void nextOrder(int slot, long value) {
        nextOrder[slot] = value;
    }

    /** Takes the next journal order number. */
    long takeOrder(int slot) {
        return nextOrder[slot]++;
    }

    /** Due time under which the processor indexed this customer; opaque to the rules. */
    public long indexedDueMs(int slot) {
        return indexedDueMs[slot];
    }

    public void indexedDueMs(int slot, long value) {
        indexedDueMs[slot] = value;
    }

    /**
     * Position of the customer's newest ledger record in the partition's derived log, or {@link #NO_LEDGER};
     * opaque to the rules (the processor keeps it, the snapshot stores it).
     */
    public long ledgerHead(int slot) {
        return ledgerHead[slot];
    }

    public void ledgerHead(int slot, long position) {
        ledgerHead[slot] = position;
    }

    /** Bit i set: the i-th configured custom action (once-only) was applied. */
    public long onceDone(int slot) {
        return onceDone[slot];
    }

    void onceDone(int slot, long value) {
        onceDone[slot] = value;
    }

    /** Profile attributes, merged, as compact JSON; null when none. */
    public String attributesJson(int slot) {
        return attributesJson[slot];
    }

    void attributesJson(int slot, String value) {
        attributesJson[slot] = value;
    }

    /** One per-account counter ({@link #RESERVED} … {@link #DEDUCTED}). */
    public long counter(int slot, int account, int counter) {
        return counters[(slot * accounts + account) * COUNTERS + counter];
    }

    void counter(int slot, int account, int counter, long value) {
        counters[(slot * accounts + account) * COUNTERS + counter] = value;
    }

    void add(int slot, int account, int counter, long delta) {
        counters[(slot * accounts + account) * COUNTERS + counter] += delta;
    }

    /** The lots of an account, or null when no customer of this slot ever had one (may be empty). */
    public LotList lotsOrNull(int slot, int account) {
        return lots[slot * accounts + account];
    }

    LotList lots(int slot, int account) {
        int i = slot * accounts + account;
        LotList l = lots[i];
        if (l == null) {
            l = new LotList();
            lots[i] = l;
        }
        return l;
    }

    /** Σ points of the account's lots. */
    public long lotPoints(int slot, int account) {
        LotList l = lots[slot * accounts + account];
        return l == null ? 0 : l.total();
    }

    /** Balance: lots + reserved − debt (negative while in debt). */
    public long balance(int slot, int account) {
        return lotPoints(slot, account) + counter(slot, account, RESERVED) - counter(slot, account, DEBT);
    }

    /** Balance less reserved points: the lots, or minus the debt (the two never coexist). */
    public long spendable(int slot, int account) {
        return lotPoints(slot, account) - counter(slot, account, DEBT);
    }

    /** The qualifying window, or null when no customer of this slot had a qualifying earning (may be empty). */
    public QualifyingWindow qualifyingOrNull(int slot) {
        return qualifying[slot];
    }

    QualifyingWindow qualifying(int slot) {
        QualifyingWindow q = qualifying[slot];
        if (q == null) {
            q = new QualifyingWindow();
            qualifying[slot] = q;
        }
        return q;
    }

    /** The transactions, or null when no customer of this slot ever had one (may be empty). */
    public Transactions transactionsOrNull(int slot) {
        return transactions[slot];
    }

    Transactions transactions(int slot) {
        Transactions t = transactions[slot];
        if (t == null) {
            t = new Transactions();
            transactions[slot] = t;
        }
        return t;
    }

    private static int hash(String customerId) {
        return spread(customerId.hashCode());
    }

    private static int spread(int stringHash) {
        int h = stringHash * 0x9E3779B9;
        return h ^ (h >>> 15);
    }
}
