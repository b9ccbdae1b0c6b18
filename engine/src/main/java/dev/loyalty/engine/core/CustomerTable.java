package dev.loyalty.engine.core;

import java.util.Arrays;

/**
 * The hot customers of one partition in compact form, owned by its processor thread: the fixed fields and the
 * per-account counters of a slot side by side in one row of a long array (slot × (fixed words + accounts ×
 * counters)), and per slot the variable parts (lots per account, qualifying window, open transactions), created
 * on first use.
 *
 * <p>Bounded twice: at most {@link #capacity()} customers, and (a table made by {@link #bounded}) about
 * {@link #byteBudget()} bytes of heap ({@link #heapBytes()}: the slot arrays as allocated, plus per slot an
 * estimate of its id, attributes, lots, qualifying window and transactions, kept by {@link #weigh} after each
 * change, so a customer with 100K lots counts as big). The slot arrays start small and double while the budget
 * allows. When no slot is free and none can be added, {@link #create} evicts a clean customer (one whose state is
 * stored: {@link #markClean}), chosen by a clock hand; a table full of dirty customers refuses to grow
 * ({@link IllegalStateException}), which the write-behind step turns into a flush. Evicting while over the byte
 * budget is the caller's ({@link #hasRoom()}, {@link #evictClean()}), so that it can flush dirty rows first. A customer
 * never seen is a blank row ({@link #exists} false) until its opt_in. The number of accounts is fixed per
 * table: a configuration that adds accounts reloads the partition from its snapshots.
 */
public final class CustomerTable {

    /** Slots a {@link #bounded} table starts with. */
    static final int FIRST_SLOTS = 1024;
    /** Most slots a table may have (its index is at most 2^30 entries). */
    private static final int MAX_ROWS = 1 << 29;

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

    private static final long EXISTS = 1;
    private static final long ACTIVE = 2;
    private static final long DIRTY = 4;
    /** {@link #KNOWN_DUE} holds the rules' next due time of the slot as it is now. */
    private static final long DUE_KNOWN = 8;
    /** A dirty row already encoded into the pending batch and unchanged since ({@link #markWrittenEarly}). */
    private static final long WRITTEN_EARLY = 16;

    /**
     * Word offsets of the fixed fields in a row of {@link #rows}. The words read after every event (flags, known
     * due time, scheduled and indexed due times) come first, most likely in the row's first cache line.
     */
    private static final int FLAGS = 0;
    private static final int KNOWN_DUE = 1;
    private static final int SCHEDULED = 2;
    private static final int INDEXED_DUE = 3;
    private static final int TIER_INDEX = 4;
    private static final int OPTED_IN_AT = 5;
    private static final int LAST_ACTIVITY_AT = 6;
    private static final int TIER_VALID_UNTIL = 7;
    private static final int TIER_ORDER = 8;
    private static final int NEXT_ENTRY_ID = 9;
    private static final int NEXT_ORDER = 10;
    private static final int LEDGER_HEAD = 11;
    private static final int ONCE_DONE = 12;
    /** Where the per-account counters start in a row. */
    private static final int COUNTERS_AT = 13;

    /** Offsets of a slot's references in {@link #refs}. */
    private static final int R_ID = 0;
    private static final int R_ATTRIBUTES = 1;
    private static final int R_QUALIFYING = 2;
    private static final int R_TRANSACTIONS = 3;
    /** Where the per-account lots start among a slot's references. */
    private static final int R_LOTS = 4;

    /** Slots the arrays may grow to: the bound on the number of customers held. */
    private final int maxRows;
    /** Heap the table may take ({@link #heapBytes()}); {@code Long.MAX_VALUE}: bounded by the count only. */
    private final long byteBudget;
    private final int accounts;
    /** Words of one row in {@link #rows}: the fixed fields, then the per-account counters. */
    private final int stride;
    /** Slots allocated (the arrays' size): grows up to {@link #maxRows}. */
    private int capacity;
    /**
     * The objects of every slot, slot by slot ({@link #refStride} references from {@code slot * refStride}): id,
     * attributes, qualifying window, transactions, then the lots of each account. One array, not five: an event on
     * a customer not in the CPU cache misses on the one line holding its references, not on one line (and TLB entry)
     * per column it touches (issue 11: the id, transactions, window and lots columns were four dependent misses).
     */
    private Object[] refs;
    /** References of one slot in {@link #refs}: {@link #R_LOTS} + accounts. */
    private final int refStride;
    /**
     * The fixed fields and counters of every slot, row by row ({@link #stride} words from {@code slot * stride}):
     * an event on a customer not in the CPU cache then misses on the two or three lines of its row, not on one
     * line per column it touches (the apply is bound by memory latency on a large table).
     */
    private long[] rows;
    /**
     * Per slot, the estimated heap of its variable parts as of its last {@link #weigh} (a free slot's: the small
     * arrays it keeps for reuse); {@link #variableBytes} is their sum.
     */
    private int[] weight;
    private long variableBytes;

    /**
     * Open addressing over slots by id, at most half full: per entry the id's {@code String.hashCode} in the high
     * half and slot + 1 in the low half, 0 for empty. A probe compares the stored hash first, so it touches no
     * other row's id string (each a cache miss or two on a large table) unless the hashes are equal, and a
     * removal's backward shift (and a growth's rehash) needs no id string at all.
     */
    private long[] index;
    private int[] freeSlots;
    private int freeCount;
    private int size;
    private int clockHand;

    /** A table of exactly {@code capacity} slots, allocated at once, bounded by that count only. */
    public CustomerTable(int capacity, int accounts) {
        this(capacity, Long.MAX_VALUE, capacity, accounts);
    }

    /**
     * A table of at most {@code maxRows} customers (fewer if one array cannot hold their rows) and about
     * {@code byteBudget} bytes of heap, whose slot arrays start at {@link #FIRST_SLOTS} and grow as needed.
     */
    public static CustomerTable bounded(int maxRows, long byteBudget, int accounts) {
        if (maxRows < 1 || accounts < 1 || byteBudget < 1) {
            throw new IllegalArgumentException("rows " + maxRows + ", accounts " + accounts + ", bytes " + byteBudget);
        }
        int stride = COUNTERS_AT + accounts * COUNTERS;
        int rows = Math.min(Math.min(maxRows, MAX_ROWS), (Integer.MAX_VALUE - 8) / stride);
        return new CustomerTable(rows, byteBudget, Math.min(rows, FIRST_SLOTS), accounts);
    }

    private CustomerTable(int maxRows, long byteBudget, int slots, int accounts) {
        if (maxRows < 1 || maxRows > MAX_ROWS || accounts < 1) {
            throw new IllegalArgumentException("capacity " + maxRows + ", accounts " + accounts);
        }
        this.maxRows = maxRows;
        this.byteBudget = byteBudget;
        this.accounts = accounts;
        this.stride = COUNTERS_AT + accounts * COUNTERS;
        this.refStride = R_LOTS + accounts;
        if ((long) maxRows * stride > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("capacity " + maxRows + " of " + accounts + " accounts: "
                    + (long) maxRows * stride + " row words exceed one array");
        }
        refs = new Object[0];
        rows = new long[0];
        weight = new int[0];
        freeSlots = new int[0];
        index = new long[0];
        resize(slots);
    }

    /** Upper bound on the customers held ({@code state.cache-customers}, or what one array holds). */
    public int capacity() {
        return maxRows;
    }

    /** Slots allocated now (at most {@link #capacity()}). */
    public int slots() {
        return capacity;
    }

    /** The heap this table may take, or {@code Long.MAX_VALUE} when bounded by its count only. */
    public long byteBudget() {
        return byteBudget;
    }

    /** Estimated heap of the table: its slot arrays as allocated plus every slot's last {@link #weigh}. */
    public long heapBytes() {
        return fixedBytes(capacity) + variableBytes;
    }

    /**
     * True when one more customer fits without an eviction: the table is within its byte budget and has a free
     * slot, or room in the budget to add slots.
     */
    public boolean hasRoom() {
        return heapBytes() <= byteBudget && (freeCount > 0 || growTarget() > capacity);
    }

    /**
     * Re-estimates the heap of that slot's variable parts (id, attributes, lots, window, transactions: their
     * arrays as allocated, O(accounts)); call after changing them. Unweighed growth is only counted from here.
     */
    public void weigh(int slot) {
        int r = slot * refStride;
        long w = HeapSizes.string((String) refs[r + R_ID]) + HeapSizes.string((String) refs[r + R_ATTRIBUTES]);
        for (int a = 0; a < accounts; a++) {
            LotList l = (LotList) refs[r + R_LOTS + a];
            if (l != null) {
                w += l.heapBytes();
            }
        }
        QualifyingWindow q = (QualifyingWindow) refs[r + R_QUALIFYING];
        if (q != null) {
            w += q.heapBytes();
        }
        Transactions t = (Transactions) refs[r + R_TRANSACTIONS];
        if (t != null) {
            w += t.heapBytes();
        }
        int now = (int) Math.min(Integer.MAX_VALUE, w);
        variableBytes += now - weight[slot];
        weight[slot] = now;
    }

    /** The slot's variable parts' heap as of its last {@link #weigh} (a free slot's: what it keeps for reuse). */
    public int weight(int slot) {
        return weight[slot];
    }

    /** Heap of the slot arrays at {@code slots} slots (per slot: the row, its references, two ints, the index). */
    private long fixedBytes(int slots) {
        return 5L * HeapSizes.ARRAY + (long) slots * (stride * 8L + (long) refStride * HeapSizes.REF + 8L)
                + indexLength(slots) * 8L;
    }

    /** The slots the table may grow to now (doubling, within the count and the byte budget), or its slots. */
    private int growTarget() {
        if (capacity >= maxRows) {
            return capacity;
        }
        int to = (int) Math.min(maxRows, Math.max(16L, 2L * capacity));
        // The new arrays must fit beside the old ones: both are live while they are copied.
        long room = byteBudget - heapBytes();
        while (to > capacity && fixedBytes(to) > room) {
            to = capacity + (to - capacity) / 2;
        }
        // A step of less than an eighth would copy the arrays again and again near the budget: evict instead.
        return to < maxRows && to - capacity < Math.max(1, capacity / 8) ? capacity : to;
    }

    /** Smallest power of two of at least twice the slots: the index is at most half full. */
    private static int indexLength(int slots) {
        return Integer.highestOneBit(slots) << (Integer.bitCount(slots) == 1 ? 1 : 2);
    }

    /** Grows the slot arrays to {@code to} slots: the new slots become free, the index is rebuilt from its hashes. */
    private void resize(int to) {
        int from = capacity;
        refs = Arrays.copyOf(refs, to * refStride);
        rows = Arrays.copyOf(rows, to * stride);
        weight = Arrays.copyOf(weight, to);
        freeSlots = Arrays.copyOf(freeSlots, to);
        for (int slot = to - 1; slot >= from; slot--) {
            freeSlots[freeCount++] = slot; // the lowest slot is taken first
        }
        long[] old = index;
        index = new long[indexLength(to)];
        int mask = index.length - 1;
        for (long e : old) {
            if (e != 0) {
                int i = spread((int) (e >>> 32)) & mask;
                while (index[i] != 0) {
                    i = (i + 1) & mask;
                }
                index[i] = e;
            }
        }
        capacity = to;
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
        int h = customerId.hashCode();
        int mask = index.length - 1;
        for (int i = spread(h) & mask; ; i = (i + 1) & mask) {
            long e = index[i];
            if (e == 0) {
                return -1;
            }
            if ((int) (e >>> 32) == h) {
                int slot = (int) e - 1;
                if (id(slot).equals(customerId)) {
                    return slot;
                }
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
            long e = index[i];
            if (e == 0) {
                return -1;
            }
            if ((int) (e >>> 32) == stringHash) {
                int slot = (int) e - 1;
                if (sameAscii(id(slot), idBytes, length)) {
                    return slot;
                }
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
        if (freeCount == 0) {
            int to = growTarget();
            if (to > capacity) {
                resize(to);
            } else if (evictClean() < 0) {
                throw new IllegalStateException("customer table full: all " + capacity + " customers are dirty");
            }
        }
        int slot = freeSlots[--freeCount];
        refs[slot * refStride + R_ID] = customerId;
        int r = slot * stride;
        Arrays.fill(rows, r, r + stride, 0L); // flags (next due time not known), tier index and order, once-only, counters
        rows[r + OPTED_IN_AT] = NONE;
        rows[r + LAST_ACTIVITY_AT] = NONE;
        rows[r + TIER_VALID_UNTIL] = NONE;
        rows[r + NEXT_ENTRY_ID] = 1;
        rows[r + NEXT_ORDER] = 1;
        rows[r + INDEXED_DUE] = Long.MAX_VALUE;
        rows[r + LEDGER_HEAD] = NO_LEDGER;
        rows[r + SCHEDULED] = Long.MAX_VALUE;
        int h = customerId.hashCode();
        int mask = index.length - 1;
        int i = spread(h) & mask;
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = ((long) h << 32) | (slot + 1);
        size++;
        weigh(slot);
        return slot;
    }

    /** Evicts one clean customer (clock order); returns its former slot, or -1 when none is clean. */
    public int evictClean() {
        for (int n = 0; n < capacity; n++) {
            int slot = clockHand;
            clockHand = clockHand + 1 == capacity ? 0 : clockHand + 1;
            if (refs[slot * refStride + R_ID] != null && (rows[slot * stride + FLAGS] & DIRTY) == 0) {
                remove(slot);
                return slot;
            }
        }
        return -1;
    }

    /** Drops the customer of that slot from the table (its lots, window and transactions stay, cleared, for reuse). */
    public void remove(int slot) {
        int mask = index.length - 1;
        int i = hash(id(slot)) & mask;
        while ((int) index[i] != slot + 1) {
            i = (i + 1) & mask;
        }
        // backward-shift deletion keeps every probe chain unbroken without tombstones
        int gap = i;
        for (int j = (gap + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
            int home = spread((int) (index[j] >>> 32)) & mask;
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                index[gap] = index[j];
                gap = j;
            }
        }
        index[gap] = 0;
        int r = slot * refStride;
        refs[r + R_ID] = null;
        refs[r + R_ATTRIBUTES] = null;
        // Within the byte budget the slot's objects are kept (cleared: large arrays dropped), not replaced: a
        // customer loaded into an evicted customer's slot allocates nothing that would live as long as the row
        // (what young collections copy and promote), and what they keep stays counted in the slot's weight. Over
        // it (evicting to make room) they go: kept in every free slot, they would fill the budget themselves
        // (a table grown while customers were small, then holding larger ones, ended with few customers held).
        boolean keep = heapBytes() <= byteBudget;
        for (int at = r + R_LOTS, end = at + accounts; at < end; at++) {
            LotList l = (LotList) refs[at];
            if (l != null) {
                if (keep) {
                    l.clear();
                } else {
                    refs[at] = null;
                }
            }
        }
        QualifyingWindow q = (QualifyingWindow) refs[r + R_QUALIFYING];
        if (q != null) {
            if (keep) {
                q.clear();
            } else {
                refs[r + R_QUALIFYING] = null;
            }
        }
        Transactions t = (Transactions) refs[r + R_TRANSACTIONS];
        if (t != null) {
            if (keep) {
                t.clear();
            } else {
                refs[r + R_TRANSACTIONS] = null;
            }
        }
        weigh(slot);
        freeSlots[freeCount++] = slot;
        size--;
    }

    public String id(int slot) {
        return (String) refs[slot * refStride + R_ID];
    }

    /** True once the customer opted in (even if opted out since). */
    public boolean exists(int slot) {
        return (rows[slot * stride + FLAGS] & EXISTS) != 0;
    }

    /** True while active: exists and not opted out. */
    public boolean active(int slot) {
        return (rows[slot * stride + FLAGS] & (EXISTS | ACTIVE)) == (EXISTS | ACTIVE);
    }

    /** True when changed since last {@link #markClean}: it may not be evicted. */
    public boolean dirty(int slot) {
        return (rows[slot * stride + FLAGS] & DIRTY) != 0;
    }

    public void markClean(int slot) {
        rows[slot * stride + FLAGS] &= ~(DIRTY | WRITTEN_EARLY);
    }

    /** Marks the row changed (it must be written before it may be evicted; an early write of it is stale). */
    public void markDirty(int slot) {
        int r = slot * stride + FLAGS;
        rows[r] = (rows[r] | DIRTY) & ~WRITTEN_EARLY;
    }

    /**
     * Notes that the dirty row, as it is now, is in the pending commit batch: the commit need not encode it again
     * unless it changes first ({@link #markDirty} forgets this). It stays dirty: it may not be evicted.
     */
    public void markWrittenEarly(int slot) {
        rows[slot * stride + FLAGS] |= WRITTEN_EARLY;
    }

    /** True when the row is dirty and unchanged since its early write ({@link #markWrittenEarly}). */
    public boolean writtenEarly(int slot) {
        return (rows[slot * stride + FLAGS] & (DIRTY | WRITTEN_EARLY)) == (DIRTY | WRITTEN_EARLY);
    }

    void exists(int slot, boolean value) {
        flag(slot, EXISTS, value);
    }

    /** The raw active flag (without existence). */
    boolean activeFlag(int slot) {
        return (rows[slot * stride + FLAGS] & ACTIVE) != 0;
    }

    void active(int slot, boolean value) {
        flag(slot, ACTIVE, value);
    }

    public long optedInAtMs(int slot) {
        return rows[slot * stride + OPTED_IN_AT];
    }

    void optedInAtMs(int slot, long value) {
        rows[slot * stride + OPTED_IN_AT] = value;
    }

    public long lastActivityAtMs(int slot) {
        return rows[slot * stride + LAST_ACTIVITY_AT];
    }

    void lastActivityAtMs(int slot, long value) {
        rows[slot * stride + LAST_ACTIVITY_AT] = value;
        forgetDue(slot);
    }

    public int tierIndex(int slot) {
        return (int) rows[slot * stride + TIER_INDEX];
    }

    void tierIndex(int slot, int value) {
        rows[slot * stride + TIER_INDEX] = value;
    }

    public long tierValidUntilMs(int slot) {
        return rows[slot * stride + TIER_VALID_UNTIL];
    }

    void tierValidUntilMs(int slot, long value) {
        rows[slot * stride + TIER_VALID_UNTIL] = value;
        forgetDue(slot);
    }

    /** Journal order of the record that set the tier validity: tie-break of the review. */
    public long tierOrder(int slot) {
        return rows[slot * stride + TIER_ORDER];
    }

    void tierOrder(int slot, long value) {
        rows[slot * stride + TIER_ORDER] = value;
    }

    /** Number of the next ledger entry. */
    public long nextEntryId(int slot) {
        return rows[slot * stride + NEXT_ENTRY_ID];
    }

    void nextEntryId(int slot, long value) {
        rows[slot * stride + NEXT_ENTRY_ID] = value;
    }

    /** Next journal order number for things created (lots, checkouts, tier validity). */
    public long nextOrder(int slot) {
        return rows[slot * stride + NEXT_ORDER];
    }

    void nextOrder(int slot, long value) {
        rows[slot * stride + NEXT_ORDER] = value;
    }

    /** Takes the next journal order number. */
    long takeOrder(int slot) {
        return rows[slot * stride + NEXT_ORDER]++;
    }

    /** Due time under which the processor indexed this customer; opaque to the rules. */
    public long indexedDueMs(int slot) {
        return rows[slot * stride + INDEXED_DUE];
    }

    public void indexedDueMs(int slot, long value) {
        rows[slot * stride + INDEXED_DUE] = value;
    }

    /**
     * Position of the customer's newest ledger record in the partition's derived log, or {@link #NO_LEDGER};
     * opaque to the rules (the processor keeps it, the snapshot stores it).
     */
    public long ledgerHead(int slot) {
        return rows[slot * stride + LEDGER_HEAD];
    }

    public void ledgerHead(int slot, long position) {
        rows[slot * stride + LEDGER_HEAD] = position;
    }

    /**
     * Due time of the processor's live due-queue entry for this customer (at most its next due time), or
     * {@code Long.MAX_VALUE} (a new row's value); opaque to the rules and not part of the snapshot. In the row, as
     * the processor reads it after every event of the customer.
     */
    public long scheduledMs(int slot) {
        return rows[slot * stride + SCHEDULED];
    }

    public void scheduledMs(int slot, long value) {
        rows[slot * stride + SCHEDULED] = value;
    }

    /**
     * True while {@link #knownDueMs(int)} holds the rules' next due time of the slot ({@code CoreRules.nextDueMs}):
     * set by the rules, forgotten by a new row and whenever its lots, transactions, tier validity or last activity
     * are handed out for a change. Opaque to everyone else and not part of the snapshot.
     */
    boolean dueKnown(int slot) {
        return (rows[slot * stride + FLAGS] & DUE_KNOWN) != 0;
    }

    /** The next due time the rules last computed for the slot; meaningful while {@link #dueKnown}. */
    long knownDueMs(int slot) {
        return rows[slot * stride + KNOWN_DUE];
    }

    /** Remembers the slot's next due time, just computed from its state as it is now. */
    void knownDueMs(int slot, long value) {
        int r = slot * stride;
        rows[r + KNOWN_DUE] = value;
        rows[r + FLAGS] |= DUE_KNOWN;
    }

    /** The slot's next due time may have changed: the next ask computes it again. */
    void forgetDue(int slot) {
        rows[slot * stride + FLAGS] &= ~DUE_KNOWN;
    }

    /** Forgets every slot's next due time (rules whose expiry policies may differ take over the table). */
    void forgetAllDue() {
        for (int r = FLAGS; r < rows.length; r += stride) {
            rows[r] &= ~DUE_KNOWN;
        }
    }

    /** Bit i set: the i-th configured custom action (once-only) was applied. */
    public long onceDone(int slot) {
        return rows[slot * stride + ONCE_DONE];
    }

    void onceDone(int slot, long value) {
        rows[slot * stride + ONCE_DONE] = value;
    }

    /** Profile attributes, merged, as compact JSON; null when none. */
    public String attributesJson(int slot) {
        return (String) refs[slot * refStride + R_ATTRIBUTES];
    }

    void attributesJson(int slot, String value) {
        refs[slot * refStride + R_ATTRIBUTES] = value;
    }

    /** One per-account counter ({@link #RESERVED} … {@link #DEDUCTED}). */
    public long counter(int slot, int account, int counter) {
        return rows[slot * stride + COUNTERS_AT + account * COUNTERS + counter];
    }

    void counter(int slot, int account, int counter, long value) {
        rows[slot * stride + COUNTERS_AT + account * COUNTERS + counter] = value;
    }

    void add(int slot, int account, int counter, long delta) {
        rows[slot * stride + COUNTERS_AT + account * COUNTERS + counter] += delta;
    }

    /** The lots of an account, or null when no customer of this slot ever had one (may be empty). */
    public LotList lotsOrNull(int slot, int account) {
        return (LotList) refs[slot * refStride + R_LOTS + account];
    }

    LotList lots(int slot, int account) {
        forgetDue(slot); // handed out to be changed
        int i = slot * refStride + R_LOTS + account;
        LotList l = (LotList) refs[i];
        if (l == null) {
            l = new LotList();
            refs[i] = l;
        }
        return l;
    }

    /** Σ points of the account's lots. */
    public long lotPoints(int slot, int account) {
        LotList l = (LotList) refs[slot * refStride + R_LOTS + account];
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
        return (QualifyingWindow) refs[slot * refStride + R_QUALIFYING];
    }

    QualifyingWindow qualifying(int slot) {
        QualifyingWindow q = (QualifyingWindow) refs[slot * refStride + R_QUALIFYING];
        if (q == null) {
            q = new QualifyingWindow();
            refs[slot * refStride + R_QUALIFYING] = q;
        }
        return q;
    }

    /** The transactions, or null when no customer of this slot ever had one (may be empty). */
    public Transactions transactionsOrNull(int slot) {
        return (Transactions) refs[slot * refStride + R_TRANSACTIONS];
    }

    Transactions transactions(int slot) {
        forgetDue(slot); // handed out to be changed
        Transactions t = (Transactions) refs[slot * refStride + R_TRANSACTIONS];
        if (t == null) {
            t = new Transactions();
            refs[slot * refStride + R_TRANSACTIONS] = t;
        }
        return t;
    }

    private void flag(int slot, long bit, boolean value) {
        int r = slot * stride + FLAGS;
        rows[r] = value ? rows[r] | bit : rows[r] & ~bit;
    }

    private static int hash(String customerId) {
        return spread(customerId.hashCode());
    }

    private static int spread(int stringHash) {
        int h = stringHash * 0x9E3779B9;
        return h ^ (h >>> 15);
    }
}
