package dev.loyalty.engine.core;

import java.util.Arrays;

/**
 * The transactions of one customer that later events can still refer to, by kind and transaction id, as
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
public final class Transactions {

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

    /*
     * Everything of a customer's rows in one long array (issue 11: an event on a customer not in the CPU cache
     * missed once per array it touched: the rows' longs, ints and bytes, the id chars, the index and the pending
     * list were six arrays). For a capacity of c rows, in this order:
     *   [0, c)                    the index: 2c int slots, two a word (row + 1, 0 for empty; at most half full),
     *   [c, c + c/2)              the pending list: c int slots, two a word,
     *   [c + c/2, + c * ROW)      the rows, ROW words each,
     *   then                      the transaction ids' chars, four a word, row after row.
     * With c = 2 the index and the first row's key word lie in the array's first 64 bytes (one cache line when
     * the array starts on one), so a lookup on a customer with one or two transactions mostly reads one line.
     */
    private static final int ROW = 11;
    /** Id hash (low 32 bits), kind (bits 32-39), status (40-47), qualifies (48-55): what a probe compares. */
    private static final int W_KEY = 0;
    /** Id offset in chars (low 32 bits) and length (high 32 bits). */
    private static final int W_ID = 1;
    private static final int W_ACCOUNT = 2;
    /** Parts offset (low 32 bits) and count (high 32 bits). */
    private static final int W_PARTS = 3;
    private static final int W_TIME = 4;
    private static final int W_ORDER = 5;
    private static final int W_ELIGIBLE = 6;
    private static final int W_POINTS = 7;
    private static final int W_ACCEPT_DUE = 8;
    private static final int W_REVERSED = 9;
    private static final int W_REFUNDED = 10;
    private static final int KIND_SHIFT = 32;
    private static final int STATUS_SHIFT = 40;
    private static final int QUALIFIES_SHIFT = 48;
    /**
     * Rows of a new (or cleared) instance: two, so a customer's second transaction (a checkout after a
     * reservation, a spend after a checkout) does not re-allocate (it did at one row: growRows was 2.6% of the
     * apply). One array of two rows and 32 id chars is 280 B; the six arrays of one row were 232 B.
     */
    private static final int INITIAL_ROWS = 2;
    /** Id chars a new instance has room for per row (the room then doubles only as the ids need it). */
    private static final int ID_CHARS_PER_ROW = 16;
    /** Rows whose array {@link #clear()} keeps for the next customer of the slot; a larger one is dropped. */
    private static final int KEEP_ON_CLEAR = 64;

    private long[] data = new long[words(INITIAL_ROWS, INITIAL_ROWS * ID_CHARS_PER_ROW)];
    /** Rows {@link #data} has room for: a power of two. */
    private int capacity = INITIAL_ROWS;
    private int size;
    /** Id chars in use. */
    private int idEnd;

    /** Shared empty pool: most customers never burn, reserve or spend with an id, so they never get one. */
    private static final long[] NO_PARTS = new long[0];

    /** Parts as (time, order, points) triples. */
    private long[] parts = NO_PARTS;
    private int partsEnd;
    private int partsFree;

    private int pendingCount;
    /**
     * Earliest accept due time of the pending checkouts, or {@link Long#MAX_VALUE}: the rules ask for it after
     * every event, so it is kept here (recounted only when the earliest one leaves) instead of scanned per event.
     */
    private long earliestPendingDueMs = Long.MAX_VALUE;
    private int closedCount;

    /** Words of an array of that many rows and id chars. */
    private static int words(int rows, int idChars) {
        return rows + rows / 2 + rows * ROW + (idChars + 3) / 4;
    }

    /** Heap this instance takes (the object and its arrays as allocated), for the table's byte budget: O(1). */
    long heapBytes() {
        return HeapSizes.OBJECT_56 + HeapSizes.longs(data.length)
                + (parts == NO_PARTS ? 0 : HeapSizes.longs(parts.length));
    }

    /**
     * Forgets every row, keeping the array (unless a busy customer made it large) for the next customer of the
     * table slot: a customer loaded into a reused slot then allocates nothing here.
     */
    void clear() {
        if (capacity > KEEP_ON_CLEAR || idCapacity() > KEEP_ON_CLEAR * 32) {
            capacity = INITIAL_ROWS;
            data = new long[words(INITIAL_ROWS, INITIAL_ROWS * ID_CHARS_PER_ROW)];
        } else {
            Arrays.fill(data, 0, capacity, 0L); // the index
        }
        idEnd = 0;
        if (parts.length > 3 * KEEP_ON_CLEAR) {
            parts = NO_PARTS;
        }
        size = 0;
        partsEnd = 0;
        partsFree = 0;
        pendingCount = 0;
        earliestPendingDueMs = Long.MAX_VALUE;
        closedCount = 0;
    }

    private int pendingAt() {
        return capacity;
    }

    private int rowsAt() {
        return capacity + capacity / 2;
    }

    private int idsAt() {
        return capacity + capacity / 2 + capacity * ROW;
    }

    private int idCapacity() {
        return (data.length - idsAt()) * 4;
    }

    /** Word {@code w} of that row. */
    private int at(int row, int w) {
        return rowsAt() + row * ROW + w;
    }

    /** The i-th int slot of the region from word {@code from}. */
    private int intAt(int from, int i) {
        return (int) (data[from + (i >>> 1)] >>> ((i & 1) << 5));
    }

    private void intAt(int from, int i, int value) {
        int w = from + (i >>> 1);
        int shift = (i & 1) << 5;
        data[w] = data[w] & ~(0xFFFF_FFFFL << shift) | (value & 0xFFFF_FFFFL) << shift;
    }

    /** The i-th id char, the id region starting at word {@code ids} ({@link #idsAt()}). */
    private char charAt(int ids, int i) {
        return (char) (data[ids + (i >>> 2)] >>> ((i & 3) << 4));
    }

    private void charAt(int ids, int i, char c) {
        int w = ids + (i >>> 2);
        int shift = (i & 3) << 4;
        data[w] = data[w] & ~(0xFFFFL << shift) | (long) c << shift;
    }

    private static int low(long word) {
        return (int) word;
    }

    private static int high(long word) {
        return (int) (word >>> 32);
    }

    private static long pack(int low, int high) {
        return low & 0xFFFF_FFFFL | (long) high << 32;
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
        int mask = 2 * capacity - 1;
        int txnHash = stringHash(txn);
        long key = (txnHash & 0xFFFF_FFFFL) | (k & 0xFFL) << KIND_SHIFT;
        for (int i = hash(k, txnHash) & mask; ; i = (i + 1) & mask) {
            int row = intAt(0, i) - 1;
            if (row < 0) {
                return -1;
            }
            if ((data[at(row, W_KEY)] & 0xFF_FFFF_FFFFL) == key && sameId(row, txn)) {
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
        long id = data[at(row, W_ID)];
        int offset = low(id);
        int length = high(id);
        if (txn.length() != length) {
            return false;
        }
        int ids = idsAt();
        for (int i = 0; i < length; i++) {
            if (charAt(ids, offset + i) != txn.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Adds a row (the id must not be taken for that kind; its chars are copied); returns it. */
    public int add(byte k, byte st, CharSequence txn, int acct, long timeMs, long ord, long eligible, long pts,
                   boolean qualifying, long acceptDue) {
        int idLength = txn.length();
        int idRoom = idCapacity();
        if (size == capacity || idEnd + idLength > idRoom) {
            // rows and id chars double apart: ids short or missing do not get room for 16 chars a row
            int rows = size == capacity ? capacity * 2 : capacity;
            int idChars = idEnd + idLength > idRoom ? Math.max(idEnd + idLength, 2 * idRoom) : idRoom;
            resize(rows, idChars);
        }
        int row = size++;
        int ids = idsAt();
        for (int i = 0; i < idLength; i++) {
            charAt(ids, idEnd + i, txn.charAt(i));
        }
        int r = at(row, 0);
        data[r + W_KEY] = (stringHash(txn) & 0xFFFF_FFFFL) | (k & 0xFFL) << KIND_SHIFT
                | (st & 0xFFL) << STATUS_SHIFT | (qualifying ? 1L : 0L) << QUALIFIES_SHIFT;
        data[r + W_ID] = pack(idEnd, idLength);
        idEnd += idLength;
        data[r + W_ACCOUNT] = acct;
        data[r + W_PARTS] = 0;
        data[r + W_TIME] = timeMs;
        data[r + W_ORDER] = ord;
        data[r + W_ELIGIBLE] = eligible;
        data[r + W_POINTS] = pts;
        data[r + W_ACCEPT_DUE] = acceptDue;
        data[r + W_REVERSED] = 0;
        data[r + W_REFUNDED] = 0;
        put(row);
        if (k == CHECKOUT && st == PENDING) {
            intAt(pendingAt(), pendingCount++, row);
            earliestPendingDueMs = Math.min(earliestPendingDueMs, acceptDue);
        }
        if (isClosed(row)) {
            closedCount++;
        }
        return row;
    }

    public byte kind(int row) {
        return (byte) (data[at(row, W_KEY)] >>> KIND_SHIFT);
    }

    public byte status(int row) {
        return (byte) (data[at(row, W_KEY)] >>> STATUS_SHIFT);
    }

    /** The row's transaction id, as a new string (ids are kept as chars). */
    public String transactionId(int row) {
        long id = data[at(row, W_ID)];
        char[] chars = new char[high(id)];
        int ids = idsAt();
        for (int i = 0; i < chars.length; i++) {
            chars[i] = charAt(ids, low(id) + i);
        }
        return new String(chars);
    }

    /**
     * The row's transaction id as {@code view} holding a copy of its chars, without a string: valid until the view
     * is set again (for an effect sink, which copies it at once).
     */
    CharSequence transactionIdChars(int row, CharsView view) {
        long id = data[at(row, W_ID)];
        int length = high(id);
        char[] chars = view.room(length);
        int ids = idsAt();
        for (int i = 0; i < length; i++) {
            chars[i] = charAt(ids, low(id) + i);
        }
        return view.set(chars, 0, length);
    }

    /** Chars of the row's transaction id. */
    public int transactionIdLength(int row) {
        return high(data[at(row, W_ID)]);
    }

    /** The row's transaction id is ASCII (one UTF-8 byte a char). */
    public boolean transactionIdAscii(int row) {
        long id = data[at(row, W_ID)];
        int ids = idsAt();
        for (int i = low(id), end = low(id) + high(id); i < end; i++) {
            if (charAt(ids, i) >= 0x80) {
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
        long id = data[at(row, W_ID)];
        int offset = low(id);
        int length = high(id);
        int ids = idsAt();
        for (int i = 0; i < length; i++) {
            to[at + i] = (byte) charAt(ids, offset + i);
        }
        return at + length;
    }

    public int account(int row) {
        return (int) data[at(row, W_ACCOUNT)];
    }

    public long eventTimeMs(int row) {
        return data[at(row, W_TIME)];
    }

    public long order(int row) {
        return data[at(row, W_ORDER)];
    }

    public long eligibleCents(int row) {
        return data[at(row, W_ELIGIBLE)];
    }

    /** Points of the spend or reservation; gross earned points of a checkout. */
    public long points(int row) {
        return data[at(row, W_POINTS)];
    }

    public boolean qualifies(int row) {
        return (data[at(row, W_KEY)] >>> QUALIFIES_SHIFT & 0xFF) != 0;
    }

    public long acceptDueMs(int row) {
        return data[at(row, W_ACCEPT_DUE)];
    }

    public long reversed(int row) {
        return data[at(row, W_REVERSED)];
    }

    public long refundedCents(int row) {
        return data[at(row, W_REFUNDED)];
    }

    /** Number of parts of the row (0 once closed). */
    public int partCount(int row) {
        return high(data[at(row, W_PARTS)]);
    }

    private int partsOffset(int row) {
        return low(data[at(row, W_PARTS)]);
    }

    public long partTimeMs(int row, int i) {
        return parts[3 * (partsOffset(row) + i)];
    }

    public long partOrder(int row, int i) {
        return parts[3 * (partsOffset(row) + i) + 1];
    }

    public long partPoints(int row, int i) {
        return parts[3 * (partsOffset(row) + i) + 2];
    }

    /** Σ points of the row's parts. */
    long partTotal(int row) {
        long sum = 0;
        int offset = partsOffset(row);
        int end = offset + partCount(row);
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
        return intAt(pendingAt(), i);
    }

    boolean isClosed(int row) {
        byte k = kind(row);
        byte st = status(row);
        return k == CHECKOUT ? st == REJECTED || st == REFUNDED : st == CLOSED;
    }

    void reversed(int row, long value) {
        data[at(row, W_REVERSED)] = value;
    }

    void refundedCents(int row, long value) {
        data[at(row, W_REFUNDED)] = value;
    }

    /** Sets the status; leaving pending drops the row from the pending list, closing frees its parts. */
    void status(int row, byte st) {
        boolean wasClosed = isClosed(row);
        if (kind(row) == CHECKOUT && status(row) == PENDING && st != PENDING) {
            removePending(row);
        }
        int w = at(row, W_KEY);
        data[w] = data[w] & ~(0xFFL << STATUS_SHIFT) | (st & 0xFFL) << STATUS_SHIFT;
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
        data[at(row, W_PARTS)] = pack(partsEnd, from.size);
        partsEnd += from.size;
    }

    /** Appends the row's parts to the buffer. */
    void copyParts(int row, PartBuffer into) {
        int offset = partsOffset(row);
        int end = offset + partCount(row);
        for (int i = offset; i < end; i++) {
            into.add(parts[3 * i], parts[3 * i + 1], parts[3 * i + 2]);
        }
    }

    private void freeParts(int row) {
        partsFree += partCount(row);
        data[at(row, W_PARTS)] = 0;
    }

    private void removePending(int row) {
        int from = pendingAt();
        for (int i = 0; i < pendingCount; i++) {
            if (intAt(from, i) == row) {
                for (int j = i + 1; j < pendingCount; j++) {
                    intAt(from, j - 1, intAt(from, j));
                }
                pendingCount--;
                if (acceptDueMs(row) == earliestPendingDueMs) {
                    earliestPendingDueMs = Long.MAX_VALUE;
                    for (int j = 0; j < pendingCount; j++) {
                        earliestPendingDueMs = Math.min(earliestPendingDueMs, acceptDueMs(intAt(from, j)));
                    }
                }
                return;
            }
        }
    }

    private void ensurePartRoom(int n) {
        int room = parts.length / 3;
        if (partsEnd + n <= room) {
            return;
        }
        int live = partsEnd - partsFree;
        long[] to = parts;
        if (live + n > room / 2) {
            to = new long[3 * Integer.highestOneBit(live + n) * 4];
        }
        // compact: freed parts of closed rows are dropped; live ones move down in row order, which is their
        // order in the pool (a row gets its parts right when it is added), so moving in place is safe
        int end = 0;
        for (int row = 0; row < size; row++) {
            int len = partCount(row);
            if (len > 0) {
                System.arraycopy(parts, 3 * partsOffset(row), to, 3 * end, 3 * len);
                data[at(row, W_PARTS)] = pack(end, len);
                end += len;
            }
        }
        parts = to;
        partsEnd = end;
        partsFree = 0;
    }

    /** Moves everything to a new array of that many rows (a power of two) and id chars; rebuilds the index. */
    private void resize(int rows, int idChars) {
        long[] from = data;
        int pendingFrom = pendingAt();
        int rowsFrom = rowsAt();
        int idsFrom = idsAt();
        data = new long[words(rows, idChars)];
        capacity = rows;
        System.arraycopy(from, pendingFrom, data, pendingAt(), (pendingCount + 1) / 2);
        System.arraycopy(from, rowsFrom, data, rowsAt(), size * ROW);
        System.arraycopy(from, idsFrom, data, idsAt(), (idEnd + 3) / 4);
        for (int row = 0; row < size; row++) {
            put(row);
        }
    }

    private void put(int row) {
        int mask = 2 * capacity - 1;
        int i = hash(kind(row), low(data[at(row, W_KEY)])) & mask;
        while (intAt(0, i) != 0) {
            i = (i + 1) & mask;
        }
        intAt(0, i, row + 1);
    }

    private static int hash(byte k, int txnHash) {
        int h = txnHash * 31 + k;
        return h ^ (h >>> 16) * 0x45d9f3b;
    }
}
