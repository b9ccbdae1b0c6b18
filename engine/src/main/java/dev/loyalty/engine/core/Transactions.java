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

    private int size;
    private byte[] kind = new byte[4];
    private byte[] status = new byte[4];
    private boolean[] qualifies = new boolean[4];
    private String[] transactionId = new String[4];
    private int[] account = new int[4];
    private long[] eventTimeMs = new long[4];
    private long[] order = new long[4];
    private long[] eligibleCents = new long[4];
    private long[] points = new long[4];
    private long[] acceptDueMs = new long[4];
    private long[] reversed = new long[4];
    private long[] refundedCents = new long[4];
    private int[] partsOffset = new int[4];
    private int[] partsLength = new int[4];

    /** Open addressing over rows: row + 1, 0 for empty; at most half full. */
    private int[] index = new int[8];

    /** Shared empty pool: most customers never burn, reserve or spend with an id, so they never get one. */
    private static final long[] NO_PARTS = new long[0];

    private long[] partTimeMs = NO_PARTS;
    private long[] partOrder = NO_PARTS;
    private long[] partPoints = NO_PARTS;
    private int partsEnd;
    private int partsFree;

    /** Rows of pending checkouts, in journal order. */
    private int[] pending = new int[4];
    private int pendingCount;
    /**
     * Earliest accept due time of the pending checkouts, or {@link Long#MAX_VALUE}: the rules ask for it after
     * every event, so it is kept here (recounted only when the earliest one leaves) instead of scanned per event.
     */
    private long earliestPendingDueMs = Long.MAX_VALUE;
    private int closedCount;

    /** Number of rows. */
    public int size() {
        return size;
    }

    /** Rows that are closed: what a later step moves out of the customer's record. */
    public int closedCount() {
        return closedCount;
    }

    /** Row of that transaction, or -1. */
    public int find(byte k, String txn) {
        int mask = index.length - 1;
        for (int i = hash(k, txn) & mask; ; i = (i + 1) & mask) {
            int row = index[i] - 1;
            if (row < 0) {
                return -1;
            }
            if (kind[row] == k && transactionId[row].equals(txn)) {
                return row;
            }
        }
    }

    /** Adds a row (the id must not be taken for that kind); returns it. */
    public int add(byte k, byte st, String txn, int acct, long timeMs, long ord, long eligible, long pts,
                   boolean qualifying, long acceptDue) {
        if (size == kind.length) {
            growRows();
        }
        int row = size++;
        kind[row] = k;
        status[row] = st;
        transactionId[row] = txn;
        account[row] = acct;
        eventTimeMs[row] = timeMs;
        order[row] = ord;
        eligibleCents[row] = eligible;
        points[row] = pts;
        qualifies[row] = qualifying;
        acceptDueMs[row] = acceptDue;
        reversed[row] = 0;
        refundedCents[row] = 0;
        partsOffset[row] = 0;
        partsLength[row] = 0;
        if (size * 2 > index.length) {
            rehash(index.length * 2);
        } else {
            put(row);
        }
        if (k == CHECKOUT && st == PENDING) {
            if (pendingCount == pending.length) {
                pending = Arrays.copyOf(pending, pendingCount * 2);
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
        return kind[row];
    }

    public byte status(int row) {
        return status[row];
    }

    public String transactionId(int row) {
        return transactionId[row];
    }

    public int account(int row) {
        return account[row];
    }

    public long eventTimeMs(int row) {
        return eventTimeMs[row];
    }

    public long order(int row) {
        return order[row];
    }

    public long eligibleCents(int row) {
        return eligibleCents[row];
    }

    /** Points of the spend or reservation; gross earned points of a checkout. */
    public long points(int row) {
        return points[row];
    }

    public boolean qualifies(int row) {
        return qualifies[row];
    }

    public long acceptDueMs(int row) {
        return acceptDueMs[row];
    }

    public long reversed(int row) {
        return reversed[row];
    }

    public long refundedCents(int row) {
        return refundedCents[row];
    }

    /** Number of parts of the row (0 once closed). */
    public int partCount(int row) {
        return partsLength[row];
    }

    public long partTimeMs(int row, int i) {
        return partTimeMs[partsOffset[row] + i];
    }

    public long partOrder(int row, int i) {
        return partOrder[partsOffset[row] + i];
    }

    public long partPoints(int row, int i) {
        return partPoints[partsOffset[row] + i];
    }

    /** Σ points of the row's parts. */
    long partTotal(int row) {
        long sum = 0;
        int end = partsOffset[row] + partsLength[row];
        for (int i = partsOffset[row]; i < end; i++) {
            sum += partPoints[i];
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
        byte k = kind[row];
        byte st = status[row];
        return k == CHECKOUT ? st == REJECTED || st == REFUNDED : st == CLOSED;
    }

    void reversed(int row, long value) {
        reversed[row] = value;
    }

    void refundedCents(int row, long value) {
        refundedCents[row] = value;
    }

    /** Sets the status; leaving pending drops the row from the pending list, closing frees its parts. */
    void status(int row, byte st) {
        boolean wasClosed = isClosed(row);
        if (kind[row] == CHECKOUT && status[row] == PENDING && st != PENDING) {
            removePending(row);
        }
        status[row] = st;
        if (!wasClosed && isClosed(row)) {
            closedCount++;
            freeParts(row);
        }
    }

    /** Stores the parts of the buffer as the parts of the row just added (rows get parts in row order). */
    void setParts(int row, PartBuffer parts) {
        if (parts.size == 0) {
            return;
        }
        ensurePartRoom(parts.size);
        System.arraycopy(parts.eventTimeMs, 0, partTimeMs, partsEnd, parts.size);
        System.arraycopy(parts.order, 0, partOrder, partsEnd, parts.size);
        System.arraycopy(parts.points, 0, partPoints, partsEnd, parts.size);
        partsOffset[row] = partsEnd;
        partsLength[row] = parts.size;
        partsEnd += parts.size;
    }

    /** Appends the row's parts to the buffer. */
    void copyParts(int row, PartBuffer into) {
        int end = partsOffset[row] + partsLength[row];
        for (int i = partsOffset[row]; i < end; i++) {
            into.add(partTimeMs[i], partOrder[i], partPoints[i]);
        }
    }

    private void freeParts(int row) {
        partsFree += partsLength[row];
        partsLength[row] = 0;
        partsOffset[row] = 0;
    }

    private void removePending(int row) {
        for (int i = 0; i < pendingCount; i++) {
            if (pending[i] == row) {
                System.arraycopy(pending, i + 1, pending, i, pendingCount - i - 1);
                pendingCount--;
                if (acceptDueMs[row] == earliestPendingDueMs) {
                    earliestPendingDueMs = Long.MAX_VALUE;
                    for (int j = 0; j < pendingCount; j++) {
                        earliestPendingDueMs = Math.min(earliestPendingDueMs, acceptDueMs[pending[j]]);
                    }
                }
                return;
            }
        }
    }

    private void ensurePartRoom(int n) {
        if (partsEnd + n <= partPoints.length) {
            return;
        }
        int live = partsEnd - partsFree;
        long[] t = partTimeMs;
        long[] o = partOrder;
        long[] p = partPoints;
        if (live + n > partPoints.length / 2) {
            int capacity = Integer.highestOneBit(live + n) * 4;
            t = new long[capacity];
            o = new long[capacity];
            p = new long[capacity];
        }
        // compact: freed parts of closed rows are dropped; live ones move down in row order, which is their
        // order in the pool (a row gets its parts right when it is added), so moving in place is safe
        int end = 0;
        for (int row = 0; row < size; row++) {
            int len = partsLength[row];
            if (len > 0) {
                System.arraycopy(partTimeMs, partsOffset[row], t, end, len);
                System.arraycopy(partOrder, partsOffset[row], o, end, len);
                System.arraycopy(partPoints, partsOffset[row], p, end, len);
                partsOffset[row] = end;
                end += len;
            }
        }
        partTimeMs = t;
        partOrder = o;
        partPoints = p;
        partsEnd = end;
        partsFree = 0;
    }

    private void growRows() {
        int n = kind.length * 2;
        kind = Arrays.copyOf(kind, n);
        status = Arrays.copyOf(status, n);
        qualifies = Arrays.copyOf(qualifies, n);
        transactionId = Arrays.copyOf(transactionId, n);
        account = Arrays.copyOf(account, n);
        eventTimeMs = Arrays.copyOf(eventTimeMs, n);
        order = Arrays.copyOf(order, n);
        eligibleCents = Arrays.copyOf(eligibleCents, n);
        points = Arrays.copyOf(points, n);
        acceptDueMs = Arrays.copyOf(acceptDueMs, n);
        reversed = Arrays.copyOf(reversed, n);
        refundedCents = Arrays.copyOf(refundedCents, n);
        partsOffset = Arrays.copyOf(partsOffset, n);
        partsLength = Arrays.copyOf(partsLength, n);
    }

    private void rehash(int capacity) {
        index = new int[capacity];
        for (int row = 0; row < size; row++) {
            put(row);
        }
    }

    private void put(int row) {
        int mask = index.length - 1;
        int i = hash(kind[row], transactionId[row]) & mask;
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = row + 1;
    }

    private static int hash(byte k, String txn) {
        int h = txn.hashCode() * 31 + k;
        return h ^ (h >>> 16) * 0x45d9f3b;
    }
}
