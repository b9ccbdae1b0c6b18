package dev.loyalty.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.loyalty.api.HttpCalls.Answer;
import dev.loyalty.engine.journal.PartitionHash;
import dev.loyalty.engine.testing.Eventually;
import dev.loyalty.engine.testing.KafkaTestCluster;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bulk whose part goes to a node that answers 421 (it does not own the part's partition: the sender's directory
 * is behind a rebalance) is never answered 421 to the client: the sender reads the assignment again and sends the
 * part once more by the owners it then knows, and journals it itself when that owner refuses again (slots answer
 * {@code accepted}, as with no owner known). The "former owner" is a stand-in kept in the group as a member that
 * Kafka assigns partitions to and whose HTTP server answers every request 421, so the directory keeps naming it.
 */
@Timeout(180)
class ClusterMisdirectedBulkIT {
    private static final String KEY = "dev-key";
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    /** A group member named like a node (client id {@code loyalty-<id>-group}) that keeps what it is assigned. */
    private static final class StandIn implements AutoCloseable {
        private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        StandIn(String topic, String nodeId) {
            Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestCluster.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "loyalty-" + topic,
                    ConsumerConfig.CLIENT_ID_CONFIG, "loyalty-" + nodeId + "-group",
                    ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic",
                    ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, List.of(CooperativeStickyAssignor.class.getName()),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 3000,
                    ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300);
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            this.thread = new Thread(() -> {
                try (consumer) {
                    consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                        @Override
                        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                            consumer.pause(partitions);
                            partitions.forEach(tp -> owned.add(tp.partition()));
                        }

                        @Override
                        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                            partitions.forEach(tp -> owned.remove(tp.partition()));
                        }
                    });
                    while (running.get()) {
                        consumer.poll(Duration.ofMillis(100));
                    }
                }
            }, "stand-in-" + nodeId);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            running.set(false);
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the test is ending anyway: let its runner see the interrupt
            }
        }
    }

    /** Publishes a node's URL where the nodes find each other ({@code <topic>-nodes}, OwnerDirectory). */
    private static void publish(String topic, String nodeId, String url) throws Exception {
        Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestCluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic + "-nodes", 0, nodeId, url)).get(30, TimeUnit.SECONDS);
        }
    }

    private static String bulk(List<String> customers) {
        StringBuilder b = new StringBuilder("{\"events\":[");
        for (int i = 0; i < customers.size(); i++) {
            b.append(i == 0 ? "" : ",").append("{\"customer\":\"").append(customers.get(i))
                    .append("\",\"action\":\"point_add\",\"data\":{\"points\":1}}");
        }
        return b.append("]}").toString();
    }

    @Test
    void shouldNeverAnswerABulkPartRefusedByAFormerOwnerWith421() throws Exception {
        String topic = KafkaTestCluster.topic("misdirected-bulk");
        AtomicInteger refused = new AtomicInteger();
        HttpServer former = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        former.createContext("/", exchange -> {
            refused.incrementAndGet();
            byte[] body = "{\"error\":{\"status\":421,\"code\":\"misdirected\",\"message\":\"not mine\"}}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(421, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        former.start();
        try (ClusterForwardingIT.Node a = new ClusterForwardingIT.Node(dir.resolve("a"), topic, "node-a")) {
            Eventually.until("node a alone owns every partition", Eventually.START,
                    () -> a.ready() && a.metric("loyalty_cluster_partitions_owned") == PARTITIONS);
            publish(topic, "node-x", "http://127.0.0.1:" + former.getAddress().getPort());
            try (StandIn x = new StandIn(topic, "node-x")) {
                Eventually.until("the stand-in was given partitions", Eventually.START, () -> !x.owned.isEmpty()
                        && a.metric("loyalty_cluster_partitions_owned") + x.owned.size() == PARTITIONS);
                List<String> ofA = new ArrayList<>();
                List<String> ofX = new ArrayList<>();
                for (int i = 0; ofA.size() < 3 || ofX.size() < 3; i++) {
                    String c = "mb-" + i;
                    (x.owned.contains(PartitionHash.partition(PartitionHash.of(c), PARTITIONS)) ? ofX : ofA).add(c);
                }
                for (String c : ofA) {
                    Answer opt = a.http.post("/events", KEY, "{\"customer\":\"" + c + "\",\"action\":\"opt_in\"}");
                    assertThat(opt.status()).as(opt.toString()).isEqualTo(200);
                }
                // Node a's directory names the stand-in once a read of its customer reaches it (answered 503 here).
                Eventually.until("node a forwards to the stand-in", Duration.ofSeconds(30), () -> {
                    a.http.get("/customers/" + ofX.get(0), KEY);
                    return refused.get() > 0;
                });

                // A split bulk: node a's part applied; the stand-in's part refused twice, then journaled by node a.
                List<String> mixed = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    mixed.add(ofX.get(i));
                    mixed.add(ofA.get(i));
                }
                int before = refused.get();
                Answer split = a.http.post("/events/bulk", KEY, bulk(mixed));
                assertThat(split.status()).as(split.toString()).isEqualTo(200);
                assertThat(refused.get() - before).as("the part sent, then sent again after a refresh").isEqualTo(2);
                JsonNode results = split.json().get("results");
                for (int i = 0; i < mixed.size(); i++) {
                    assertThat(results.get(i).get("outcome").asText()).as(mixed.get(i))
                            .isEqualTo(i % 2 == 0 ? "accepted" : "applied");
                    assertThat(results.get(i).get("seq").asLong()).isPositive();
                }

                // A bulk of the stand-in's customers only, sent whole: the same, never 421.
                before = refused.get();
                Answer whole = a.http.post("/events/bulk", KEY, bulk(ofX));
                assertThat(whole.status()).as(whole.toString()).isEqualTo(200);
                assertThat(refused.get() - before).isEqualTo(2);
                for (JsonNode slot : whole.json().get("results")) {
                    assertThat(slot.get("outcome").asText()).isEqualTo("accepted");
                }
                assertThat(a.metric("loyalty_cluster_misdirected_requests_total{side=\"sent\"}")).isGreaterThanOrEqualTo(4);
            }
        } finally {
            former.stop(0);
        }
    }
}
