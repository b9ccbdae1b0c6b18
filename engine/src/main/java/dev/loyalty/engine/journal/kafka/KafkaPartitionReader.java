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

/**
 * Reads one partition of the Kafka journal in offset order, for that partition's processor (single-threaded,
 * as Kafka's consumer is). A record's position is its Kafka offset and its seq {@link KafkaSeq}; so the
 * partition's RocksDB commit stores the offset it applied, and a restart seeks right after it.
 */
final class KafkaPartitionReader implements JournalReader {

    private final KafkaTopic topic;
    private final TopicPartition tp;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordHeader header = new RecordHeader();
    /** The value copied in, reused: the processor reads it through Chronicle's Bytes, as on Chronicle. */
    private final Bytes<byte[]> payload = Bytes.allocateElasticOnHeap(512);
    private Iterator<ConsumerRecord<byte[], byte[]>> fetched = java.util.Collections.emptyIterator();

    KafkaPartitionReader(KafkaTopic topic, int partition, String role) {
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
            fetched = consumer.poll(Duration.ZERO).records(tp).iterator();
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
