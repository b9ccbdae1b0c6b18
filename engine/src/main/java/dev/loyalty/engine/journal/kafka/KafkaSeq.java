package dev.loyalty.engine.journal.kafka;

/**
 * The seq of a record on the Kafka journal, derived from where Kafka put it:
 * {@code seq = partition * 2^43 + offset + 1}. Unique (one record, one place), increasing in the order a
 * customer's events were journaled (a customer lives in one partition, whose offsets only grow), below
 * 2^53 (partitions are at most 1024 = 2^10, offsets below 2^43, about 8.8 * 10^12 records per partition),
 * and never 0. Seqs of different partitions are not comparable, and need not be (api.md): a partition's
 * seq difference is its count of records.
 */
public final class KafkaSeq {

    /** Bits of the offset part. */
    static final int OFFSET_BITS = 43;
    /** Most partitions the formula can tell apart (the engine's own limit too). */
    public static final int MAX_PARTITIONS = 1 << (53 - OFFSET_BITS);
    private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;

    private KafkaSeq() {
    }

    /** The seq of the record at {@code offset} of {@code partition}. */
    public static long of(int partition, long offset) {
        if (offset < 0 || offset >= OFFSET_MASK || partition < 0 || partition >= MAX_PARTITIONS) {
            throw new IllegalArgumentException("no seq for partition " + partition + " offset " + offset);
        }
        return ((long) partition << OFFSET_BITS) + offset + 1;
    }

    /** The partition of a seq (any positive long decodes; check it against the partition count). */
    public static int partition(long seq) {
        return (int) ((seq - 1) >>> OFFSET_BITS);
    }

    /** The Kafka offset of a seq. */
    public static long offset(long seq) {
        return (seq - 1) & OFFSET_MASK;
    }
}
