package dev.loyalty.engine.journal.kafka;

import dev.loyalty.engine.journal.JournalCorruptException;
import dev.loyalty.engine.journal.RecordHeader;
import dev.loyalty.engine.journal.RecordType;
import net.openhft.chronicle.bytes.Bytes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import java.nio.BufferUnderflowException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Every partition of the Kafka journal read by one consumer that waits in {@code poll} for records (the
 * broker answers its fetch as soon as any partition has one): for a reader that follows the whole topic
 * off the request path (the id tailer). One consumer and one fetch for all partitions, and no turn spent
 * without a record, where a reader per partition polled each without waiting and parked between rounds.
 * Only events records are handed over (the others carry no ids); each record's value is read in place
 * of the previous one. Single-threaded, as Kafka's consumer is, except {@link #wakeup}.
 */
public final class KafkaTopicTail implements AutoCloseable {

    /** Told each events record: its partition, its offset there, its header and payload (valid during the call). */
    @FunctionalInterface
    public interface EventsVisitor {
        void onEvents(int partition, long offset, RecordHeader header, Bytes<?> payload);
    }

    /** Told the offset of every record read (events or not) once it was handled, in each partition's order. */
    @FunctionalInterface
    public interface Progress {
        void passed(int partition, long offset);
    }

    private static final byte EVENTS = RecordType.EVENTS.code();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final RecordHeader header = new RecordHeader();
    private final Bytes<byte[]> payload = Bytes.allocateElasticOnHeap(512);

    KafkaTopicTail(KafkaTopic topic, long[] after, String role) {
        this.topic = topic.name();
        this.consumer = topic.consumer(role);
        try {
            List<TopicPartition> all = new ArrayList<>(after.length);
            for (int p = 0; p < after.length; p++) {
                all.add(new TopicPartition(topic.name(), p));
            }
            consumer.assign(all);
            for (int p = 0; p < after.length; p++) {
                if (after[p] >= 0) {
                    consumer.seek(all.get(p), after[p] + 1);
                } else {
                    consumer.seekToBeginning(List.of(all.get(p)));
                }
            }
        } catch (RuntimeException e) {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
        // Built on one thread, read on the tailer's.
        payload.singleThreadedCheckDisabled(true);
    }

    /**
     * Waits up to {@code wait} for records, hands over the events records among them and reports every record
     * passed (the events ones after their visit); returns how many
     * records (of any type) were read, 0 when none came or {@link #wakeup} cut the wait short.
     */
    public int poll(Duration wait, EventsVisitor visitor, Progress progress) {
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(wait);
        } catch (WakeupException e) {
            return 0;
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
            byte[] value = r.value();
            // A heartbeat, clock or rules record carries no id: not copied nor decoded.
            if (value == null || value.length < KafkaJournal.HEADER_BYTES) {
                throw corrupt(r, null);
            }
            if (value[0] != EVENTS) {
                progress.passed(r.partition(), r.offset());
                continue;
            }
            try {
                payload.clear();
                payload.write(value);
                payload.readSkip(1);
                long ingestMs = payload.readLong();
                long clockOffsetMs = payload.readLong();
                header.set(RecordType.EVENTS, KafkaSeq.of(r.partition(), r.offset()), ingestMs, clockOffsetMs);
                visitor.onEvents(r.partition(), r.offset(), header, payload);
            } catch (JournalCorruptException | BufferUnderflowException | IllegalStateException e) {
                throw corrupt(r, e);
            }
            progress.passed(r.partition(), r.offset());
        }
        return records.count();
    }

    private JournalCorruptException corrupt(ConsumerRecord<byte[], byte[]> r, RuntimeException cause) {
        return new JournalCorruptException("the record at offset " + r.offset() + " of " + topic + "-"
                + r.partition() + " cannot be read" + (cause == null ? " (no header)" : " (" + cause + ")")
                + ": not written by this engine?", cause);
    }

    /** Ends a {@link #poll} waiting now, or the next one; from any thread. */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
