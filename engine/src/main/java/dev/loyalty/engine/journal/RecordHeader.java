package dev.loyalty.engine.journal;

/** Header of a journal record, decoded into a reusable mutable holder (no allocation per record). */
public final class RecordHeader {
    /** Size of the header on disk. */
    public static final int BYTES = 1 + 3 * Long.BYTES;

    RecordType type;
    long firstSeq;
    long ingestMs;
    long clockOffsetMs;

    public RecordType type() {
        return type;
    }

    public long firstSeq() {
        return firstSeq;
    }

    public long ingestMs() {
        return ingestMs;
    }

    public long clockOffsetMs() {
        return clockOffsetMs;
    }

    /** Fills the holder from a journal that keeps these fields apart from the record (Kafka: seq from the offset). */
    public void set(RecordType type, long firstSeq, long ingestMs, long clockOffsetMs) {
        this.type = type;
        this.firstSeq = firstSeq;
        this.ingestMs = ingestMs;
        this.clockOffsetMs = clockOffsetMs;
    }

    void read(net.openhft.chronicle.bytes.Bytes<?> in) {
        type = RecordType.of(in.readByte());
        firstSeq = in.readLong();
        ingestMs = in.readLong();
        clockOffsetMs = in.readLong();
    }
}
