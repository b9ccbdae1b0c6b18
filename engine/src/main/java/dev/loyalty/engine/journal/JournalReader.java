package dev.loyalty.engine.journal;

/** Reads journal records in order. Single-threaded: owned by one processor (or the replay). */
public interface JournalReader extends AutoCloseable {

    /** Receives one record; the payload is only valid during the call. */
    interface RecordVisitor {
        /**
         * @param position opaque position of the record (what a checkpoint stores)
         * @param header   type, first seq, ingest time, clock offset
         * @param payload  the record's body, readable from its current position
         */
        void onRecord(long position, RecordHeader header, net.openhft.chronicle.bytes.Bytes<?> payload);
    }

    /** Reads the next record into the visitor; false when there is none yet. */
    boolean next(RecordVisitor visitor);

    /**
     * Positions the reader right after the record at {@code position}.
     *
     * @throws JournalCorruptException when the journal has no record there (it ends before it)
     */
    void seekAfter(long position);

    @Override
    void close();
}
