package dev.loyalty.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.IngestRefusedException;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.testing.Eventually;
import dev.loyalty.engine.testing.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kafka journal on 1 controller + 3 brokers (topic with 3 replicas): a broker is shut down while four clients
 * ingest, and every acknowledged event is applied exactly once (balances equal the acknowledged sums, also on a
 * node rebuilt from the topic afterwards by the two brokers left).
 */
@Timeout(180)
class KafkaThreeBrokersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CUSTOMERS = 12;
    private static final int CLIENTS = 4;
    /** Bulks acknowledged before the broker stops, and again after it stopped. */
    private static final int BULKS_EACH_SIDE = 40;
    private static final int BULK = 10;
    private static KafkaClusterTestKit cluster;

    @TempDir
    Path dir;

    @BeforeAll
    static void startCluster() {
        cluster = KafkaTestCluster.start(3);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static EngineConfig config(Path data, String topic) {
        Map<String, String> overrides = new LinkedHashMap<>(Map.of("journal.kind", "kafka",
                "journal.kafka.bootstrap-servers", cluster.bootstrapServers(), "journal.kafka.topic", topic,
                "cluster.node-id", "node-3b", "data-dir", data.toString(), "partitions", "3"));
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), overrides);
    }

    private static Submitted event(LoyaltyEngine engine, String json) throws Exception {
        JsonNode node = JSON.readTree(json);
        Validated v = engine.validator().validate(node, engine.nowMs());
        assertThat(v.error()).as("valid: " + json).isNull();
        return new Submitted(v.event(), json.hashCode() | 1);
    }

    private static long balance(LoyaltyEngine engine, String customer) throws Exception {
        return engine.customer(customer).get(10, TimeUnit.SECONDS).accounts().get("points").balance();
    }

    @Test
    void shouldLoseNothingAcknowledgedWhenABrokerStopsMidLoad() throws Exception {
        String topic = KafkaTestCluster.topic("three-brokers");
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger bulksDone = new AtomicInteger();
        AtomicInteger refusals = new AtomicInteger();
        AtomicBoolean enough = new AtomicBoolean();
        int stopped;
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config(dir.resolve("a"), topic),
                new SimpleMeterRegistry()))) {
            try (Admin admin = cluster.admin()) {
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(topic);
                for (TopicPartitionInfo p : d.partitions()) {
                    assertThat(p.replicas()).as("replicas of " + p).hasSize(3);
                }
                stopped = d.partitions().get(0).leader().id();
            }
            for (int c = 0; c < CUSTOMERS; c++) {
                engine.submit(List.of(event(engine, "{\"customer\":\"b-" + c + "\",\"action\":\"opt_in\"}")), true)
                        .get(0).result().get(10, TimeUnit.SECONDS);
            }
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < CLIENTS; t++) {
                    int client = t;
                    running.add(clients.submit(() -> {
                        ingest(engine, client, acknowledged, bulksDone, refusals, enough);
                        return null;
                    }));
                }
                Eventually.until("load acknowledged before the stop", Duration.ofSeconds(60),
                        () -> bulksDone.get() >= BULKS_EACH_SIDE);
                // The leader of partition 0: its partitions must move to the other replicas.
                cluster.brokers().get(stopped).shutdown();
                int atStop = bulksDone.get();
                Eventually.until("load acknowledged after the stop", Duration.ofSeconds(90),
                        () -> bulksDone.get() >= atStop + BULKS_EACH_SIDE);
                enough.set(true);
                for (Future<?> f : running) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                clients.shutdownNow();
            }
            assertThat(cluster.brokers().get(stopped).isShutdown()).isTrue();
            for (int c = 0; c < CUSTOMERS; c++) {
                String customer = "b-" + c;
                long expected = acknowledged.getOrDefault(customer, 0L);
                Eventually.until(customer + " holds its acknowledged points", Duration.ofSeconds(30),
                        () -> balance(engine, customer), b -> b == expected);
            }
        }
        // What the node acknowledged is in the topic: a fresh folder rebuilt by the brokers left agrees.
        try (LoyaltyEngine fresh = Eventually.ready(Engine.start(config(dir.resolve("fresh"), topic),
                new SimpleMeterRegistry()))) {
            for (int c = 0; c < CUSTOMERS; c++) {
                assertThat(balance(fresh, "b-" + c)).as("b-" + c).isEqualTo(acknowledged.getOrDefault("b-" + c, 0L));
            }
        }
        System.out.printf("THREE BROKERS: %d bulks of %d acknowledged, %d refused and retried, broker %d stopped%n",
                bulksDone.get(), BULK, refusals.get(), stopped);
    }

    /**
     * One client: bulks of point_adds with ids; a refused bulk (503 while leadership moves) is retried with the
     * same ids after the Retry-After a real client would honour, and counted once it is acknowledged.
     */
    private static void ingest(LoyaltyEngine engine, int client, Map<String, Long> acknowledged,
                               AtomicInteger bulksDone, AtomicInteger refusals,
                               AtomicBoolean enough) throws Exception {
        AtomicLong n = new AtomicLong();
        while (!enough.get()) {
            List<Submitted> bulk = new ArrayList<>(BULK);
            Map<String, Long> points = new LinkedHashMap<>();
            for (int i = 0; i < BULK; i++) {
                long k = n.incrementAndGet();
                String customer = "b-" + ((client * 7 + k) % CUSTOMERS);
                long p = 1 + k % 9;
                bulk.add(event(engine, "{\"id\":\"c" + client + "-" + k + "\",\"customer\":\"" + customer
                        + "\",\"action\":\"point_add\",\"data\":{\"points\":" + p + "}}"));
                points.merge(customer, p, Long::sum);
            }
            long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    for (Submission s : engine.submit(bulk, false)) {
                        assertThat(s.refusal()).isNull();
                    }
                    break;
                } catch (IngestRefusedException e) {
                    assertThat(e.status()).isIn(429, 503);
                    assertThat(System.nanoTime() - deadlineNs).as("acknowledged within 60 s").isNegative();
                    refusals.incrementAndGet();
                    // the client's back-off, as Retry-After asks (not a wait for a test condition)
                    Thread.sleep(TimeUnit.SECONDS.toMillis(Math.max(1, e.retryAfterSeconds())));
                }
            }
            points.forEach((c, p) -> acknowledged.merge(c, p, Long::sum));
            bulksDone.incrementAndGet();
        }
    }
}
