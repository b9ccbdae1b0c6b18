package dev.loyalty.engine.journal.kafka;

import dev.loyalty.engine.journal.JournalUnavailableException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The journal's topic: created or adopted at start, and the consumers that read it. */
public final class KafkaTopic {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopic.class);
    /** How long start-up waits for the cluster (topic check, newest records) before refusing to start. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaSettings settings;
    private final int partitions;

    private KafkaTopic(KafkaSettings settings, int partitions) {
        this.settings = settings;
        this.partitions = partitions;
    }

    public String name() {
        return settings.topic();
    }

    public int partitions() {
        return partitions;
    }

    /** How this node reaches the cluster (its clients start from {@link KafkaSettings#clientConfig}). */
    public KafkaSettings settings() {
        return settings;
    }

    /**
     * The topic with {@code wanted} partitions if this creates it, else with the count it has (the
     * engine's from then on). A created topic keeps its records forever (it is the source of truth; the
     * broker's default would drop them after 7 days) and has up to 3 replicas, as many as there are brokers.
     */
    static KafkaTopic ensure(KafkaSettings settings, int wanted) {
        Map<String, Object> config = settings.clientConfig("admin");
        config.putIfAbsent("default.api.timeout.ms", (int) START_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(config)) {
            Integer found = describe(admin, settings.topic());
            if (found == null) {
                int brokers = admin.describeCluster().nodes().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
                short replicas = (short) Math.max(1, Math.min(3, brokers));
                NewTopic topic = new NewTopic(settings.topic(), wanted, replicas)
                        .configs(Map.of("retention.ms", "-1", "retention.bytes", "-1"));
                try {
                    admin.createTopics(List.of(topic)).all().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.info("created the journal topic {} ({} partitions, {} replicas)", settings.topic(), wanted,
                            replicas);
                    return new KafkaTopic(settings, wanted);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    found = describe(admin, settings.topic()); // another node created it meanwhile
                }
            }
            if (found == null || found < 1 || found > KafkaSeq.MAX_PARTITIONS) {
                throw new JournalUnavailableException("the journal topic " + settings.topic() + " has " + found
                        + " partitions; the engine works with 1.." + KafkaSeq.MAX_PARTITIONS);
            }
            if (found != wanted) {
                LOG.info("the journal topic {} has {} partitions: the engine uses {} (partitions: {} only sizes a "
                        + "topic it creates)", settings.topic(), found, found, wanted);
            }
            return new KafkaTopic(settings, found);
        } catch (ExecutionException | TimeoutException e) {
            throw unreachable(settings, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable(settings, e);
        }
    }

    private static JournalUnavailableException unreachable(KafkaSettings settings, Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return new JournalUnavailableException("the Kafka journal (topic " + settings.topic() + " at "
                + settings.bootstrapServers() + ") cannot be reached: " + cause, cause);
    }

    /** The topic's partition count, or null when it does not exist. */
    private static Integer describe(Admin admin, String topic) throws ExecutionException, InterruptedException,
            TimeoutException {
        try {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            return d.partitions().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
    }

    /** A consumer of this topic that reads only what {@code assign} gives it; no group, no committed offsets. */
    KafkaConsumer<byte[], byte[]> consumer(String role) {
        Map<String, Object> c = new HashMap<>(settings.clientConfig(role));
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        // Consumers see only records below the high watermark (on every in-sync replica); this also hides
        // aborted transactions, should a producer ever use them.
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Reads the newest record of every partition: fills {@code lastOffsets} (-1 for an empty partition) and
     * returns {newest ingest time (Long.MIN_VALUE when empty), the clock offset journaled with it}.
     */
    long[] restoreClock(long[] lastOffsets) {
        long lastMs = Long.MIN_VALUE;
        long offsetMs = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("restore")) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(name(), p));
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps, START_TIMEOUT);
            List<TopicPartition> nonEmpty = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                lastOffsets[p] = ends.get(tps.get(p)) - 1;
                if (lastOffsets[p] >= 0) {
                    nonEmpty.add(tps.get(p));
                }
            }
            consumer.assign(nonEmpty);
            for (TopicPartition tp : nonEmpty) {
                consumer.seek(tp, lastOffsets[tp.partition()]);
            }
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            int left = nonEmpty.size();
            boolean[] seen = new boolean[partitions];
            while (left > 0) {
                if (System.nanoTime() - deadline > 0) {
                    throw new JournalUnavailableException("the newest records of the journal topic " + name()
                            + " could not be read within " + START_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.offset() == lastOffsets[r.partition()] && !seen[r.partition()]) {
                        seen[r.partition()] = true;
                        left--;
                        // Written by Chronicle's Bytes (little-endian), read back the same way.
                        net.openhft.chronicle.bytes.Bytes<byte[]> v = net.openhft.chronicle.bytes.Bytes.wrapForRead(r.value());
                        v.readByte();
                        long ingest = v.readLong();
                        long clockOffset = v.readLong();
                        if (ingest >= lastMs) {
                            lastMs = ingest;
                            offsetMs = clockOffset;
                        }
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new JournalUnavailableException("the journal topic " + name() + " cannot be read: " + e, e);
        }
        return new long[] {lastMs, offsetMs};
    }
}
