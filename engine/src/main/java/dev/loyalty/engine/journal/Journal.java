package dev.loyalty.engine.journal;

import dev.loyalty.engine.LoyaltyEngine.Submitted;

import java.util.List;

/**
 * The source of truth: an append-only, totally ordered log of records, each with a sequence number
 * and an ingest time. Chronicle Queue implements it on one machine; a Kafka topic partitioned by
 * customer could implement it across machines. Appends are thread-safe; readers are single-threaded.
 */
public interface Journal extends AutoCloseable {

    /** Called under the append lock once the first seq and ingest time of a record are known, before it is visible. */
    interface AppendHook {
        void beforeVisible(long firstSeq, long ingestMs);
    }

    /**
     * Appends events as one record (seqs {@code firstSeq .. firstSeq + n - 1}).
     *
     * @return the first seq
     */
    long appendEvents(List<Submitted> events, AppendHook hook);

    /** Appends a heartbeat; returns its seq. */
    long appendHeartbeat();

    /** Advances the clock offset and appends a clock record; returns its ingest time. */
    long appendClockAdvance(long advanceMs, AppendHook hook);

    /** Appends a rules record; returns its seq. */
    long appendRules(String rulesJson);

    /** Highest seq journaled so far (0 when empty). */
    long lastSeq();

    /**
     * Highest seq journaled so far that the partition reads (0 when none): a journal whose seqs are
     * per partition (Kafka) answers for that partition; one that reads every record in every partition
     * answers {@link #lastSeq()}.
     */
    default long lastSeq(int partition) {
        return lastSeq();
    }

    /** The ingest clock that stamps records. */
    IngestClock clock();

    /** Bytes of records (header and payload) appended by this instance since it opened, all record types. */
    long bytesAppended();

    /** Position of the newest record, or -1 when the journal is empty. */
    long lastPosition();

    /** Position of the oldest record kept (older ones may have been dropped by retention), or -1 when empty. */
    long firstPosition();

    /** Seq of the oldest record kept: 1 while the whole journal is kept, 0 when empty. */
    long firstSeq();

    /** A new reader positioned before the first record. */
    JournalReader reader();

    /**
     * A new reader for partition {@code partition} of {@code partitions}, positioned before the first record: it
     * may skip records holding none of that partition's events (handing over only their header, with
     * {@link RecordHeader#skipped()} set); records it hands over in full still hold other partitions' events
     * too. This default reads everything, which is always correct.
     */
    default JournalReader reader(int partition, int partitions) {
        return reader();
    }

    /** Makes everything appended so far durable on the machine's disk. */
    void sync();

    @Override
    void close();
}
