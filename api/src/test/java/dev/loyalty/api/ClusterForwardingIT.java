package dev.loyalty.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.api.HttpCalls.Answer;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.testing.Eventually;
import dev.loyalty.engine.testing.KafkaTestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two whole programs (engine and HTTP API) on one Kafka journal, in one JVM on loopback: any node answers any
 * request exactly as api.md says, whichever node owns the customer's partition (synchronous writes, reads,
 * {@code /events/{seq}}, a bulk whose customers belong to both nodes, {@code /stats} summed over both);
 * forwarded requests are counted; once one node stops the other answers everything alone; a node joining under
 * load moves partitions without a lost, doubled, hung or failed request.
 */
@Timeout(240)
class ClusterForwardingIT {
    private static final String KEY = "dev-key";
    private static final int CUSTOMERS = 12;

    @TempDir
    Path dir;

    static final class Node implements AutoCloseable {
        final Program program;
        final HttpCalls http;
        final HttpCalls management;
        final int port;

        Node(Path data, String topic, String id) {
            int port = TestFolders.freePort();
            int managementPort = TestFolders.freePort();
            Map<String, Object> o = new HashMap<>(KafkaTestCluster.journalOn(topic));
            o.putAll(Map.of("api.port", port, "management.port", managementPort, "data-dir", data,
                    "partitions", 4, "cluster.node-id", id, "cluster.advertised-url", "http://127.0.0.1:" + port,
                    "cluster.session-timeout", "3s", "cluster.heartbeat-interval", "300ms",
                    "api.sync-timeout", "3s", "api.host", "127.0.0.1"));
            ProgramConfig.Overrides overrides = new ProgramConfig.Overrides();
            o.forEach(overrides::put);
            EngineConfig config = ProgramConfig.load(null, Map.of(), overrides.toMap());
            this.program = Program.start(config);
            this.port = port;
            this.http = new HttpCalls(port);
            this.management = new HttpCalls(managementPort);
        }

        boolean ready() {
            return management.get("/health/ready", null).status() == 200;
        }

        double metric(String line) {
            for (String l : management.get("/metrics", null).body().split("\n")) {
                if (l.startsWith(line + " ")) {
                    return Double.parseDouble(l.substring(line.length() + 1).trim());
                }
            }
            return Double.NaN;
        }

        /** Stops the program (idempotent: try-with-resources closes it again). */
        void stop() {
            program.close();
        }

        @Override
        public void close() {
            stop();
        }
    }

    /** POST /events/bulk answered 200, as counted by a node's HTTP metrics. */
    private static final String BULK_200 =
            "http_server_requests_seconds_count{method=\"POST\",route=\"/events/bulk\",status=\"200\"}";

    /** A request as one node forwards it to another (status only: 421 is between nodes, not in api.md). */
    private static int forwardedTo(Node node, String path, String body) {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + node.port + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + KEY)
                .header("X-Loyalty-Forwarded-By", "node-b");
        b = body == null ? b.GET() : b.header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        try {
            return java.net.http.HttpClient.newHttpClient().send(b.build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode withoutAsOf(JsonNode stats) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = (com.fasterxml.jackson.databind.node.ObjectNode) stats.deepCopy();
        assertThat(copy.remove("as_of")).as("as_of").isNotNull();
        return copy;
    }

    private static long balance(JsonNode customer) {
        return customer.get("accounts").get("points").get("balance").asLong();
    }

    @Test
    void shouldAnswerEveryRequestOnEitherNodeAsTheOwnerWould() {
        String topic = KafkaTestCluster.topic("forwarding");
        try (Node a = new Node(dir.resolve("a"), topic, "node-a"); Node b = new Node(dir.resolve("b"), topic, "node-b")) {
            Eventually.until("both nodes own partitions and are ready", Eventually.START, () -> a.ready() && b.ready()
                    && a.metric("loyalty_cluster_partitions_owned") > 0 && b.metric("loyalty_cluster_partitions_owned") > 0
                    && a.metric("loyalty_cluster_partitions_owned") + b.metric("loyalty_cluster_partitions_owned") == 4);
            // Each node's directory knows the other's partitions once /stats covers all four from both.
            Eventually.until("statistics from both nodes", Duration.ofSeconds(60),
                    () -> a.http.get("/stats", KEY).status() == 200 && b.http.get("/stats", KEY).status() == 200);

            for (int i = 0; i < CUSTOMERS; i++) {
                Answer opt = a.http.post("/events", KEY, "{\"customer\":\"f-" + i + "\",\"action\":\"opt_in\"}");
                assertThat(opt.status()).as(opt.toString()).isEqualTo(200);
                assertThat(opt.json().get("outcome").asText()).isEqualTo("applied");
            }
            long total = 0;
            for (int i = 0; i < CUSTOMERS; i++) {
                Answer add = b.http.post("/events", KEY, "{\"id\":\"fa-" + i + "\",\"customer\":\"f-" + i
                        + "\",\"action\":\"point_add\",\"data\":{\"points\":" + (10 + i) + "}}");
                assertThat(add.status()).as(add.toString()).isEqualTo(200);
                assertThat(balance(add.json().get("customer"))).isEqualTo(10 + i);
                total += 10 + i;
                Answer retry = a.http.post("/events", KEY, "{\"id\":\"fa-" + i + "\",\"customer\":\"f-" + i
                        + "\",\"action\":\"point_add\",\"data\":{\"points\":" + (10 + i) + "}}");
                assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
                assertThat(retry.json().get("duplicate").asBoolean()).as("the owner knows the id").isTrue();
                long seq = add.json().get("seq").asLong();
                Answer fromA = a.http.get("/events/" + seq, KEY);
                Answer fromB = b.http.get("/events/" + seq, KEY);
                assertThat(fromA.status()).isEqualTo(200);
                assertThat(fromA.body()).isEqualTo(fromB.body());
            }
            for (int i = 0; i < CUSTOMERS; i++) {
                Answer ca = a.http.get("/customers/f-" + i, KEY);
                Answer cb = b.http.get("/customers/f-" + i, KEY);
                assertThat(ca.status()).isEqualTo(200);
                assertThat(ca.body()).isEqualTo(cb.body());
                assertThat(balance(ca.json())).isEqualTo(10 + i);
                assertThat(a.http.get("/customers/f-" + i + "/ledger", KEY).body())
                        .isEqualTo(b.http.get("/customers/f-" + i + "/ledger", KEY).body());
            }
            assertThat(a.http.get("/customers/nobody", KEY).status()).isEqualTo(404);
            assertThat(b.http.get("/customers/nobody", KEY).errorCode()).isEqualTo("customer_not_found");

            // A bulk over every customer (so both owners), each twice, and one invalid slot: slots in order.
            StringBuilder bulk = new StringBuilder("{\"events\":[");
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < CUSTOMERS; i++) {
                    bulk.append(round + i == 0 ? "" : ",").append("{\"customer\":\"f-").append(i)
                            .append("\",\"action\":\"point_add\",\"data\":{\"points\":1}}");
                }
            }
            bulk.append(",{\"customer\":\"f-0\",\"action\":\"teleport\"}]}");
            Answer bulkAnswer = a.http.post("/events/bulk", KEY, bulk.toString());
            assertThat(bulkAnswer.status()).as(bulkAnswer.toString()).isEqualTo(200);
            assertThat(bulkAnswer.json().get("total").asInt()).isEqualTo(2 * CUSTOMERS + 1);
            assertThat(bulkAnswer.json().get("errors").asInt()).isEqualTo(1);
            JsonNode results = bulkAnswer.json().get("results");
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < CUSTOMERS; i++) {
                    JsonNode slot = results.get(round * CUSTOMERS + i);
                    assertThat(slot.get("outcome").asText()).isEqualTo("applied");
                    // On Kafka a slot's view is the customer's when its answer is gathered (a known limit of the
                    // Kafka journal, not of forwarding): at least the slot's place, at most the bulk's end.
                    assertThat(balance(slot.get("customer"))).as("slot of f-" + i + " round " + round)
                            .isBetween(10L + i + round + 1, 10L + i + 2);
                }
            }
            assertThat(results.get(2 * CUSTOMERS).get("error").get("code").asText()).isNotEmpty();
            // Node a's own part was journaled in-process: a saw the client's bulk only (over HTTP to itself it would
            // see a second POST /events/bulk, forwarded by itself), and b saw one part.
            assertThat(a.metric("loyalty_cluster_local_bulk_parts_total")).isEqualTo(1.0);
            assertThat(a.metric(BULK_200)).as("bulks node a served").isEqualTo(1.0);
            assertThat(b.metric(BULK_200)).as("bulks node b served").isEqualTo(1.0);
            total += 2 * CUSTOMERS;

            // A request another node forwarded (the header marks it) for a partition this node does not own answers
            // 421 at once and journals nothing (the sender's directory is behind; the sender asks the owner): the
            // point_adds below never reach a balance, which the statistics and the reads after a's stop check.
            int misdirected = 0;
            for (int i = 0; i < CUSTOMERS; i++) {
                int status = forwardedTo(a, "/customers/f-" + i, null);
                if (status == 421) {
                    misdirected++;
                    assertThat(forwardedTo(a, "/events", "{\"id\":\"mis-" + i + "\",\"customer\":\"f-" + i
                            + "\",\"action\":\"point_add\",\"data\":{\"points\":1000}}")).isEqualTo(421);
                } else {
                    assertThat(status).isEqualTo(200);
                }
            }
            assertThat(misdirected).as("customers of node b's partitions").isPositive();
            assertThat(a.metric("loyalty_cluster_misdirected_requests_total{side=\"received\"}"))
                    .isEqualTo(2.0 * misdirected);
            // So does a forwarded bulk (a split bulk's part) holding one customer node a does not own, whole: a's own
            // customers in it are not journaled either (the balances below would show the 1000s).
            StringBuilder misdirectedBulk = new StringBuilder("{\"events\":[");
            for (int i = 0; i < CUSTOMERS; i++) {
                misdirectedBulk.append(i == 0 ? "" : ",").append("{\"id\":\"mis-bulk-").append(i)
                        .append("\",\"customer\":\"f-").append(i).append("\",\"action\":\"point_add\",\"data\":{\"points\":1000}}");
            }
            assertThat(forwardedTo(a, "/events/bulk", misdirectedBulk.append("]}").toString())).isEqualTo(421);
            assertThat(a.metric("loyalty_cluster_misdirected_requests_total{side=\"received\"}"))
                    .isEqualTo(2.0 * misdirected + 1);

            JsonNode statsA = a.http.get("/stats", KEY).json();
            JsonNode statsB = b.http.get("/stats", KEY).json();
            // as_of is the partitions' journaled clock, which a heartbeat (every second) may move between the two
            // requests: the figures must be equal, the instant need not be.
            assertThat(withoutAsOf(statsA)).isEqualTo(withoutAsOf(statsB));
            assertThat(statsA.get("members").get("total").asLong()).isEqualTo(CUSTOMERS);
            assertThat(statsA.get("liability").get("points").asLong()).isEqualTo(total);
            assertThat(statsA.get("events_applied").asLong()).isEqualTo(CUSTOMERS * 4L);
            assertThat(a.metric("loyalty_cluster_forwarded_requests_total{outcome=\"ok\"}")
                    + b.metric("loyalty_cluster_forwarded_requests_total{outcome=\"ok\"}")).isPositive();

            a.stop();
            long expected = total;
            // While b takes over a's partitions, /stats answers 503 (moving, restoring) or the whole figures: a
            // partition still being restored never counts with part of its state (issue 13's flake: 125 of 210).
            Eventually.until("node b answers everything alone", Duration.ofSeconds(60), () -> {
                Answer s = b.http.get("/stats", KEY);
                if (s.status() == 200) {
                    assertThat(s.json().get("liability").get("points").asLong()).as("a /stats answered during the "
                            + "takeover").isEqualTo(expected);
                } else {
                    assertThat(s.status()).as(s.toString()).isEqualTo(503);
                }
                return s.status() == 200 && b.ready() && b.metric("loyalty_cluster_partitions_owned") == 4;
            });
            assertThat(b.http.get("/stats", KEY).json().get("liability").get("points").asLong()).isEqualTo(expected);
            for (int i = 0; i < CUSTOMERS; i++) {
                assertThat(balance(b.http.get("/customers/f-" + i, KEY).json())).isEqualTo(10 + i + 2);
            }
        }
    }

    /**
     * A node joins while clients post synchronous point_adds through both nodes: partitions move under load, and
     * still every request answers within {@code api.sync-timeout} (plus the forward hop's second), never 500;
     * a 503 is retried with the same id; every acknowledged (2xx) id is applied exactly once.
     */
    @Test
    void shouldApplyEveryAcknowledgedEventExactlyOnceWhileANodeJoinsUnderLoad() throws Exception {
        String topic = KafkaTestCluster.topic("rebalance");
        int customers = 8;
        try (Node a = new Node(dir.resolve("ra"), topic, "node-a")) {
            Eventually.until("node a alone owns every partition", Eventually.START,
                    () -> a.ready() && a.metric("loyalty_cluster_partitions_owned") == 4);
            long[] base = new long[customers];
            for (int i = 0; i < customers; i++) {
                Answer opt = a.http.post("/events", KEY, "{\"customer\":\"r-" + i + "\",\"action\":\"opt_in\"}");
                assertThat(opt.status()).as(opt.toString()).isEqualTo(200);
                base[i] = balance(opt.json().get("customer"));
            }
            AtomicReference<Node> joined = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLongArray acknowledged = new AtomicLongArray(customers);
            List<String> problems = Collections.synchronizedList(new ArrayList<>());
            long limitMs = 3000 + 1000 + 1500; // api.sync-timeout, the forward hop's second, slack for a loaded machine
            ExecutorService clients = Executors.newFixedThreadPool(4);
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int client = t;
                running.add(clients.submit(() -> {
                    for (int n = 0; !stop.get() && problems.isEmpty(); n++) {
                        int c = (client + n) % customers;
                        String body = "{\"id\":\"rb-" + client + "-" + n + "\",\"customer\":\"r-" + c
                                + "\",\"action\":\"point_add\",\"data\":{\"points\":1}}";
                        for (int attempt = 0; ; attempt++) {
                            Node b = joined.get();
                            Node via = b != null && (n + attempt) % 2 == 1 ? b : a;
                            long t0 = System.nanoTime();
                            Answer r = via.http.post("/events", KEY, body);
                            long ms = (System.nanoTime() - t0) / 1_000_000;
                            if (ms > limitMs) {
                                problems.add("answered after " + ms + " ms: " + r);
                            }
                            if (r.status() == 200 || r.status() == 202) {
                                acknowledged.incrementAndGet(c);
                                break;
                            }
                            if (r.status() != 503 || attempt > 50) {
                                problems.add("unexpected answer " + r);
                                break;
                            }
                        }
                    }
                    return null;
                }));
            }
            try {
                Eventually.until("some load on node a alone", Duration.ofSeconds(30),
                        () -> acknowledged.get(0) + acknowledged.get(1) >= 10 || !problems.isEmpty());
                try (Node b = new Node(dir.resolve("rb"), topic, "node-b")) {
                    joined.set(b);
                    Eventually.until("node b took partitions under load", Eventually.START, () -> !problems.isEmpty()
                            || b.ready() && b.metric("loyalty_cluster_partitions_owned") > 0
                            && a.metric("loyalty_cluster_partitions_owned") + b.metric("loyalty_cluster_partitions_owned") == 4);
                    long settled = 0;
                    for (int i = 0; i < customers; i++) {
                        settled += acknowledged.get(i);
                    }
                    long after = settled + 40;
                    Eventually.until("load after the rebalance", Duration.ofSeconds(60), () -> {
                        long sum = 0;
                        for (int i = 0; i < customers; i++) {
                            sum += acknowledged.get(i);
                        }
                        return sum >= after || !problems.isEmpty();
                    });
                    stop.set(true);
                    for (Future<?> f : running) {
                        f.get(60, TimeUnit.SECONDS);
                    }
                    assertThat(problems).isEmpty();
                    // 202s are journaled: applied shortly. Each id once: balances are the opt-in's plus the acknowledged.
                    for (int i = 0; i < customers; i++) {
                        int c = i;
                        long expected = base[c] + acknowledged.get(c);
                        Eventually.until("r-" + c + " has every acknowledged point once", Duration.ofSeconds(30),
                                () -> {
                                    Answer r = b.http.get("/customers/r-" + c, KEY);
                                    return r.status() == 200 && balance(r.json()) == expected;
                                });
                        // Node a learns b's address and assignment within a directory refresh of the rebalance
                        // (OwnerDirectory.REFRESH); until then it answers 503 "retry shortly", as README says.
                        Answer fromA = Eventually.until("node a reads r-" + c + " from its owner", Duration.ofSeconds(15),
                                () -> a.http.get("/customers/r-" + c, KEY), r -> r.status() != 503);
                        assertThat(fromA.status()).as(fromA.toString()).isEqualTo(200);
                        assertThat(balance(fromA.json())).isEqualTo(expected);
                    }
                }
            } finally {
                stop.set(true);
                clients.shutdownNow();
            }
        }
    }
}
