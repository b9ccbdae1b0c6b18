package dev.loyalty.api.it;

import dev.loyalty.engine.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outside check as processes: {@code bin/engine dev-kafka} and two {@code bin/engine serve} nodes on
 * it; opt_ins through one node, point_adds through the other, every read and {@code /stats} alike on both; one
 * node SIGKILLed, then point_adds for every customer through the other (sequential, 8 s client timeout, retried
 * with the same ids) all succeed within 90 s with the right balances; the killed node restarted, both agree.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class KafkaClusterIT {
    private static final String KEY = "dev-key";
    private static final int CUSTOMERS = 8;

    @TempDir
    Path dir;

    private static Map<String, String> env(String bootstrap, String node, int port) {
        Map<String, String> env = new HashMap<>(Map.of("ENGINE_PARTITIONS", "4", "ENGINE_JOURNAL_KIND", "kafka",
                "ENGINE_JOURNAL_KAFKA_BOOTSTRAP_SERVERS", bootstrap, "ENGINE_CLUSTER_NODE_ID", node,
                "ENGINE_CLUSTER_ADVERTISED_URL", "http://127.0.0.1:" + port,
                // The broker's default group.min.session.timeout.ms is 6 s.
                "ENGINE_CLUSTER_SESSION_TIMEOUT", "6s", "ENGINE_CLUSTER_HEARTBEAT_INTERVAL", "1s",
                "ENGINE_API_SYNC_TIMEOUT", "3s", "JAVA_OPTS", "-XX:TieredStopAtLevel=1"));
        return env;
    }

    private static double owned(EngineProcess node) throws IOException, InterruptedException {
        for (String line : node.management("/metrics").raw().body().split("\n")) {
            if (line.startsWith("loyalty_cluster_partitions_owned ")) {
                return Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        return Double.NaN;
    }

    private static String add(int customer, String round, int points) {
        return "{\"id\":\"c-add-" + customer + "-" + round + "\",\"customer\":\"c-" + customer
                + "\",\"action\":\"point_add\",\"data\":{\"points\":" + points + "}}";
    }

    @Test
    void twoNodesAnswerAlikeAndTheSurvivorServesEveryCustomerAfterASigkill() throws Exception {
        try (DevKafkaBroker broker = new DevKafkaBroker(dir.resolve("kafka")).start()) {
            String bootstrap = broker.bootstrapServers();
            EngineProcess n1 = new EngineProcess(dir.resolve("n1"), port -> env(bootstrap, "n1", port)).start();
            EngineProcess n2 = new EngineProcess(dir.resolve("n2"), port -> env(bootstrap, "n2", port)).start();
            EngineProcess[] running = {n1, n2};
            try {
                Eventually.until("the partitions split and both know the owners", Eventually.START,
                        () -> owned(n1) > 0 && owned(n2) > 0 && owned(n1) + owned(n2) == 4
                                && n1.get("/stats", KEY).status() == 200 && n2.get("/stats", KEY).status() == 200);
                for (int c = 0; c < CUSTOMERS; c++) {
                    EngineProcess.Response r = n1.post("/events", KEY, "{\"customer\":\"c-" + c + "\",\"action\":\"opt_in\"}");
                    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
                    r = n2.post("/events", KEY, add(c, "a", 10 + c));
                    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
                }
                for (int c = 0; c < CUSTOMERS; c++) {
                    EngineProcess.Response one = n1.get("/customers/c-" + c, KEY);
                    assertThat(one.status()).isEqualTo(200);
                    assertThat(one.raw().body()).isEqualTo(n2.get("/customers/c-" + c, KEY).raw().body());
                }
                assertThat(n1.get("/stats", KEY).raw().body()).isEqualTo(n2.get("/stats", KEY).raw().body());

                n1.kill();
                long killedNs = System.nanoTime();
                // Until the group notices (session timeout), the dead node still owns its partitions: reads of
                // its customers answer 503 at once (it cannot be connected to), never hang; the others 200.
                for (int c = 0; c < CUSTOMERS; c++) {
                    long askedNs = System.nanoTime();
                    EngineProcess.Response r = n2.get("/customers/c-" + c, KEY);
                    assertThat(Duration.ofNanos(System.nanoTime() - askedNs)).as("answered within api.sync-timeout")
                            .isLessThan(Duration.ofSeconds(3));
                    assertThat(r.status()).as(r.raw().body()).isIn(200, 503);
                    if (r.status() == 503) {
                        assertThat(r.body().get("error").get("code").asText()).isEqualTo("unavailable");
                    }
                }
                for (int c = 0; c < CUSTOMERS; c++) {
                    int customer = c;
                    Eventually.until("point_add for c-" + c + " answered 200", Duration.ofSeconds(90), () -> {
                        try {
                            EngineProcess.Response r = EngineProcess.send(n2.request("/events", KEY)
                                    .timeout(Duration.ofSeconds(8)).header("Content-Type", "application/json")
                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(add(customer, "b", 5)))
                                    .build());
                            return r.status() == 200;
                        } catch (HttpTimeoutException e) {
                            return false;
                        }
                    });
                }
                Duration served = Duration.ofNanos(System.nanoTime() - killedNs);
                assertThat(served).as("every customer served after the kill").isLessThan(Duration.ofSeconds(90));
                System.out.println("KafkaClusterIT: every customer served " + served.toMillis() + " ms after SIGKILL");
                for (int c = 0; c < CUSTOMERS; c++) {
                    EngineProcess.Response r = n2.get("/customers/c-" + c, KEY);
                    assertThat(r.body().get("accounts").get("points").get("balance").asLong())
                            .as("c-" + c + ": each acknowledged add once").isEqualTo(10 + c + 5);
                }

                EngineProcess back = new EngineProcess(dir.resolve("n1"), port -> env(bootstrap, "n1", port)).start();
                running[0] = back;
                Eventually.until("the restarted node takes partitions again", Eventually.START,
                        () -> owned(back) > 0 && owned(back) + owned(n2) == 4 && back.get("/stats", KEY).status() == 200
                                && n2.get("/stats", KEY).status() == 200);
                Eventually.until("both nodes agree", Duration.ofSeconds(60), () -> {
                    for (int c = 0; c < CUSTOMERS; c++) {
                        EngineProcess.Response one = back.get("/customers/c-" + c, KEY);
                        if (one.status() != 200 || !one.raw().body().equals(n2.get("/customers/c-" + c, KEY).raw().body())
                                || one.body().get("accounts").get("points").get("balance").asLong() != 10 + c + 5) {
                            return false;
                        }
                    }
                    return back.get("/stats", KEY).raw().body().equals(n2.get("/stats", KEY).raw().body());
                });
            } finally {
                for (EngineProcess n : running) {
                    if (n.alive()) {
                        n.stop();
                    }
                }
            }
        }
    }
}
