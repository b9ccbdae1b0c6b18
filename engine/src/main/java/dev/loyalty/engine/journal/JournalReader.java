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
     * The reader's thread has nothing to do: waits at most {@code nanos} (a reader may choose a longer bound) or
     * until a record may be read, or until {@link #wakeUp}. {@code busy} is asked once the wait is announced (so
     * that work handed over just before, whose {@link #wakeUp} found no wait yet, is not left waiting): true
     * returns at once. By default a park, which an unpark of the thread ends (appends in this process unpark the
     * processor).
     */
    default void idle(long nanos, java.util.function.BooleanSupplier busy) {
        if (!busy.getAsBoolean()) {
            java.util.concurrent.locks.LockSupport.parkNanos(nanos);
        }
    }

    /** Ends an {@link #idle} wait now (any thread: a query or a stop for the reader's thread). */
    default void wakeUp() {
    }

    /**
     * Positions the reader right after the record at {@code position}.
     *
     * @throws JournalCorruptException when the journal has no record there (it ends before it)
     */
    void seekAfter(long position);

    @Override
    void close();
}
