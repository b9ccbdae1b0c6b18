package dev.loyalty.engine.cluster;

import dev.loyalty.engine.journal.kafka.KafkaTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * This node's membership of the consumer group that shares the journal's partitions among the nodes
 * ({@code loyalty-<topic>}, classic protocol, cooperative-sticky assignment). The group only assigns: its
 * consumer keeps every partition paused and commits nothing, since each partition's processor reads with its
 * own consumer and stores its offset in the partition's RocksDB commit. Rebalance callbacks run on this class's
 * own thread and hand partitions to a {@link PartitionLifecycle}; a revoked partition is stopped and committed
 * before the callback returns, so the next owner never overlaps with it.
 *
 * <p>Why the classic protocol: its {@code session.timeout.ms} is the member's own ({@code
 * cluster.session-timeout}); the newer consumer protocol takes the session timeout from the broker's group
 * configuration, which a node cannot choose.
 */
public final class GroupMembership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupMembership.class);
    /** The Kafka client id's role: other nodes find this node's id in it ({@link #nodeOfClientId}). */
    static final String ROLE = "group";

    private final String topic;
    private final PartitionLifecycle lifecycle;
    private final Runnable onRebalance;
    private final Map<String, Object> clientConfig;
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private final ClusterMetrics metrics;
    private volatile boolean running = true;
    private volatile boolean leaveOnClose = true;
    private volatile boolean joined;
    /** Only the membership thread touches it (Kafka's consumer is single-threaded); null until it starts. */
    private KafkaConsumer<byte[], byte[]> consumer;

    private GroupMembership(KafkaTopic topic, Duration sessionTimeout, Duration heartbeatInterval,
                            PartitionLifecycle lifecycle, Runnable onRebalance, ClusterMetrics metrics) {
        this.topic = topic.name();
        this.lifecycle = lifecycle;
        this.onRebalance = onRebalance;
        this.metrics = metrics;
        Map<String, Object> c = new HashMap<>(topic.settings().clientConfig(ROLE));
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(topic.name()));
        c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, List.of(CooperativeStickyAssignor.class.getName()));
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Never fetched (paused), but a position is still looked up for every assigned partition.
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) heartbeatInterval.toMillis());
        this.clientConfig = c;
        this.thread = new Thread(this::run, "cluster-membership-" + topic.settings().nodeId());
        thread.setDaemon(true);
    }

    /**
     * Joins the group on a thread of its own.
     *
     * @param onRebalance called after every rebalance this node took part in (refreshes who owns what)
     */
    public static GroupMembership start(KafkaTopic topic, Duration sessionTimeout, Duration heartbeatInterval,
                                        PartitionLifecycle lifecycle, Runnable onRebalance, ClusterMetrics metrics) {
        GroupMembership m = new GroupMembership(topic, sessionTimeout, heartbeatInterval, lifecycle, onRebalance,
                metrics);
        m.thread.start();
        return m;
    }

    /** The group of the nodes sharing {@code topic}. */
    public static String groupId(String topic) {
        return "loyalty-" + topic;
    }

    /** The node id in a group member's client id, or null when the member is not an engine node. */
    static String nodeOfClientId(String clientId) {
        String prefix = "loyalty-";
        String suffix = "-" + ROLE;
        if (clientId == null || !clientId.startsWith(prefix) || !clientId.endsWith(suffix)
                || clientId.length() <= prefix.length() + suffix.length()) {
            return null;
        }
        return clientId.substring(prefix.length(), clientId.length() - suffix.length());
    }

    /** True once this node has taken part in a first rebalance (before it, owning nothing means nothing). */
    public boolean joined() {
        return joined;
    }

    /** True when the group assigned {@code partition} to this node and it has not been revoked since. */
    public boolean owns(int partition) {
        return owned.contains(partition);
    }

    /** How many partitions this node owns. */
    public int ownedCount() {
        return owned.size();
    }

    private void run() {
        try {
            consumer = new KafkaConsumer<>(clientConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(topic), new Listener());
            while (running) {
                try {
                    consumer.poll(Duration.ofMillis(500));
                } catch (WakeupException e) {
                    // close() asks the loop to end
                } catch (KafkaException e) {
                    // A broker outage or a failed rebalance: the consumer rejoins on the next poll.
                    LOG.warn("the consumer group {} failed a poll ({}): retrying", groupId(topic), e.toString());
                    LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
                }
            }
        } catch (RuntimeException e) {
            LOG.error("the consumer group {} membership stopped: {}", groupId(topic), e.toString(), e);
        } finally {
            closeConsumer();
        }
    }

    private void closeConsumer() {
        if (consumer != null) {
            try {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)).withGroupMembershipOperation(
                        leaveOnClose ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP
                                : CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP));
            } catch (RuntimeException e) {
                LOG.warn("the consumer group {} member did not close cleanly: {}", groupId(topic), e.toString());
            }
        }
        // Whatever the close did not revoke (no broker reachable) stops here: nothing runs past the membership.
        for (Integer p : List.copyOf(owned)) {
            owned.remove(p);
            lifecycle.revoked(p);
        }
    }

    /** Leaves the group (its partitions move to the other nodes at once) after stopping every owned partition. */
    @Override
    public void close() {
        stop(true);
    }

    /**
     * Stops without leaving the group, as a process that died would: the other nodes take its partitions only
     * once the session times out. For tests of failover.
     */
    public void abandon() {
        stop(false);
    }

    private void stop(boolean leave) {
        leaveOnClose = leave;
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null && thread.isAlive()) {
            try {
                c.wakeup();
            } catch (IllegalStateException e) {
                // closed meanwhile
            }
        }
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs on the membership thread, inside {@code poll}. */
    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            consumer.pause(partitions);
            for (TopicPartition tp : partitions) {
                LOG.info("the group assigned partition {} to this node", tp.partition());
                lifecycle.assigned(tp.partition());
                owned.add(tp.partition());
            }
            joined = true;
            metrics.rebalanced();
            onRebalance.run();
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                LOG.info("the group takes partition {} from this node: committing and stopping it", tp.partition());
                owned.remove(tp.partition());
                lifecycle.revoked(tp.partition());
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // The session expired (a long pause, a broker outage): others may own them already. Our state stays
            // ours (own data folder), so committing what we applied is still right; we just stop at once.
            LOG.warn("this node lost partitions {} (its group session expired)", partitions);
            onPartitionsRevoked(partitions);
        }
    }
}
