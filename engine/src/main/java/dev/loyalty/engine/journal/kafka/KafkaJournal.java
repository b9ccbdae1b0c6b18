package dev.loyalty.engine.journal.kafka;

import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.journal.EventCodec;
import dev.loyalty.engine.journal.IngestClock;
import dev.loyalty.engine.journal.Journal;
import dev.loyalty.engine.journal.JournalReader;
import dev.loyalty.engine.journal.JournalUnavailableException;
import dev.loyalty.engine.journal.PartitionHash;
import dev.loyalty.engine.journal.RecordType;
import net.openhft.chronicle.bytes.Bytes;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The journal on a Kafka topic partitioned like the engine: a customer's events go to Kafka partition
 * {@link PartitionHash#partition} (an explicit partition number, so Kafka's own partitioner never decides),
 * one Kafka record per event keyed by the customer; heartbeat, clock and rules records go to every
 * partition. A record's value is {@code type (1 byte), ingest ms (8), clock offset ms (8)} then the same
 * payload as on Chronicle; its seq is {@link KafkaSeq} of where Kafka put it, known once Kafka acknowledged
 * it, so appends here wait for the acknowledgement ({@code acks=all}, idempotent producer) and return the
 * seqs. The ingest time is taken under the send lock and sent in the same order, so each partition's ingest
 * times only grow, and it travels in the record: processors read time from the journal only.
 */
public final class KafkaJournal implements Journal {

    /** Header of a record's value: type, ingest time, clock offset. */
    static final int HEADER_BYTES = 1 + 2 * Long.BYTES;

    private final KafkaTopic topic;
    private final KafkaProducer<String, byte[]> producer;
    private final IngestClock clock;
    /** Offset of the newest record of each partition known to be in the topic (-1: none). */
    private final AtomicLongArray lastOffsets;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final LongAdder bytesAppended = new LongAdder();
    private final Bytes<byte[]> encoder = Bytes.allocateElasticOnHeap(512);
    private final long ackTimeoutMs;
    private volatile boolean closed;

    /** What a record sent to every partition got: its ingest time and its seq in each partition. */
    public record Broadcast(long ingestMs, long[] seqs) {
    }

    private KafkaJournal(KafkaTopic topic, KafkaProducer<String, byte[]> producer, IngestClock clock,
                         long[] lastOffsets, long ackTimeoutMs) {
        this.topic = topic;
        this.producer = producer;
        this.clock = clock;
        this.lastOffsets = new AtomicLongArray(lastOffsets);
        this.ackTimeoutMs = ackTimeoutMs;
        // Any appending thread uses it, one at a time under the send lock.
        encoder.singleThreadedCheckDisabled(true);
    }

    /**
     * Connects, creates the topic with {@code partitions} partitions when it is missing (else adopts the
     * topic's count), and restores the ingest clock from the newest record of every partition.
     *
     * @param ackTimeout how long an append may wait for Kafka (a longer outage answers 503)
     * @throws JournalUnavailableException when the cluster cannot be reached in time
     */
    public static KafkaJournal open(KafkaSettings settings, int partitions, LongSupplier wallMs, Duration ackTimeout) {
        KafkaTopic topic = KafkaTopic.ensure(settings, partitions);
        long[] last = new long[topic.partitions()];
        long[] clockState = topic.restoreClock(last);
        IngestClock clock = new IngestClock(wallMs, clockState[1], clockState[0]);
        long timeoutMs = Math.max(1000, ackTimeout.toMillis());
        Map<String, Object> p = new HashMap<>(settings.clientConfig("producer"));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        // A short linger batches concurrent requests (each waits for its acknowledgement anyway).
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        // An outage answers 503 within the ack timeout instead of holding requests for Kafka's 2 minutes.
        int requestTimeout = (int) Math.max(500, timeoutMs / 2);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeoutMs, requestTimeout + 1));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        // send() runs on event loops: it must never wait for metadata. The topic's is fetched below and kept
        // however long the node goes without a send (an outage then fails records, not the caller's thread).
        p.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, (int) Duration.ofDays(7).toMillis());
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        try {
            producer.partitionsFor(topic.name());
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw new JournalUnavailableException("Kafka did not give the topic's metadata: " + e.getMessage(), e);
        }
        return new KafkaJournal(topic, producer, clock, last, timeoutMs);
    }

    /** The topic's partition count: the engine's. */
    public int partitions() {
        return topic.partitions();
    }

    /** The topic and how to reach it. */
    public KafkaTopic topic() {
        return topic;
    }

    /**
     * Journals each event as its own record in its customer's partition and waits until Kafka acknowledged
     * all of them ({@link #appendEventsAsync} waited for on this thread).
     *
     * @param ingestOut receives the ingest time of the events (may be null)
     * @return the seq of each event, in order
     * @throws JournalUnavailableException when Kafka did not acknowledge every event in time; some may
     *                                     have been journaled nevertheless
     */
    public long[] appendEvents(List<Submitted> events, long[] ingestOut) {
        try {
            return appendEventsAsync(events, ingestOut).get(ackTimeoutMs + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof JournalUnavailableException u ? u
                    : new JournalUnavailableException("Kafka did not acknowledge the record: " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new JournalUnavailableException("Kafka did not acknowledge the record within " + ackTimeoutMs + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JournalUnavailableException("interrupted while waiting for Kafka", e);
        }
    }

    /**
     * Hands each event to the producer as its own record in its customer's partition, without waiting:
     * the future completes, on the producer's I/O thread, with the seq of each event once Kafka acknowledged
     * all of them, or fails with {@link JournalUnavailableException} when one was not acknowledged (some may
     * have been journaled nevertheless). It always completes: the producer reports every record within
     * {@code delivery.timeout.ms} (the ack timeout). The call itself does not wait for the network: the
     * topic's metadata is fetched at open and kept ({@code metadata.max.idle.ms}).
     *
     * @param ingestOut receives the ingest time of the events before this returns (may be null)
     * @throws JournalUnavailableException when the producer refused a record at once (closed)
     */
    public CompletableFuture<long[]> appendEventsAsync(List<Submitted> events, long[] ingestOut) {
        checkOpen();
        KafkaAcks acks = new KafkaAcks(events.size(), lastOffsets);
        sendLock.lock();
        try {
            long t = clock.next();
            for (int i = 0, n = events.size(); i < n; i++) {
                Submitted s = events.get(i);
                int hash = PartitionHash.of(s.event().customer());
                Bytes<byte[]> b = header(RecordType.EVENTS, t);
                b.writeStopBit(1);
                b.writeInt(hash);
                long lengthAt = b.writePosition();
                b.writeInt(0);
                EventCodec.write(b, s.event(), s.bodyHash());
                b.writeInt(lengthAt, (int) (b.writePosition() - lengthAt - Integer.BYTES));
                send(PartitionHash.partition(hash, topic.partitions()), s.event().customer(), b, acks.slot(i));
            }
            if (ingestOut != null) {
                ingestOut[0] = t;
            }
        } finally {
            sendLock.unlock();
        }
        return acks;
    }

    /** Journals a heartbeat in every partition; returns the seq of partition 0's. */
    @Override
    public long appendHeartbeat() {
        return broadcast(RecordType.HEARTBEAT, null, 0).seqs()[0];
    }

    /** Advances the clock offset and journals a clock record in every partition, acknowledged. */
    public Broadcast appendClockAdvance(long advanceMs) {
        return broadcast(RecordType.CLOCK, null, advanceMs);
    }

    /** Journals the rules in every partition; returns the seq of partition 0's. */
    @Override
    public long appendRules(String rulesJson) {
        return broadcast(RecordType.RULES, rulesJson, 0).seqs()[0];
    }

    /** Seqs here are known only once Kafka acknowledged: use {@link #appendEvents(List, long[])}. */
    @Override
    public long appendEvents(List<Submitted> events, AppendHook hook) {
        throw new UnsupportedOperationException("the Kafka journal's seqs are known after the acknowledgement: "
                + "appendEvents(events, ingestOut)");
    }

    /** Seqs here are known only once Kafka acknowledged: use {@link #appendClockAdvance(long)}. */
    @Override
    public long appendClockAdvance(long advanceMs, AppendHook hook) {
        throw new UnsupportedOperationException("the Kafka journal's seqs are known after the acknowledgement: "
                + "appendClockAdvance(advanceMs)");
    }

    private Broadcast broadcast(RecordType type, String text, long advanceMs) {
        checkOpen();
        int n = topic.partitions();
        List<Future<RecordMetadata>> sent = new ArrayList<>(n);
        long t;
        sendLock.lock();
        try {
            if (advanceMs > 0) {
                clock.advance(advanceMs);
            }
            t = clock.next();
            Bytes<byte[]> b = header(type, t);
            if (text != null) {
                b.writeUtf8(text);
            }
            for (int p = 0; p < n; p++) {
                sent.add(send(p, null, b, null));
            }
        } finally {
            sendLock.unlock();
        }
        return new Broadcast(t, acknowledged(sent));
    }

    /** The encoder, cleared, with a record header written. Under the send lock. */
    private Bytes<byte[]> header(RecordType type, long ingestMs) {
        Bytes<byte[]> b = encoder;
        b.clear();
        b.writeByte(type.code());
        b.writeLong(ingestMs);
        b.writeLong(clock.offsetMs());
        return b;
    }

    /** Sends what the encoder holds (copied: Kafka keeps the array until sent). Under the send lock. */
    private Future<RecordMetadata> send(int partition, String key, Bytes<byte[]> b, Callback callback) {
        byte[] value = new byte[(int) b.readRemaining()];
        b.read(value);
        b.readPosition(0);
        bytesAppended.add(value.length);
        try {
            return producer.send(new ProducerRecord<>(topic.name(), partition, key, value), callback);
        } catch (RuntimeException e) {
            // Metadata unavailable past max.block.ms (broker down), or the producer closed.
            throw new JournalUnavailableException("Kafka did not take the record: " + e.getMessage(), e);
        }
    }

    /** Waits for every acknowledgement, within the ack timeout; the seq of each record. */
    private long[] acknowledged(List<Future<RecordMetadata>> sent) {
        long[] seqs = new long[sent.size()];
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ackTimeoutMs + 1000);
        for (int i = 0; i < seqs.length; i++) {
            try {
                RecordMetadata m = sent.get(i).get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
                lastOffsets.accumulateAndGet(m.partition(), m.offset(), Math::max);
                seqs[i] = KafkaSeq.of(m.partition(), m.offset());
            } catch (ExecutionException e) {
                throw new JournalUnavailableException("Kafka did not acknowledge the record: " + e.getCause(), e);
            } catch (TimeoutException e) {
                throw new JournalUnavailableException("Kafka did not acknowledge the record within "
                        + ackTimeoutMs + " ms", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JournalUnavailableException("interrupted while waiting for Kafka", e);
            }
        }
        return seqs;
    }

    private void checkOpen() {
        if (closed) {
            throw new JournalUnavailableException("journal closed");
        }
    }

    /** Offset of the newest record of each partition acknowledged or found at start (-1: none). */
    public long[] lastOffsets() {
        long[] out = new long[lastOffsets.length()];
        for (int p = 0; p < out.length; p++) {
            out[p] = lastOffsets.get(p);
        }
        return out;
    }

    @Override
    public long lastSeq() {
        long max = 0;
        for (int p = 0; p < lastOffsets.length(); p++) {
            max = Math.max(max, lastSeq(p));
        }
        return max;
    }

    @Override
    public long lastSeq(int partition) {
        long offset = lastOffsets.get(partition);
        return offset < 0 ? 0 : KafkaSeq.of(partition, offset);
    }

    @Override
    public IngestClock clock() {
        return clock;
    }

    @Override
    public long bytesAppended() {
        return bytesAppended.sum();
    }

    /** Positions are per partition here (Kafka offsets): there is no one newest position. */
    @Override
    public long lastPosition() {
        throw new UnsupportedOperationException("the Kafka journal has a position per partition: lastOffsets()");
    }

    /** Positions are per partition here (Kafka offsets). */
    @Override
    public long firstPosition() {
        throw new UnsupportedOperationException("the Kafka journal has a position per partition");
    }

    /** Seqs are per partition here. */
    @Override
    public long firstSeq() {
        throw new UnsupportedOperationException("the Kafka journal has seqs per partition");
    }

    /** Readers here read one partition: {@link #reader(int)}. */
    @Override
    public JournalReader reader() {
        throw new UnsupportedOperationException("the Kafka journal is read per partition: reader(partition)");
    }

    /** The reader of {@code partition} (its own Kafka partition: every record it hands over is read in full). */
    @Override
    public JournalReader reader(int partition, int partitions) {
        if (partitions != topic.partitions()) {
            throw new IllegalArgumentException(partitions + " partitions asked of a topic with " + topic.partitions());
        }
        return reader(partition);
    }

    /** Another reader saw the partition end at {@code lastOffset} (other nodes journal into it too). */
    public void observed(int partition, long lastOffset) {
        lastOffsets.accumulateAndGet(partition, lastOffset, Math::max);
    }

    /**
     * The seq a partition read by {@code reader} (from {@link #reader(int)}) has caught up at: its newest record
     * now, whoever journaled it (0 when empty). Also what this node knows of the partition's end from then on.
     */
    public long catchUpSeq(JournalReader reader) {
        KafkaPartitionReader r = (KafkaPartitionReader) reader;
        int partition = r.partition();
        long last = r.endOffset() - 1;
        lastOffsets.accumulateAndGet(partition, last, Math::max);
        return last < 0 ? 0 : KafkaSeq.of(partition, last);
    }

    /** A reader of one partition, positioned before its first record; positions are Kafka offsets. */
    public JournalReader reader(int partition) {
        return reader(partition, "partition");
    }

    /**
     * As {@link #reader(int)}, its consumer's client id ending in {@code role-partition}: readers other than the
     * processors (the id tailer) name themselves, so a broker's logs and client metrics tell them apart.
     */
    public JournalReader reader(int partition, String role) {
        return new KafkaPartitionReader(topic, partition, role);
    }

    /**
     * Every partition read by one waiting consumer, each from right after {@code after[p]} (-1: from its oldest
     * record); its client id ends in {@code role}.
     */
    public KafkaTopicTail tail(long[] after, String role) {
        if (after.length != topic.partitions()) {
            throw new IllegalArgumentException(after.length + " partitions asked of a topic with " + topic.partitions());
        }
        return new KafkaTopicTail(topic, after, role);
    }

    /**
     * Reads one partition from right after {@code afterOffset} (-1: from its oldest record) through
     * {@code lastOffset}, waiting for the consumer as needed (start-up only).
     *
     * @throws JournalUnavailableException when the records do not arrive within the start-up timeout
     */
    public void read(int partition, long afterOffset, long lastOffset, JournalReader.RecordVisitor visitor) {
        if (lastOffset < 0 || afterOffset >= lastOffset) {
            return;
        }
        try (KafkaPartitionReader r = new KafkaPartitionReader(topic, partition, "start-read")) {
            if (afterOffset >= 0) {
                r.seekAfter(afterOffset);
            }
            long[] at = {afterOffset};
            long deadline = System.nanoTime() + KafkaTopic.START_TIMEOUT.toNanos();
            while (at[0] < lastOffset) {
                boolean read = r.next((position, h, payload) -> {
                    at[0] = position;
                    visitor.onRecord(position, h, payload);
                });
                if (!read && System.nanoTime() - deadline > 0) {
                    throw new JournalUnavailableException(r.partitionName() + " could not be read up to offset "
                            + lastOffset + " within " + KafkaTopic.START_TIMEOUT.toSeconds() + " s");
                } else if (!read) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
                }
            }
        }
    }

    /** Kafka acknowledged every record on all in-sync replicas already ({@code acks=all}). */
    @Override
    public void sync() {
        // nothing to do: an acknowledged record is as durable as the topic's replication makes it
    }

    @Override
    public void close() {
        closed = true;
        producer.close(Duration.ofSeconds(5));
    }
}
