package dev.loyalty.engine.journal.kafka;

import dev.loyalty.engine.journal.JournalCorruptException;
import dev.loyalty.engine.journal.JournalReader;
import dev.loyalty.engine.journal.RecordHeader;
import dev.loyalty.engine.journal.RecordType;
import net.openhft.chronicle.bytes.Bytes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import java.nio.BufferUnderflowException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;

/**
 * Reads one partition of the Kafka journal in offset order, for that partition's processor (single-threaded,
 * as Kafka's consumer is). A record's position is its Kafka offset and its seq {@link KafkaSeq}; so the
 * partition's RocksDB commit stores the offset it applied, and a restart seeks right after it.
 */
final class KafkaPartitionReader implements JournalReader {

    private final KafkaTopic topic;
    /**
     * Longest idle wait in {@code poll}: what a processor with no records and no queries costs is one poll per
     * this, and nothing it must do depends on time passing without a record (its clock is the journal's).
     */
    static final Duration IDLE_POLL = Duration.ofMillis(100);
    private final TopicPartition tp;
    private final Duration idleBound;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordHeader header = new RecordHeader();
    /** The value copied in, reused: the processor reads it through Chronicle's Bytes, as on Chronicle. */
    private final Bytes<byte[]> payload = Bytes.allocateElasticOnHeap(512);
    private Iterator<ConsumerRecord<byte[], byte[]>> fetched = java.util.Collections.emptyIterator();
    /** True while the reader's thread waits in {@link #idle}: only then does {@link #wakeUp} reach the consumer. */
    private volatile boolean waiting;

    KafkaPartitionReader(KafkaTopic topic, int partition, String role) {
        this(topic, partition, role, IDLE_POLL);
    }

    /** As above, an idle wait bounded by {@code idleBound} (tests: long enough that only a record or a wake-up ends it). */
    KafkaPartitionReader(KafkaTopic topic, int partition, String role, Duration idleBound) {
        this.idleBound = idleBound;
        this.topic = topic;
        this.tp = new TopicPartition(topic.name(), partition);
        this.consumer = topic.consumer(role + "-" + partition);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        // Built on the engine's thread, read on the processor's.
        payload.singleThreadedCheckDisabled(true);
    }

    /** Takes what the consumer fetched in the background; never waits (the processor idles between calls). */
    @Override
    public boolean next(RecordVisitor visitor) {
        if (!fetched.hasNext()) {
            try {
                fetched = consumer.poll(Duration.ZERO).records(tp).iterator();
            } catch (WakeupException e) {
                return false; // a wake-up meant for an idle wait that had just ended: nothing lost, read next time
            }
            if (!fetched.hasNext()) {
                return false;
            }
        }
        ConsumerRecord<byte[], byte[]> r = fetched.next();
        try {
            payload.clear();
            payload.write(r.value());
            RecordType type = RecordType.of(payload.readByte());
            long ingestMs = payload.readLong();
            long clockOffsetMs = payload.readLong();
            header.set(type, KafkaSeq.of(tp.partition(), r.offset()), ingestMs, clockOffsetMs);
            visitor.onRecord(r.offset(), header, payload);
        } catch (JournalCorruptException | BufferUnderflowException | NullPointerException
                 | IllegalStateException e) {
            throw new JournalCorruptException("the record at offset " + r.offset() + " of " + tp
                    + " cannot be read (" + e + "): not written by this engine? Nothing after it is applied", e);
        }
        return true;
    }

    /**
     * Waits in the consumer's {@code poll} for the partition's next record, at most {@link #IDLE_POLL} (however
     * small {@code nanos}): the broker answers the pending fetch as soon as a record is appended, so an idle
     * processor neither polls without waiting 200 times a second (each poll costs the consumer's bookkeeping
     * whether or not anything came) nor waits a park's length for a record. What it fetched is read next.
     */
    @Override
    public void idle(long nanos, java.util.function.BooleanSupplier busy) {
        if (fetched.hasNext()) {
            return;
        }
        waiting = true;
        try {
            // After announcing the wait: a waker that added work before it saw no wait and did not wake the consumer.
            if (busy.getAsBoolean()) {
                return;
            }
            fetched = consumer.poll(idleBound).records(tp).iterator();
        } catch (WakeupException e) {
            // a query or a stop for the processor
        } finally {
            waiting = false;
        }
    }

    /** True while the reader's thread waits in {@link #idle} (tests). */
    boolean waiting() {
        return waiting;
    }

    /** Ends an {@link #idle} wait (thread-safe: the consumer's own wake-up); nothing when none is under way. */
    @Override
    public void wakeUp() {
        if (waiting) {
            consumer.wakeup();
        }
    }

    /** Positions the reader right after {@code offset}, which the topic must still hold or just have ended at. */
    @Override
    public void seekAfter(long offset) {
        long begin = consumer.beginningOffsets(List.of(tp), KafkaTopic.START_TIMEOUT).get(tp);
        long end = consumer.endOffsets(List.of(tp), KafkaTopic.START_TIMEOUT).get(tp);
        if (offset + 1 > end) {
            throw new JournalCorruptException(tp + " ends at offset " + end + ", before offset " + offset
                    + " that the state has already applied: is this the topic the data folder was built on "
                    + "(journal.kafka.topic, bootstrap servers)? Restore the data folder from a backup.");
        }
        if (offset + 1 < begin) {
            throw new JournalCorruptException(tp + " no longer holds offset " + (offset + 1) + " (its oldest is "
                    + begin + "; the topic's retention dropped records the state still needs): restore the "
                    + "state from a backup taken after that");
        }
        consumer.seek(tp, offset + 1);
        fetched = java.util.Collections.emptyIterator();
    }

    /** Offset the next record read will have. */
    long position() {
        return consumer.position(tp, KafkaTopic.START_TIMEOUT);
    }

    /** The partition's end offset now (the offset the next record journaled will get). */
    long endOffset() {
        return consumer.endOffsets(List.of(tp), KafkaTopic.START_TIMEOUT).get(tp);
    }

    int partition() {
        return tp.partition();
    }

    String partitionName() {
        return tp.toString();
    }

    KafkaTopic topic() {
        return topic;
    }

    @Override
    public void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
