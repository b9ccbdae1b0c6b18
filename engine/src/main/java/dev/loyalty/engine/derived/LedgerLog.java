package dev.loyalty.engine.derived;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ledger log of a partition: records {@code prev, entryId, seq, customer, entry bytes}, where {@code prev}
 * is the position of the same customer's previous record (or {@link DerivedLog#NO_ENTRY}), so a customer's
 * entries form a chain from its newest record back to its first. Kept forever (no retention). Owned by the
 * partition thread.
 */
final class LedgerLog implements AutoCloseable {
    /** Body before the customer's bytes: prev, entry id, seq, customer length (2 bytes). */
    static final int FIXED = 26;

    private final SegmentedLog log;

    LedgerLog(Path dir, long segmentBytes, int bufferBytes) {
        this.log = new SegmentedLog(dir, segmentBytes, bufferBytes, 64 << 10, SegmentedLog.Listener.NONE);
    }

    long start() {
        return log.start();
    }

    long end() {
        return log.end();
    }

    long append(long prev, String customer, long entryId, long seq, byte[] entry, int offset, int length) {
        if (prev != DerivedLog.NO_ENTRY && (prev < log.start() || prev >= log.end())) {
            throw new IllegalArgumentException("previous ledger position " + prev + " outside ["
                    + log.start() + ", " + log.end() + ")");
        }
        int customerBytes = Utf8.length(customer);
        if (customerBytes > 0xffff) {
            throw new IllegalArgumentException("customer id of " + customerBytes + " bytes");
        }
        long position = log.beginRecord(FIXED + customerBytes + length);
        ByteBuffer b = log.writeBuffer();
        b.putLong(prev).putLong(entryId).putLong(seq).putShort((short) customerBytes);
        Utf8.put(customer, b);
        b.put(entry, offset, length);
        return position;
    }

    /**
     * Up to {@code limit} records of the chain starting at {@code head} with an entry id below
     * {@code beforeId}, newest first.
     *
     * @throws DerivedLogException when a record on the chain belongs to another customer (a wrong head)
     */
    DerivedLog.LedgerPage page(String customer, long head, long beforeId, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit " + limit);
        }
        byte[] expected = customer.getBytes(StandardCharsets.UTF_8);
        List<DerivedLog.LedgerRecord> out = new ArrayList<>(Math.min(limit, 128));
        long p = head;
        long lastId = Long.MAX_VALUE;
        while (p != DerivedLog.NO_ENTRY) {
            int len = log.recordLength(p, SegmentedLog.HOP_READ);
            ByteBuffer b = log.read(p, SegmentedLog.HEADER + len);
            int at = b.position() + SegmentedLog.HEADER;
            long prev = b.getLong(at);
            long id = b.getLong(at + 8);
            int customerBytes = Short.toUnsignedInt(b.getShort(at + 24));
            if (!sameBytes(b, at + FIXED, customerBytes, expected)) {
                throw new DerivedLogException("ledger chain of " + customer + " reaches position " + p
                        + ", a record of another customer");
            }
            if (id >= lastId) {
                throw new DerivedLogException("ledger chain of " + customer + " is not in decreasing entry ids at "
                        + p);
            }
            lastId = id;
            if (id < beforeId) {
                if (out.size() == limit) {
                    return new DerivedLog.LedgerPage(out, out.get(limit - 1).entryId(), p);
                }
                byte[] entry = new byte[len - FIXED - customerBytes];
                b.get(at + FIXED + customerBytes, entry);
                out.add(new DerivedLog.LedgerRecord(p, id, b.getLong(at + 16), entry));
            }
            p = prev;
        }
        return new DerivedLog.LedgerPage(out, DerivedLog.NO_ENTRY, DerivedLog.NO_ENTRY);
    }

    private static boolean sameBytes(ByteBuffer b, int at, int n, byte[] expected) {
        if (n != expected.length) {
            return false;
        }
        byte[] got = new byte[n];
        b.get(at, got);
        return Arrays.equals(got, expected);
    }

    long flush() {
        log.flushBuffer();
        log.noteWritten();
        return log.end();
    }

    void sync() {
        log.sync();
    }

    void forceWritten() {
        log.forceWritten();
    }

    void truncateTo(long mark) {
        if (mark < log.start()) {
            throw new DerivedLogException("ledger log " + log.dir() + " starts at " + log.start()
                    + ", after the committed mark " + mark);
        }
        log.truncateTo(mark);
    }

    /** See {@link SegmentedLog#firstDifference}. */
    String firstDifference(LedgerLog other) {
        return SegmentedLog.firstDifference(log, other.log);
    }

    @Override
    public void close() {
        log.close();
    }
}
