package dev.loyalty.engine.testing;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One in-JVM KRaft cluster (Kafka's own test kit: 1 combined controller and broker) shared by every test of
 * the test JVM that needs one, started on first use (~2 s) and closed when the test session ends (a
 * {@link LauncherSessionListener}: a JVM shutdown hook would race the kit's own hooks, which delete its log
 * folders, and the broker then halts the JVM with exit code 1). Tests keep apart by using their own topic
 * ({@link #topic}). Single-broker settings from shared/notes/kafka.md.
 */
public final class KafkaTestCluster implements LauncherSessionListener {
    private static KafkaClusterTestKit cluster;
    private static final AtomicInteger TOPICS = new AtomicInteger();

    /** For the JUnit Platform (META-INF/services); tests use the static methods. */
    public KafkaTestCluster() {
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        close();
    }

    private static synchronized void close() {
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception e) {
                throw new IllegalStateException("the in-JVM Kafka cluster did not close", e);
            } finally {
                cluster = null;
            }
        }
    }

    /** The bootstrap servers of the shared cluster, started if needed. */
    public static synchronized String bootstrapServers() {
        if (cluster == null) {
            cluster = start();
        }
        return cluster.bootstrapServers();
    }

    /** A topic name no other test of this JVM uses. */
    public static String topic(String prefix) {
        return prefix + "-" + TOPICS.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The ENGINE config overrides that put an engine's journal on a fresh topic of the shared cluster. */
    public static Map<String, String> journalOn(String topic) {
        return Map.of("journal.kind", "kafka", "journal.kafka.bootstrap-servers", bootstrapServers(),
                "journal.kafka.topic", topic, "cluster.node-id", "test-node");
    }

    /**
     * The overrides of one node of a test cluster: {@link #journalOn} plus its data folder, partitions, node id,
     * an advertised URL no one calls, and a group session short enough ({@code session}) to fail over in seconds.
     */
    public static Map<String, String> nodeOn(String topic, Path data, int partitions, String node, Duration session) {
        Map<String, String> o = new LinkedHashMap<>(journalOn(topic));
        o.put("data-dir", data.toString());
        o.put("partitions", Integer.toString(partitions));
        o.put("cluster.node-id", node);
        o.put("cluster.advertised-url", "http://" + node + ".test:8080");
        o.put("cluster.session-timeout", session.toMillis() + "ms");
        o.put("cluster.heartbeat-interval", "300ms");
        return o;
    }

    private static KafkaClusterTestKit start() {
        return start(1);
    }

    /**
     * A cluster of its own, 1 controller and {@code brokers} brokers (combined with the controller when 1; 3
     * controllers fail on this kit, shared/notes/kafka.md), for a test class that stops brokers; it closes it.
     */
    public static KafkaClusterTestKit start(int brokers) {
        String internalReplicas = Integer.toString(Math.min(3, brokers));
        try {
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(brokers == 1).setNumControllerNodes(1).setNumBrokerNodes(brokers).build())
                    .setConfigProp("offsets.topic.replication.factor", internalReplicas)
                    .setConfigProp("transaction.state.log.replication.factor", internalReplicas)
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    // Lets tests fail over in seconds (cluster.session-timeout), not the 6 s brokers allow by default.
                    .setConfigProp("group.min.session.timeout.ms", "500")
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return kit;
        } catch (Exception e) {
            throw new IllegalStateException("the in-JVM Kafka cluster did not start", e);
        }
    }
}
