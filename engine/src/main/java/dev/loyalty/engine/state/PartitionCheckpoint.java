package dev.loyalty.engine.state;

/**
 * What a partition has applied, stored under meta key {@code checkpoint} in the same write batch as the
 * state it describes: the journal position and seq of the last record applied, and the partition clock.
 * Read by recovery (resume after {@code position}), backups (their journal positions) and journal
 * retention (which files a partition still needs).
 *
 * @param position     journal position of the last record applied
 * @param lastSeq      seq of the last record applied
 * @param clockMs      the partition clock (largest ingest time applied)
 * @param clockSeq     seq of the record that set the clock
 * @param lastSweptMs  due-work index swept up to this time
 */
public record PartitionCheckpoint(long position, long lastSeq, long clockMs, long clockSeq, long lastSweptMs) {

    /** Meta key of the checkpoint. */
    public static final byte[] KEY = Keys.meta("checkpoint");

    /** The stored checkpoint, or null when the partition has applied nothing yet. */
    public static PartitionCheckpoint read(PartitionStore store) {
        byte[] raw = store.get(KEY);
        if (raw == null) {
            return null;
        }
        BinaryReader r = new BinaryReader(raw);
        return new PartitionCheckpoint(r.readLong(), r.readLong(), r.readLong(), r.readLong(), r.readLong());
    }

    /** The stored form. */
    public byte[] encode(BinaryWriter writer) {
        return writer.reset().writeLong(position).writeLong(lastSeq).writeLong(clockMs).writeLong(clockSeq)
                .writeLong(lastSweptMs).toBytes();
    }
}
