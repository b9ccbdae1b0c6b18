package dev.loyalty.engine.derived;

import java.nio.ByteBuffer;

/**
 * Where a partition's derived logs end, as committed with a state snapshot: the outcome log's and the ledger
 * log's logical end positions. Stored as 16 bytes (two big-endian longs).
 */
public record DerivedMark(long outcomes, long ledger) {

    /** The mark of logs that hold nothing yet. */
    public static final DerivedMark EMPTY = new DerivedMark(0, 0);

    public DerivedMark {
        if (outcomes < 0 || ledger < 0) {
            throw new IllegalArgumentException("negative derived log mark " + outcomes + "/" + ledger);
        }
    }

    public byte[] encode() {
        return ByteBuffer.allocate(16).putLong(outcomes).putLong(ledger).array();
    }

    public static DerivedMark decode(byte[] b) {
        if (b.length != 16) {
            throw new DerivedLogException("a derived log mark has 16 bytes, got " + b.length);
        }
        ByteBuffer buf = ByteBuffer.wrap(b);
        return new DerivedMark(buf.getLong(), buf.getLong());
    }
}
