package dev.loyalty.engine.core;

import java.util.Arrays;

/**
 * {@code Transactions} as it was before its columns were packed into one array (commit 8b88ba0), kept for the
 * differential test ({@code TransactionsDifferentialTest}): the same answers for the same operations.
 *
 * <p>The transactions of one customer that later events can still refer to, by kind and transaction id, as
 * primitive columns (one row per transaction, in journal order) with an open-addressing index and one pool for
 * the parts (lots) their points came from:
 * <ul>
 *   <li>checkouts: pending (auto-accept due), accepted (refundable: burned parts, reversed points, refunded
 *       money), or closed (rejected, fully refunded);</li>
 *   <li>spends with a transaction id: open (can be unspent: their parts), or closed (unspent);</li>
 *   <li>reservations: open (their parts), or closed (released or settled by a checkout).</li>
 * </ul>
 * A closed row only answers "this id is taken / already done": its parts are freed at once, and it is what a
 * later step moves to its own RocksDB key ({@link TransactionArchive} loads it back on demand). Owned by the
 * partition thread.
 */
final class ReferenceTransactions {

    /** Kinds: separate id namespaces, as a spend and a checkout may share a transaction id. */
    public static final byte CHECKOUT = 0;
    public static final byte SPEND = 1;
    public static final byte RESERVATION = 2;

    /** Checkout statuses, in the order of today's {@code Checkout.Status}. */
    public static final byte PENDING = 0;
    public static final byte ACCEPTED = 1;
    public static final byte REJECTED = 2;
    public static final byte REFUNDED = 3;
    /** Spend and reservation statuses. */
    public static final byte OPEN = 0;
    public static final byte CLOSED = 1;

    // Row columns interleaved in three arrays (row r at r * stride): three objects per customer instead of
    // fourteen, so a held customer is fewer and larger objects for the collector to trace and copy.
    private static final int LONGS = 7;
    private static final int L_TIME = 0;
    private static final int L_ORDER = 1;
    private static final int L_ELIGIBLE = 2;
    private static final int L_POINTS = 3;
    private static final int L_ACCEPT_DUE = 4;
    private static final int L_REVERSED = 5;
    private static final int L_REFUNDED = 6;
    private static final int INTS = 6;
    private static final int I_ACCOUNT = 0;
    private static final int I_PARTS_OFFSET = 1;
    private static final int I_PARTS_LENGTH = 2;
    private static final int I_ID_OFFSET = 3;
    private static final int I_ID_LENGTH = 4;
    private static final int I_ID_HASH = 5;
    private static final int BYTES = 3;
    private static final int B_KIND = 0;
    private static final int B_STATUS = 1;
    private static final int B_QUALIFIES = 2;
    /**
     * Rows of a new (or cleared) instance: one, as most customers have one or two open transactions; room for four
     * made a held customer of the bulk row's mix ~300 B larger (~650 B of arrays for one checkout), so the table
     * held a quarter fewer of them in its byte budget.
     */
    private static final int INITIAL_ROWS = 1;
    /** Rows whose arrays {@link #clear()} keeps for the next customer of the slot; larger ones are dropped. */
    private static final int KEEP_ON_CLEAR = 64;

    private int size;
    private long[] longs = new long[INITIAL_ROWS * LONGS];
    private int[] ints = new int[INITIAL_ROWS * INTS];
    private byte[] bytes = new byte[INITIAL_ROWS * BYTES];
    /**
     * Transaction ids as chars, row after row (rows are never removed before {@link #clear()}): a checkout no
     * longer stores a young {@code String} into an old-generation array, which every young collection had to
     * find through the card table and remembered sets (issue 11, GC pauses).
     */
    private char[] idChars = new char[INITIAL_ROWS * 16];
    private int idEnd;

    /** Open addressing over rows: row + 1, 0 for empty; at most half full. */
    private int[] index = new int[2 * INITIAL_ROWS];

    /** Shared empty pool: most customers never burn, reserve or spend with an id, so they never get one. */
    private static final long[] NO_PARTS = new long[0];

    /** Parts as (time, order, points) triples. */
    private long[] parts = NO_PARTS;
    private int partsEnd;
    private int partsFree;

    /** Rows of pending checkouts, in journal order. */
    private int[] pending = new int[INITIAL_ROWS];
    private int pendingCount;
    /**
     * Earliest accept due time of the pending checkouts, or {@link Long#MAX_VALUE}: the rules ask for it after
     * every event, so it is kept here (recounted only when the earliest one leaves) instead of scanned per event.
     */
    private long earliestPendingDueMs = Long.MAX_VALUE;
    private int closedCount;
    /** {@link #heapBytes()} as last counted, or -1 after an array was replaced. */
    private long heap = -1;

    /**
     * Heap this instance takes (the object and its arrays as allocated), for the table's byte budget: O(1), read
     * after each change; counted again only after an array was replaced (it reads seven array headers).
     */
    long heapBytes() {
        if (heap < 0) {
            heap = countHeap();
        }
        return heap;
    }

    private long countHeap() {
        return 80 + HeapSizes.longs(longs.length) + HeapSizes.ints(ints.length)
                + HeapSizes.bytes(bytes.length) + HeapSizes.chars(idChars.length) + HeapSizes.ints(index.length)
                + (parts == NO_PARTS ? 0 : HeapSizes.longs(parts.length)) + HeapSizes.ints(pending.length);
    }

    /**
     * Forgets every row, keeping the arrays (unless a busy customer made them large) for the next customer of
     * the table slot: a customer loaded into a reused slot then allocates nothing here.
     */
    void clear() {
        if (bytes.length > KEEP_ON_CLEAR * BYTES) {
            longs = new long[INITIAL_ROWS * LONGS];
            heap = -1; // arrays replaced: heapBytes recounts
            ints = new int[INITIAL_ROWS * INTS];
            bytes = new byte[INITIAL_ROWS * BYTES];
            index = new int[2 * INITIAL_ROWS];
            pending = new int[INITIAL_ROWS];
        } else {
            java.util.Arrays.fill(index, 0);
        }
        if (idChars.length > KEEP_ON_CLEAR * 32) {
            idChars = new char[INITIAL_ROWS * 16];
            heap = -1; // arrays replaced: heapBytes recounts
        }
        idEnd = 0;
        if (parts.length > 3 * KEEP_ON_CLEAR) {
            parts = NO_PARTS;
            heap = -1; // arrays replaced: heapBytes recounts
        }
        size = 0;
        partsEnd = 0;
        partsFree = 0;
        pendingCount = 0;
        earliestPendingDueMs = Long.MAX_VALUE;
        closedCount = 0;
    }

    /** Number of rows. */
    public int size() {
        return size;
    }

    /** Rows that are closed: what a later step moves out of the customer's record. */
    public int closedCount() {
        return closedCount;
    }

    /** Row of that transaction, or -1 (a view of the id is fine: its chars are read here only). */
    public int find(byte k, CharSequence txn) {
        int mask = index.length - 1;
        int txnHash = stringHash(txn);
        for (int i = hash(k, txnHash) & mask; ; i = (i + 1) & mask) {
            int row = index[i] - 1;
            if (row < 0) {
                return -1;
            }
            if (bytes[row * BYTES + B_KIND] == k && ints[row * INTS + I_ID_HASH] == txnHash && sameId(row, txn)) {
                return row;
            }
        }
    }

    /** {@link String#hashCode()} of the chars, without a string for a view. */
    static int stringHash(CharSequence s) {
        if (s instanceof String) {
            return s.hashCode(); // cached in the string
        }
        int h = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            h = 31 * h + s.charAt(i);
        }
        return h;
    }

    private boolean sameId(int row, CharSequence txn) {
        int offset = ints[row * INTS + I_ID_OFFSET];
        int length = ints[row * INTS + I_ID_LENGTH];
        if (txn.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (idChars[offset + i] != txn.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Adds a row (the id must not be taken for that kind; its chars are copied); returns it. */
    public int add(byte k, byte st, CharSequence txn, int acct, long timeMs, long ord, long eligible, long pts,
                   boolean qualifying, long acceptDue) {
        if (size * BYTES == bytes.length) {
            growRows();
        }
        int row = size++;
        int b = row * BYTES;
        bytes[b + B_KIND] = k;
        bytes[b + B_STATUS] = st;
        bytes[b + B_QUALIFIES] = (byte) (qualifying ? 1 : 0);
        int idLength = txn.length();
        if (idEnd + idLength > idChars.length) {
            idChars = Arrays.copyOf(idChars, Math.max(idChars.length * 2, idEnd + idLength));
            heap = -1; // arrays replaced: heapBytes recounts
        }
        for (int i = 0; i < idLength; i++) {
            idChars[idEnd + i] = txn.charAt(i);
        }
        int in = row * INTS;
        ints[in + I_ID_OFFSET] = idEnd;
        ints[in + I_ID_LENGTH] = idLength;
        ints[in + I_ID_HASH] = stringHash(txn);
        idEnd += idLength;
        ints[in + I_ACCOUNT] = acct;
        ints[in + I_PARTS_OFFSET] = 0;
        ints[in + I_PARTS_LENGTH] = 0;
        int l = row * LONGS;
        longs[l + L_TIME] = timeMs;
        longs[l + L_ORDER] = ord;
        longs[l + L_ELIGIBLE] = eligible;
        longs[l + L_POINTS] = pts;
        longs[l + L_ACCEPT_DUE] = acceptDue;
        longs[l + L_REVERSED] = 0;
        longs[l + L_REFUNDED] = 0;
        if (size * 2 > index.length) {
            rehash(index.length * 2);
        } else {
            put(row);
        }
        if (k == CHECKOUT && st == PENDING) {
            if (pendingCount == pending.length) {
                pending = Arrays.copyOf(pending, pendingCount * 2);
                heap = -1; // arrays replaced: heapBytes recounts
            }
            pending[pendingCount++] = row;
            earliestPendingDueMs = Math.min(earliestPendingDueMs, acceptDue);
        }
        if (isClosed(row)) {
            closedCount++;
        }
        return row;
    }

    public byte kind(int row) {
        return bytes[row * BYTES + B_KIND];
    }

    public byte status(int row) {
        return bytes[row * BYTES + B_STATUS];
    }

    /** The row's transaction id, as a new string (ids are kept as chars). */
    public String transactionId(int row) {
        return new String(idChars, ints[row * INTS + I_ID_OFFSET], ints[row * INTS + I_ID_LENGTH]);
    }

    /**
     * The row's transaction id as {@code view} re-pointed at this instance's chars, without a string: valid until
     * the view is re-pointed or a row is added (for an effect sink, which copies it at once).
     */
    CharSequence transactionIdChars(int row, CharsView view) {
        return view.set(idChars, ints[row * INTS + I_ID_OFFSET], ints[row * INTS + I_ID_LENGTH]);
    }

    /** Chars of the row's transaction id. */
    public int transactionIdLength(int row) {
        return ints[row * INTS + I_ID_LENGTH];
    }

    /** The row's transaction id is ASCII (one UTF-8 byte a char). */
    public boolean transactionIdAscii(int row) {
        int offset = ints[row * INTS + I_ID_OFFSET];
        for (int i = offset, end = offset + ints[row * INTS + I_ID_LENGTH]; i < end; i++) {
            if (idChars[i] >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * Copies the row's ASCII transaction id as bytes to {@code to} at {@code at} (the snapshot codec's path, no
     * string); returns the index after it.
     */
    public int copyTransactionIdAscii(int row, byte[] to, int at) {
        int offset = ints[row * INTS + I_ID_OFFSET];
        int length = ints[row * INTS + I_ID_LENGTH];
        for (int i = 0; i < length; i++) {
            to[at + i] = (byte) idChars[offset + i];
        }
        return at + length;
    }

    public int account(int row) {
        return ints[row * INTS + I_ACCOUNT];
    }

    public long eventTimeMs(int row) {
        return longs[row * LONGS + L_TIME];
    }

    public long order(int row) {
        return longs[row * LONGS + L_ORDER];
    }

    public long eligibleCents(int row) {
        return longs[row * LONGS + L_ELIGIBLE];
    }

    /** Points of the spend or reservation; gross earned points of a checkout. */
    public long points(int row) {
        return longs[row * LONGS + L_POINTS];
    }

    public boolean qualifies(int row) {
        return bytes[row * BYTES + B_QUALIFIES] != 0;
    }

    public long acceptDueMs(int row) {
        return longs[row * LONGS + L_ACCEPT_DUE];
    }

    public long reversed(int row) {
        return longs[row * LONGS + L_REVERSED];
    }

    public long refundedCents(int row) {
        return longs[row * LONGS + L_REFUNDED];
    }

    /** Number of parts of the row (0 once closed). */
    public int partCount(int row) {
        return ints[row * INTS + I_PARTS_LENGTH];
    }

    public long partTimeMs(int row, int i) {
        return parts[3 * (ints[row * INTS + I_PARTS_OFFSET] + i)];
    }

    public long partOrder(int row, int i) {
        return parts[3 * (ints[row * INTS + I_PARTS_OFFSET] + i) + 1];
    }

    public long partPoints(int row, int i) {
        return parts[3 * (ints[row * INTS + I_PARTS_OFFSET] + i) + 2];
    }

    /** Σ points of the row's parts. */
    long partTotal(int row) {
        long sum = 0;
        int offset = ints[row * INTS + I_PARTS_OFFSET];
        int end = offset + ints[row * INTS + I_PARTS_LENGTH];
        for (int i = offset; i < end; i++) {
            sum += parts[3 * i + 2];
        }
        return sum;
    }

    /** Number of pending checkouts. */
    public int pendingCount() {
        return pendingCount;
    }

    /** Earliest accept due time of the pending checkouts, or {@link Long#MAX_VALUE} when none is pending: O(1). */
    public long earliestPendingDueMs() {
        return earliestPendingDueMs;
    }

    /** Row of the i-th pending checkout. */
    public int pendingRow(int i) {
        return pending[i];
    }

    boolean isClosed(int row) {
        byte k = kind(row);
        byte st = status(row);
        return k == CHECKOUT ? st == REJECTED || st == REFUNDED : st == CLOSED;
    }

    void reversed(int row, long value) {
        longs[row * LONGS + L_REVERSED] = value;
    }

    void refundedCents(int row, long value) {
        longs[row * LONGS + L_REFUNDED] = value;
    }

    /** Sets the status; leaving pending drops the row from the pending list, closing frees its parts. */
    void status(int row, byte st) {
        boolean wasClosed = isClosed(row);
        if (kind(row) == CHECKOUT && status(row) == PENDING && st != PENDING) {
            removePending(row);
        }
        bytes[row * BYTES + B_STATUS] = st;
        if (!wasClosed && isClosed(row)) {
            closedCount++;
            freeParts(row);
        }
    }

    /** Stores the parts of the buffer as the parts of the row just added (rows get parts in row order). */
    void setParts(int row, PartBuffer from) {
        if (from.size == 0) {
            return;
        }
        ensurePartRoom(from.size);
        for (int i = 0; i < from.size; i++) {
            int at = 3 * (partsEnd + i);
            parts[at] = from.eventTimeMs[i];
            parts[at + 1] = from.order[i];
            parts[at + 2] = from.points[i];
        }
        ints[row * INTS + I_PARTS_OFFSET] = partsEnd;
        ints[row * INTS + I_PARTS_LENGTH] = from.size;
        partsEnd += from.size;
    }

    /** Appends the row's parts to the buffer. */
    void copyParts(int row, PartBuffer into) {
        int offset = ints[row * INTS + I_PARTS_OFFSET];
        int end = offset + ints[row * INTS + I_PARTS_LENGTH];
        for (int i = offset; i < end; i++) {
            into.add(parts[3 * i], parts[3 * i + 1], parts[3 * i + 2]);
        }
    }

    private void freeParts(int row) {
        partsFree += ints[row * INTS + I_PARTS_LENGTH];
        ints[row * INTS + I_PARTS_LENGTH] = 0;
        ints[row * INTS + I_PARTS_OFFSET] = 0;
    }

    private void removePending(int row) {
        for (int i = 0; i < pendingCount; i++) {
            if (pending[i] == row) {
                System.arraycopy(pending, i + 1, pending, i, pendingCount - i - 1);
                pendingCount--;
                if (acceptDueMs(row) == earliestPendingDueMs) {
                    earliestPendingDueMs = Long.MAX_VALUE;
                    for (int j = 0; j < pendingCount; j++) {
                        earliestPendingDueMs = Math.min(earliestPendingDueMs, acceptDueMs(pending[j]));
                    }
                }
                return;
            }
        }
    }

    private void ensurePartRoom(int n) {
        int capacity = parts.length / 3;
        if (partsEnd + n <= capacity) {
            return;
        }
        int live = partsEnd - partsFree;
        long[] to = parts;
        if (live + n > capacity / 2) {
            to = new long[3 * Integer.highestOneBit(live + n) * 4];
        }
        // compact: freed parts of closed rows are dropped; live ones move down in row order, which is their
        // order in the pool (a row gets its parts right when it is added), so moving in place is safe
        int end = 0;
        for (int row = 0; row < size; row++) {
            int len = ints[row * INTS + I_PARTS_LENGTH];
            if (len > 0) {
                System.arraycopy(parts, 3 * ints[row * INTS + I_PARTS_OFFSET], to, 3 * end, 3 * len);
                ints[row * INTS + I_PARTS_OFFSET] = end;
                end += len;
            }
        }
        parts = to;
        heap = -1; // arrays replaced: heapBytes recounts
        partsEnd = end;
        partsFree = 0;
    }

    private void growRows() {
        int n = bytes.length / BYTES * 2;
        longs = Arrays.copyOf(longs, n * LONGS);
        heap = -1; // arrays replaced: heapBytes recounts
        ints = Arrays.copyOf(ints, n * INTS);
        bytes = Arrays.copyOf(bytes, n * BYTES);
    }

    private void rehash(int capacity) {
        index = new int[capacity];
        heap = -1; // arrays replaced: heapBytes recounts
        for (int row = 0; row < size; row++) {
            put(row);
        }
    }

    private void put(int row) {
        int mask = index.length - 1;
        int i = hash(kind(row), ints[row * INTS + I_ID_HASH]) & mask;
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = row + 1;
    }

    private static int hash(byte k, int txnHash) {
        int h = txnHash * 31 + k;
        return h ^ (h >>> 16) * 0x45d9f3b;
    }
}
