package dev.loyalty.api.it;

import dev.loyalty.engine.testing.Eventually;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/engine serve} on {@code journal.kind: kafka} against {@code bin/engine dev-kafka}, both as their own
 * processes, over HTTP: events applied with their synchronous answers, the admin clock, a broker outage
 * answering 503 within {@code api.sync-timeout} (readiness 503 too) with nothing acknowledged lost, ingest
 * resuming once the broker is back, and the engine's restart resuming where its state left off. The broker's
 * own checks ride on the same broker process (one start and one restart are the slow part): a plain client's
 * record read back, SIGTERM exiting 0, the record still there after the restart.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class KafkaServeIT {
    private static final String KEY = "dev-key";

    @TempDir
    Path dir;

    @Test
    void servesOnKafkaAnswers503DuringABrokerOutageAndResumes() throws Exception {
        try (DevKafkaBroker broker = new DevKafkaBroker(dir.resolve("kafka")).start()) {
            RecordMetadata plain = broker.produce("dev-check", "hello");
            assertThat(broker.readUpTo(plain)).as("a plain client's record").containsExactly("hello");
            // C1 only: process starts are most of this test's time on a shared 2-core machine, and this checks
            // behaviour, not speed (measured: each engine start ~8 s instead of ~11 s at load average 12).
            Map<String, String> env = Map.of("ENGINE_PARTITIONS", "2", "ENGINE_JOURNAL_KIND", "kafka",
                    "ENGINE_JOURNAL_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                    "ENGINE_CLUSTER_NODE_ID", "node-1", "ENGINE_API_SYNC_TIMEOUT", "3s",
                    "ENGINE_CLOCK_ADJUSTABLE", "true", "JAVA_OPTS", "-XX:TieredStopAtLevel=1");
            Path data = dir.resolve("data");
            long seq;
            try (EngineProcess engine = new EngineProcess(data, env).start()) {
                for (int i = 0; i < 6; i++) {
                    assertThat(post(engine, "{\"customer\":\"k-" + i + "\",\"action\":\"opt_in\"}").status())
                            .isEqualTo(200);
                    EngineProcess.Response add = post(engine, add(i, "a", 10));
                    assertThat(add.status()).as(add.raw().body()).isEqualTo(200);
                    assertThat(add.body().get("customer").get("accounts").get("points").get("balance").asLong())
                            .isEqualTo(10);
                }
                EngineProcess.Response again = post(engine, add(0, "a", 10));
                assertThat(again.status()).isEqualTo(200);
                assertThat(again.body().get("duplicate").asBoolean()).isTrue();
                seq = again.body().get("seq").asLong();
                assertThat(engine.get("/events/" + seq, KEY).status()).isEqualTo(200);

                // The clock record goes to every partition and waits for Kafka off the event loop.
                EngineProcess.Response clock = engine.post("/admin/clock", KEY, "{\"advance_seconds\":60}");
                assertThat(clock.status()).as(clock.raw().body()).isEqualTo(200);
                assertThat(clock.body().get("clock").asText()).isNotEmpty();

                assertThat(broker.stop()).as("exit code after SIGTERM:\n" + broker.log()).isZero();
                long startNs = System.nanoTime();
                EngineProcess.Response refused = post(engine, add(1, "b", 5));
                assertThat(refused.status()).as(refused.raw().body()).isEqualTo(503);
                assertThat(Duration.ofNanos(System.nanoTime() - startNs)).as("answered within the sync timeout")
                        .isLessThan(Duration.ofSeconds(10));
                Eventually.until("not ready while the journal cannot be written", Duration.ofSeconds(30),
                        () -> engine.management("/health/ready").status() == 503);
                assertThat(engine.get("/customers/k-0", KEY).status()).as("reads go on").isEqualTo(200);

                broker.start();
                assertThat(broker.readUpTo(plain)).as("the record survives a restart").containsExactly("hello");
                Eventually.until("ingest resumes once the broker is back", Duration.ofSeconds(90),
                        () -> post(engine, add(1, "b", 5)).status() == 200);
                Eventually.until("ready again", Duration.ofSeconds(30),
                        () -> engine.management("/health/ready").status() == 200);
                assertThat(balance(engine, "k-1")).isEqualTo(15);
                assertThat(engine.stop()).isZero();
            }
            try (EngineProcess engine = new EngineProcess(data, env).start()) {
                for (int i = 0; i < 6; i++) {
                    assertThat(balance(engine, "k-" + i)).isEqualTo(i == 1 ? 15 : 10);
                }
                assertThat(post(engine, add(1, "b", 5)).body().get("duplicate").asBoolean())
                        .as("ids remembered across the restart").isTrue();
                EngineProcess.Response stats = engine.get("/stats", KEY);
                assertThat(stats.status()).isEqualTo(200);
                assertThat(stats.raw().body()).contains("\"members\"");
            }
        }
    }

    private static String add(int customer, String attempt, int points) {
        return "{\"id\":\"add-" + customer + "-" + attempt + "\",\"customer\":\"k-" + customer
                + "\",\"action\":\"point_add\",\"data\":{\"points\":" + points + "}}";
    }

    private static EngineProcess.Response post(EngineProcess engine, String body)
            throws IOException, InterruptedException {
        return engine.post("/events", KEY, body);
    }

    private static long balance(EngineProcess engine, String customer) throws IOException, InterruptedException {
        EngineProcess.Response r = engine.get("/customers/" + customer, KEY);
        assertThat(r.status()).isEqualTo(200);
        return r.body().get("accounts").get("points").get("balance").asLong();
    }
}
