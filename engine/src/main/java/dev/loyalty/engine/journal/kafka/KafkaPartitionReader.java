package dev.loyalty.engine.journal.kafka;

import dev.loyalty.engine.journal.JournalCorruptException;
import dev.loyalty.engine.journal.JournalReader;
import dev.loyalty.engine.journal.RecordHeader;
import dev.loyalty.engine.journal.RecordType;
import net.openhft.chronicle.bytes.Bytes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.nio.BufferUnderflowException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Reads one partition of the Kafka journal in offset order, for that partition's processor (single-threaded,
 * as Kafka's consumer is). A record's position is its Kafka offset and its seq {@link KafkaSeq}; so the
 * partition's RocksDB commit stores the offset it applied, and a restart seeks right after it.
 */
final class KafkaPartitionReader implements JournalReader {
    /**
     * Longest wait in {@link #next} for a record known to be in the topic but not fetched yet: the processor's
     * longest idle park, so waiting on the consumer's socket is never later than parking would be.
     */
    static final Duration AWAIT_KNOWN = Duration.ofMillis(5);
    /** Nothing known ahead: never wait. */
    private static final LongSupplier NOTHING_KNOWN = () -> -1L;

    private final KafkaTopic topic;
    private final TopicPartition tp;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordHeader header = new RecordHeader();
    /** The value copied in, reused: the processor reads it through Chronicle's Bytes, as on Chronicle. */
    private final Bytes<byte[]> payload = Bytes.allocateElasticOnHeap(512);
    private Iterator<ConsumerRecord<byte[], byte[]>> fetched = java.util.Collections.emptyIterator();
    /** Offset of the newest record known to be in the topic (acknowledged to this node, or seen), -1: none. */
    private final LongSupplier knownEnd;
    /** Offset of the next record this reader returns (as far as it knows: 0 until it read or sought). */
    private long nextOffset;

    KafkaPartitionReader(KafkaTopic topic, int partition, String role) {
        this(topic, partition, role, NOTHING_KNOWN);
    }

    /**
     * @param knownEnd the newest offset known to be in the partition; while the reader is behind it, {@link #next}
     *                 waits up to {@link #AWAIT_KNOWN} on the consumer instead of answering "nothing" at once
     */
    KafkaPartitionReader(KafkaTopic topic, int partition, String role, LongSupplier knownEnd) {
        this.knownEnd = knownEnd;
        this.topic = topic;
        this.tp = new TopicPartition(topic.name(), partition);
        this.consumer = topic.consumer(role + "-" + partition);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        // Built on the engine's thread, read on the processor's.
        payload.singleThreadedCheckDisabled(true);
    }

    /**
     * Takes what the consumer fetched. Waits only for a record known to be in the topic (acknowledged to this
     * node: its processor was woken for it): the consumer's socket, not a park of up to 5 ms between polls,
     * then decides when the record is read. The classic consumer reads its socket only inside {@code poll}, so
     * a fetch answer that arrives just after a {@code poll(0)} would otherwise wait for the next idle pass.
     */
    @Override
    public boolean next(RecordVisitor visitor) {
        if (!fetched.hasNext()) {
            long known = knownEnd.getAsLong();
            boolean behind = known >= nextOffset;
            fetched = consumer.poll(behind ? AWAIT_KNOWN : Duration.ZERO).records(tp).iterator();
            if (!fetched.hasNext()) {
                if (behind) {
                    // Not there in time (or the topic no longer holds it): wait for it once only; plain polls read it.
                    nextOffset = known + 1;
                }
                return false;
            }
        }
        ConsumerRecord<byte[], byte[]> r = fetched.next();
        nextOffset = r.offset() + 1;
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
        nextOffset = offset + 1;
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
