package dev.loyalty.engine.core;

import dev.loyalty.engine.config.RulesConfig.CustomAction;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Binary snapshot of one customer of a {@link CustomerTable}, for RocksDB write-behind (a later step).
 * Deterministic: equal states give equal bytes whatever the table's internal layout (lots and windows are
 * written from their head, transactions in journal order with their parts, not pool offsets). Numbers are
 * zig-zag varints, strings length-prefixed UTF-8; a leading version byte lets the format evolve. Once-only
 * custom actions are stored by name, so a reordered configuration reads them back; names no longer configured
 * are dropped. One instance per partition thread (it reuses its buffer).
 */
public final class CoreCustomerCodec {

    /** 2: the ledger head (state format 3). Version 1 records come only from format-2 folders, refused at start. */
    private static final int VERSION = 2;

    private final List<CustomAction> customActions;
    private byte[] buffer = new byte[256];
    private int position;
    private byte[] input;

    public CoreCustomerCodec(List<CustomAction> customActions) {
        this.customActions = List.copyOf(customActions);
    }

    /** The customer of that slot as bytes (a new array of the exact length). */
    public byte[] encode(CustomerTable table, int slot) {
        position = 0;
        writeByte(VERSION);
        writeString(table.id(slot));
        writeLong((table.exists(slot) ? 1 : 0) | (table.activeFlag(slot) ? 2 : 0));
        writeLong(table.optedInAtMs(slot));
        writeLong(table.lastActivityAtMs(slot));
        writeLong(table.tierIndex(slot));
        writeLong(table.tierValidUntilMs(slot));
        writeLong(table.tierOrder(slot));
        writeLong(table.nextEntryId(slot));
        writeLong(table.nextOrder(slot));
        writeLong(table.indexedDueMs(slot));
        writeLong(table.ledgerHead(slot));
        writeString(table.attributesJson(slot));
        long once = table.onceDone(slot);
        writeLong(Long.bitCount(once));
        for (int i = 0; i < customActions.size(); i++) {
            if ((once & (1L << i)) != 0) {
                writeString(customActions.get(i).name());
            }
        }

        writeLong(table.accounts());
        for (int a = 0; a < table.accounts(); a++) {
            for (int k = 0; k < CustomerTable.COUNTERS; k++) {
                writeLong(table.counter(slot, a, k));
            }
            LotList lots = table.lotsOrNull(slot, a);
            int n = lots == null ? 0 : lots.size();
            writeLong(n);
            for (int i = 0; i < n; i++) {
                writeLong(lots.eventTimeMs(i));
                writeLong(lots.order(i));
                writeLong(lots.points(i));
            }
        }

        QualifyingWindow q = table.qualifyingOrNull(slot);
        int n = q == null ? 0 : q.size();
        writeLong(n);
        for (int i = 0; i < n; i++) {
            writeLong(q.eventTimeMs(i));
            writeLong(q.order(i));
            writeLong(q.points(i));
        }

        Transactions t = table.transactionsOrNull(slot);
        int rows = t == null ? 0 : t.size();
        writeLong(rows);
        for (int row = 0; row < rows; row++) {
            writeLong(t.kind(row));
            writeLong(t.status(row));
            writeString(t.transactionId(row));
            writeLong(t.account(row));
            writeLong(t.eventTimeMs(row));
            writeLong(t.order(row));
            writeLong(t.eligibleCents(row));
            writeLong(t.points(row));
            writeLong(t.qualifies(row) ? 1 : 0);
            writeLong(t.acceptDueMs(row));
            writeLong(t.reversed(row));
            writeLong(t.refundedCents(row));
            writeLong(t.partCount(row));
            for (int i = 0; i < t.partCount(row); i++) {
                writeLong(t.partTimeMs(row, i));
                writeLong(t.partOrder(row, i));
                writeLong(t.partPoints(row, i));
            }
        }
        return Arrays.copyOf(buffer, position);
    }

    /**
     * Adds the encoded customer to the table (it must not be held there) as a clean row; returns its slot.
     *
     * @throws IllegalArgumentException on corrupt bytes
     */
    public int decode(byte[] bytes, CustomerTable table) {
        input = bytes;
        position = 0;
        try {
            int version = readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown core customer record version " + version);
            }
            String id = readString();
            if (id == null || table.find(id) >= 0) {
                throw new IllegalArgumentException("customer id missing or already held: " + id);
            }
            int slot = table.create(id);
            try {
                read(table, slot);
            } catch (RuntimeException e) {
                table.remove(slot);
                throw e;
            }
            table.markClean(slot);
            return slot;
        } catch (ArrayIndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("truncated core customer record", e);
        } finally {
            input = null;
        }
    }

    private void read(CustomerTable table, int slot) {
        long flags = readLong();
        table.exists(slot, (flags & 1) != 0);
        table.active(slot, (flags & 2) != 0);
        table.optedInAtMs(slot, readLong());
        table.lastActivityAtMs(slot, readLong());
        table.tierIndex(slot, (int) readLong());
        table.tierValidUntilMs(slot, readLong());
        table.tierOrder(slot, readLong());
        table.nextEntryId(slot, readLong());
        table.nextOrder(slot, readLong());
        table.indexedDueMs(slot, readLong());
        table.ledgerHead(slot, readLong());
        table.attributesJson(slot, readString());
        long once = 0;
        for (long n = readLong(); n > 0; n--) {
            String name = readString();
            for (int i = 0; i < customActions.size(); i++) {
                if (customActions.get(i).name().equals(name)) {
                    once |= 1L << i;
                }
            }
        }
        table.onceDone(slot, once);

        long accounts = readLong();
        if (accounts < 0 || accounts > 1 << 16) {
            throw new IllegalArgumentException("bad account count " + accounts);
        }
        // A record written under fewer accounts reads them as empty (as today's rules grow a customer's
        // accounts); accounts beyond the table's (a configuration that dropped some) are read and left out.
        for (int a = 0; a < accounts; a++) {
            boolean kept = a < table.accounts();
            for (int k = 0; k < CustomerTable.COUNTERS; k++) {
                long v = readLong();
                if (kept) {
                    table.counter(slot, a, k, v);
                }
            }
            long n = readLong();
            for (long i = 0; i < n; i++) {
                long time = readLong();
                long order = readLong();
                long points = readLong();
                if (kept) {
                    table.lots(slot, a).insert(time, order, points);
                }
            }
        }

        long n = readLong();
        for (long i = 0; i < n; i++) {
            table.qualifying(slot).add(readLong(), readLong(), readLong());
        }

        PartBuffer parts = new PartBuffer();
        long rows = readLong();
        for (long r = 0; r < rows; r++) {
            Transactions t = table.transactions(slot);
            byte kind = (byte) readLong();
            byte status = (byte) readLong();
            String txn = readString();
            int account = (int) readLong();
            long eventTimeMs = readLong();
            long order = readLong();
            long eligible = readLong();
            long points = readLong();
            boolean qualifies = readLong() != 0;
            long acceptDue = readLong();
            long reversed = readLong();
            long refunded = readLong();
            if (txn == null || kind < Transactions.CHECKOUT || kind > Transactions.RESERVATION
                    || account < 0 || account >= table.accounts() || t.find(kind, txn) >= 0) {
                throw new IllegalArgumentException("bad transaction row " + r);
            }
            int row = t.add(kind, status, txn, account, eventTimeMs, order, eligible, points, qualifies, acceptDue);
            t.reversed(row, reversed);
            t.refundedCents(row, refunded);
            parts.clear();
            for (long p = readLong(); p > 0; p--) {
                parts.add(readLong(), readLong(), readLong());
            }
            t.setParts(row, parts);
        }
        if (position != input.length) {
            throw new IllegalArgumentException("trailing bytes in core customer record");
        }
    }

    private void ensure(int n) {
        if (position + n > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, position + n));
        }
    }

    private void writeByte(int b) {
        ensure(1);
        buffer[position++] = (byte) b;
    }

    private void writeLong(long value) {
        ensure(10);
        long v = (value << 1) ^ (value >> 63);
        while ((v & ~0x7FL) != 0) {
            buffer[position++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buffer[position++] = (byte) v;
    }

    /** Length + 1 then UTF-8 bytes; 0 for null. */
    private void writeString(String s) {
        if (s == null) {
            writeLong(0);
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        writeLong(utf8.length + 1L);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, buffer, position, utf8.length);
        position += utf8.length;
    }

    private int readByte() {
        return input[position++];
    }

    private long readLong() {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            if (shift > 63) {
                throw new IllegalArgumentException("varint too long");
            }
            byte b = input[position++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                break;
            }
        }
        return (v >>> 1) ^ -(v & 1);
    }

    private String readString() {
        long n = readLong();
        if (n == 0) {
            return null;
        }
        if (n < 0 || n - 1 > input.length - position) {
            throw new IllegalArgumentException("bad string length " + n);
        }
        String s = new String(input, position, (int) (n - 1), StandardCharsets.UTF_8);
        position += (int) (n - 1);
        return s;
    }
}
