package dev.loyalty.engine.journal;

import net.openhft.chronicle.bytes.Bytes;

/**
 * Header of a journal record (format 2), decoded into a reusable mutable holder (no allocation per record).
 * <pre>
 *   offset size
 *    0     1    tag: 0x20 | record type (format 1 records start with the bare type, 1..4: see {@link #FORMAT})
 *    1     4    CRC32C of the tag and of every byte after this field (rest of the header and the payload)
 *    5     8    first seq
 *   13     8    ingest time (epoch ms)
 *   21     8    clock offset (ms)
 *   29     4    events in the record (1 for other types): its last seq is first + count - 1
 *   33     4    partition count the mask was computed for (0: no mask, every partition reads the record)
 *   37     8    mask: bit (p mod 64) set when the record holds an event of partition p (all ones for
 *               non-event records, which every partition reads)
 *   45     4    check word of the tag and bytes 5..44 ({@link #check}): what a reader that skips the record
 *               relies on (its seqs, time and mask) is checked without reading the payload, so a changed mask
 *               bit never makes a partition skip its own events. Not a CRC (a CRC32C over 45 bytes cost more
 *               than the skip saves, measured): odd multipliers over whole words, so a change in one field always
 *               changes the 64-bit mix and is missed only if the fold to 32 bits collides (about 2^-32); every
 *               reader that reads the record checks the record's CRC32C, which covers the header too
 *   49          payload
 * </pre>
 */
public final class RecordHeader {
    /** Size of the header on disk. */
    public static final int BYTES = 49;
    /** The journal format this engine writes and reads. */
    public static final int FORMAT = 2;
    static final int TAG_BASE = FORMAT << 4;
    static final int CRC_AT = 1;
    static final int CRC_END = CRC_AT + Integer.BYTES;
    static final int MASK_AT = 37;
    static final int HEADER_CHECK_AT = 45;

    RecordType type;
    long firstSeq;
    long ingestMs;
    long clockOffsetMs;
    int count;
    int maskPartitions;
    long mask;
    int crc;
    int headerCheck;
    boolean skipped;

    public RecordType type() {
        return type;
    }

    public long firstSeq() {
        return firstSeq;
    }

    /** Seq of the record's last event (its only seq for non-event records). */
    public long lastSeq() {
        return firstSeq + count - 1;
    }

    public long ingestMs() {
        return ingestMs;
    }

    public long clockOffsetMs() {
        return clockOffsetMs;
    }

    /**
     * Fills the holder for a journal that keeps these fields apart from Chronicle's header (Kafka: one event or
     * one heartbeat/clock/rules record per Kafka record, its seq from the offset): count 1, no partition mask
     * (the record was read, so not skipped). No CRC here: Kafka checks its own record batches' CRC32C.
     */
    public void set(RecordType type, long firstSeq, long ingestMs, long clockOffsetMs) {
        this.type = type;
        this.firstSeq = firstSeq;
        this.ingestMs = ingestMs;
        this.clockOffsetMs = clockOffsetMs;
        this.count = 1;
        this.maskPartitions = 0;
        this.mask = -1L;
        this.crc = 0;
        this.headerCheck = 0;
        this.skipped = false;
    }

    /**
     * True when the reader belongs to one partition and this record holds none of its events: the payload was
     * neither read nor checked, and the visitor must not read it (only the header's seqs and times count).
     */
    public boolean skipped() {
        return skipped;
    }

    /** Whether partition {@code p} of {@code partitions} may have events in this record (false: it has none). */
    boolean mayHold(int p, int partitions) {
        return maskPartitions != partitions || partitions <= 0 || (mask & (1L << (p & 63))) != 0;
    }

    /** The header check word of the record starting at {@code start} (absolute offset). */
    static int check(Bytes<?> b, long start) {
        long h = (b.readByte(start) & 0xffL) * 0x9E3779B97F4A7C15L;
        h ^= b.readLong(start + 5) * 0xC2B2AE3D27D4EB4FL;
        h ^= b.readLong(start + 13) * 0x165667B19E3779F9L;
        h ^= b.readLong(start + 21) * 0xD6E8FEB86659FD93L;
        h ^= b.readLong(start + 29) * 0xFF51AFD7ED558CCDL;
        h ^= b.readLong(start + MASK_AT) * 0xC4CEB9FE1A85EC53L;
        return (int) (h ^ (h >>> 32));
    }

    /** Reads the header at the reader's position, refusing a record of another journal format. */
    void read(Bytes<?> in) {
        byte tag = in.readByte();
        if ((tag & 0xf0) != TAG_BASE) {
            if (tag >= 1 && tag <= 4) {
                throw new JournalFormatException(1);
            }
            throw new JournalCorruptException("unknown journal record tag " + tag);
        }
        type = RecordType.of((byte) (tag & 0x0f));
        crc = in.readInt();
        firstSeq = in.readLong();
        ingestMs = in.readLong();
        clockOffsetMs = in.readLong();
        count = in.readInt();
        maskPartitions = in.readInt();
        mask = in.readLong();
        headerCheck = in.readInt();
        skipped = false;
        if (count < 1 || (count > 1 && type != RecordType.EVENTS)) {
            throw new JournalCorruptException("record of seq " + firstSeq + " says it holds " + count + " events");
        }
    }

    /** Writes a header whose CRC, and for events the mask, are patched once the payload is written. */
    static void write(Bytes<?> out, RecordType type, long firstSeq, long ingestMs, long clockOffsetMs, int count,
                      int maskPartitions) {
        out.writeByte((byte) (TAG_BASE | type.code()));
        out.writeInt(0);
        out.writeLong(firstSeq);
        out.writeLong(ingestMs);
        out.writeLong(clockOffsetMs);
        out.writeInt(count);
        out.writeInt(maskPartitions);
        out.writeLong(-1L);
        out.writeInt(0);
    }
}
