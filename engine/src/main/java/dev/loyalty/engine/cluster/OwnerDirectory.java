package dev.loyalty.engine.cluster;

import dev.loyalty.engine.journal.PartitionHash;
import dev.loyalty.engine.journal.kafka.KafkaTopic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Who owns each partition and how to reach it, from Kafka alone: every node writes {@code node-id → advertised
 * URL} to the compacted topic {@code <topic>-nodes} at start, and the group's assignment comes from
 * {@link Admin#describeConsumerGroups} (a member's client id carries its node id), refreshed every
 * {@link #REFRESH} and after each rebalance. This node's own partitions come from its membership, which is
 * exact; the others' may be a refresh old (a request forwarded to a former owner is refused or fails, and the
 * receiving node answers as for a partition with no owner).
 */
public final class OwnerDirectory implements ClusterView, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OwnerDirectory.class);
    /** How often the assignment is read when nothing signals a rebalance. */
    static final Duration REFRESH = Duration.ofSeconds(1);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final String nodeId;
    private final String url;
    private final String topic;
    private final int partitions;
    private final Admin admin;
    private final KafkaConsumer<String, String> nodesReader;
    private final ScheduledExecutorService refresher;
    private final Map<String, String> urls = new ConcurrentHashMap<>();
    private final Owner self;
    private volatile GroupMembership membership;
    /** Told the newest offset of each partition this node owns, at every refresh (lag, load shedding). */
    private volatile PartitionEnds ends = (partition, lastOffset) -> { };
    /** Owner by partition as of the last refresh (null: none); replaced whole. */
    private volatile Owner[] remote;

    private OwnerDirectory(KafkaTopic topic, String nodeId, String url) {
        this.nodeId = nodeId;
        this.url = url;
        this.topic = topic.name();
        this.partitions = topic.partitions();
        this.remote = new Owner[partitions];
        this.self = new Owner(nodeId, url, true);
        Map<String, Object> a = new HashMap<>(topic.settings().clientConfig("directory-admin"));
        a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        this.admin = Admin.create(a);
        try {
            String nodesTopic = nodesTopic(topic.name());
            ensureNodesTopic(nodesTopic);
            publish(topic, nodesTopic);
            Map<String, Object> c = new HashMap<>(topic.settings().clientConfig("directory"));
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            this.nodesReader = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
            TopicPartition tp = new TopicPartition(nodesTopic, 0);
            nodesReader.assign(List.of(tp));
            nodesReader.seekToBeginning(List.of(tp));
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO);
            throw e;
        }
        urls.put(nodeId, url == null ? "" : url);
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster-directory");
            t.setDaemon(true);
            return t;
        });
    }

    /** Publishes this node's URL and starts reading the others'; {@link #follow} then ties it to the group. */
    public static OwnerDirectory open(KafkaTopic topic, String nodeId, String advertisedUrl) {
        return new OwnerDirectory(topic, nodeId, advertisedUrl);
    }

    /** Receives the newest offset of a partition (other nodes journal into it too). */
    @FunctionalInterface
    public interface PartitionEnds {
        void observed(int partition, long lastOffset);
    }

    /**
     * Starts refreshing the assignment of {@code membership}'s group, and telling {@code ends} where the
     * partitions this node owns end.
     */
    public void follow(GroupMembership membership, PartitionEnds ends) {
        this.membership = membership;
        this.ends = ends;
        refresher.scheduleWithFixedDelay(this::refresh, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks for a refresh now (after a rebalance); never blocks. */
    public void refreshSoon() {
        if (!refresher.isShutdown()) {
            try {
                refresher.execute(this::refresh);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    @Override
    public CompletableFuture<Void> refreshNow() {
        try {
            return CompletableFuture.runAsync(this::refresh, refresher);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null); // closing
        }
    }

    static String nodesTopic(String topic) {
        return topic + "-nodes";
    }

    private void ensureNodesTopic(String name) {
        try {
            int brokers = admin.describeCluster().nodes().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
            NewTopic t = new NewTopic(name, 1, (short) Math.max(1, Math.min(3, brokers)))
                    .configs(Map.of("cleanup.policy", "compact"));
            admin.createTopics(List.of(t)).all().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("created the cluster's node directory topic {}", name);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("the node directory topic " + name + " cannot be created: "
                        + e.getCause(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("the node directory topic " + name + " cannot be created in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void publish(KafkaTopic topic, String nodesTopic) {
        Map<String, Object> p = new HashMap<>(topic.settings().clientConfig("directory-producer"));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(nodesTopic, 0, nodeId, url == null ? "" : url))
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("this node's address cannot be published to " + nodesTopic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** On the refresher thread: new node addresses, then the group's assignment. */
    private void refresh() {
        try {
            for (ConsumerRecord<String, String> r : nodesReader.poll(Duration.ZERO)) {
                if (r.key() != null) {
                    urls.put(r.key(), r.value() == null ? "" : r.value());
                }
            }
            String group = GroupMembership.groupId(topic);
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all()
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(group);
            Owner[] next = new Owner[partitions];
            if (d != null) {
                for (MemberDescription m : d.members()) {
                    String node = GroupMembership.nodeOfClientId(m.clientId());
                    if (node == null) {
                        continue;
                    }
                    String u = urls.get(node);
                    Owner o = new Owner(node, u == null || u.isEmpty() ? null : u, node.equals(nodeId));
                    for (TopicPartition tp : m.assignment().topicPartitions()) {
                        if (tp.topic().equals(topic) && tp.partition() < partitions) {
                            next[tp.partition()] = o;
                        }
                    }
                }
            }
            remote = next;
            readEnds();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.debug("the consumer group's assignment could not be read: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readEnds() throws ExecutionException, InterruptedException, TimeoutException {
        GroupMembership m = membership;
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> asked = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            if (m != null && m.owns(p)) {
                asked.put(new TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
        }
        if (asked.isEmpty()) {
            return;
        }
        // Read-committed, as the processors read: the end a partition can catch up to.
        var found = admin.listOffsets(asked, new org.apache.kafka.clients.admin.ListOffsetsOptions(
                org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all()
                .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        found.forEach((tp, info) -> ends.observed(tp.partition(), info.offset() - 1));
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public Owner self() {
        return self;
    }

    @Override
    public boolean ownsAll() {
        GroupMembership m = membership;
        return m != null && m.ownedCount() == partitions;
    }

    @Override
    public int partitions() {
        return partitions;
    }

    @Override
    public int partitionOf(String customer) {
        return PartitionHash.partition(PartitionHash.of(customer), partitions);
    }

    @Override
    public Owner owner(int partition) {
        GroupMembership m = membership;
        if (m != null && m.owns(partition)) {
            return self;
        }
        Owner o = remote[partition];
        // The assignment read may still name this node for a partition it has just given up: nobody, then.
        return o == null || o.local() ? null : o;
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        try {
            refresher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        nodesReader.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
        admin.close(Duration.ofSeconds(2));
    }
}
