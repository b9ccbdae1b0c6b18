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
    /** Bytes of the longest zig-zag varint of a long. */
    private static final int MAX_VARINT = 10;

    private final List<CustomAction> customActions;
    private byte[] buffer = new byte[256];
    private int position;
    private byte[] input;
    /** Where the record being decoded ends in {@link #input}. */
    private int end;

    public CoreCustomerCodec(List<CustomAction> customActions) {
        this.customActions = List.copyOf(customActions);
    }

    /** The customer of that slot as bytes (a new array of the exact length). */
    public byte[] encode(CustomerTable table, int slot) {
        int length = encodeInto(table, slot); // first: it may replace the buffer
        return Arrays.copyOf(buffer, length);
    }

    /**
     * Encodes the customer of that slot into this codec's buffer ({@link #buffer()}, valid until the next call) and
     * returns the length: the commit's path, with no array per customer, no string per transaction id and one room
     * check per section rather than per number (a commit encodes every dirty row, most events' cost of it).
     */
    public int encodeInto(CustomerTable table, int slot) {
        position = 0;
        writeByte(VERSION);
        writeString(table.id(slot));
        ensure(11 * MAX_VARINT);
        byte[] b = buffer;
        int p = position;
        p = putVarLong(b, p, (table.exists(slot) ? 1 : 0) | (table.activeFlag(slot) ? 2 : 0));
        p = putVarLong(b, p, table.optedInAtMs(slot));
        p = putVarLong(b, p, table.lastActivityAtMs(slot));
        p = putVarLong(b, p, table.tierIndex(slot));
        p = putVarLong(b, p, table.tierValidUntilMs(slot));
        p = putVarLong(b, p, table.tierOrder(slot));
        p = putVarLong(b, p, table.nextEntryId(slot));
        p = putVarLong(b, p, table.nextOrder(slot));
        p = putVarLong(b, p, table.indexedDueMs(slot));
        p = putVarLong(b, p, table.ledgerHead(slot));
        position = p;
        writeString(table.attributesJson(slot));
        long once = table.onceDone(slot);
        writeLong(Long.bitCount(once));
        for (int i = 0; once != 0 && i < customActions.size(); i++) {
            if ((once & (1L << i)) != 0) {
                writeString(customActions.get(i).name());
            }
        }

        int accounts = table.accounts();
        writeLong(accounts);
        for (int a = 0; a < accounts; a++) {
            ensure(CustomerTable.COUNTERS * MAX_VARINT);
            b = buffer;
            p = position;
            for (int k = 0; k < CustomerTable.COUNTERS; k++) {
                p = putVarLong(b, p, table.counter(slot, a, k));
            }
            position = p;
            writeTriples(table.lotsOrNull(slot, a));
        }
        writeTriples(table.qualifyingOrNull(slot));

        Transactions t = table.transactionsOrNull(slot);
        int rows = t == null ? 0 : t.size();
        writeLong(rows);
        for (int row = 0; row < rows; row++) {
            int parts = t.partCount(row);
            int idLength = t.transactionIdLength(row);
            ensure(14 * MAX_VARINT + 3 * idLength + 3 * MAX_VARINT * parts);
            b = buffer;
            p = position;
            p = putVarLong(b, p, t.kind(row));
            p = putVarLong(b, p, t.status(row));
            p = putTransactionId(b, p, t, row, idLength);
            p = putVarLong(b, p, t.account(row));
            p = putVarLong(b, p, t.eventTimeMs(row));
            p = putVarLong(b, p, t.order(row));
            p = putVarLong(b, p, t.eligibleCents(row));
            p = putVarLong(b, p, t.points(row));
            p = putVarLong(b, p, t.qualifies(row) ? 1 : 0);
            p = putVarLong(b, p, t.acceptDueMs(row));
            p = putVarLong(b, p, t.reversed(row));
            p = putVarLong(b, p, t.refundedCents(row));
            p = putVarLong(b, p, parts);
            for (int i = 0; i < parts; i++) {
                p = putVarLong(b, p, t.partTimeMs(row, i));
                p = putVarLong(b, p, t.partOrder(row, i));
                p = putVarLong(b, p, t.partPoints(row, i));
            }
            position = p;
        }
        return position;
    }

    /** The buffer {@link #encodeInto} wrote into. */
    public byte[] buffer() {
        return buffer;
    }

    /** Count, then (time, order, points) per entry, straight from the interleaved array. */
    private void writeTriples(SortedTriples triples) {
        int n = triples == null ? 0 : triples.size();
        ensure((1 + 3 * n) * MAX_VARINT);
        byte[] b = buffer;
        int p = putVarLong(b, position, n);
        if (n > 0) {
            long[] data = triples.data;
            for (int i = 3 * triples.head, end = 3 * triples.tail; i < end; i++) {
                p = putVarLong(b, p, data[i]);
            }
        }
        position = p;
    }

    /**
     * A transaction id as {@link #writeString} writes it (length + 1, UTF-8), from the table's chars: ASCII (what
     * the API allows) byte by byte, anything else through a string. The caller made room for 3 bytes a char.
     */
    private static int putTransactionId(byte[] b, int p, Transactions t, int row, int length) {
        if (t.transactionIdAscii(row)) {
            p = putVarLong(b, p, length + 1L);
            return t.copyTransactionIdAscii(row, b, p);
        }
        byte[] utf8 = t.transactionId(row).getBytes(StandardCharsets.UTF_8);
        p = putVarLong(b, p, utf8.length + 1L);
        System.arraycopy(utf8, 0, b, p, utf8.length);
        return p + utf8.length;
    }

    /**
     * Adds the encoded customer to the table (it must not be held there) as a clean row; returns its slot.
     *
     * @throws IllegalArgumentException on corrupt bytes
     */
    public int decode(byte[] bytes, CustomerTable table) {
        return decodeAs(bytes, 0, bytes.length, table, null);
    }

    /**
     * As {@link #decode(byte[], CustomerTable)} for a record read under {@code id}'s key, of a customer the caller
     * has just looked up and found not held: the record's id is compared with {@code id} in place instead of being
     * read into a second string, hashed and looked up again (a table miss's Java-side cost, once per load).
     *
     * @throws IllegalArgumentException on corrupt bytes, or a record of another id
     */
    public int decode(byte[] bytes, CustomerTable table, String id) {
        return decodeAs(bytes, 0, bytes.length, table, id);
    }

    /**
     * As {@link #decode(byte[], CustomerTable, String)} for the record of {@code length} bytes at {@code from} in
     * {@code bytes} (a {@link WarmRows} segment: decoded in place, no copy).
     */
    public int decode(byte[] bytes, int from, int length, CustomerTable table, String id) {
        return decodeAs(bytes, from, from + length, table, id);
    }

    /** The decodes: {@code known} is the id the record was read under, or null to read and check it. */
    private int decodeAs(byte[] bytes, int from, int to, CustomerTable table, String known) {
        input = bytes;
        position = from;
        end = to;
        try {
            int version = readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown core customer record version " + version);
            }
            String id;
            if (known == null) {
                id = readString();
                if (id == null || table.find(id) >= 0) {
                    throw new IllegalArgumentException("customer id missing or already held: " + id);
                }
            } else if (idIs(known)) {
                id = known;
            } else {
                throw new IllegalArgumentException("record of another customer than " + known);
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

    /** Reads the record's id (as {@link #readString} would) and tells whether it is {@code id}. */
    private boolean idIs(String id) {
        long n = readLong();
        if (n <= 0 || n - 1 > end - position) {
            return false;
        }
        int length = (int) (n - 1);
        int at = position;
        position += length;
        if (length != id.length()) {
            // equal lengths are necessary for an ASCII id; others compare as strings
            return new String(input, at, length, StandardCharsets.UTF_8).equals(id);
        }
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            if (c >= 0x80) {
                return new String(input, at, length, StandardCharsets.UTF_8).equals(id);
            }
            if (input[at + i] != (byte) c) {
                return false;
            }
        }
        return true;
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
        if (position != end) {
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
        ensure(MAX_VARINT);
        position = putVarLong(buffer, position, value);
    }

    /** Zig-zag varint of {@code value} at {@code p} (room checked by the caller); returns the position after it. */
    private static int putVarLong(byte[] b, int p, long value) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }

    /** Length + 1 then UTF-8 bytes; 0 for null. ASCII strings (ids, most attributes) without a byte array. */
    private void writeString(String s) {
        if (s == null) {
            writeLong(0);
            return;
        }
        int n = s.length();
        ensure(MAX_VARINT + n);
        int p = putVarLong(buffer, position, n + 1L);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                writeUtf8(s);
                return;
            }
            buffer[p + i] = (byte) c;
        }
        position = p + n;
    }

    private void writeUtf8(String s) {
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
        if (n < 0 || n - 1 > end - position) {
            throw new IllegalArgumentException("bad string length " + n);
        }
        String s = new String(input, position, (int) (n - 1), StandardCharsets.UTF_8);
        position += (int) (n - 1);
        return s;
    }
}
