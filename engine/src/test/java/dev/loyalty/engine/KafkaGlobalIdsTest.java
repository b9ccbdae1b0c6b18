package dev.loyalty.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.testing.Eventually;
import dev.loyalty.engine.testing.KafkaTestCluster;
import dev.loyalty.engine.testing.Owners;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Idempotency ids are global across nodes: two engines on one topic (each its own data folder, sharing the
 * partitions through the consumer group, each node's id tailer reading every partition), an id journaled through one is answered by the other as a duplicate (same body, same seq)
 * or 409 (other body), in singles and in bulks, and still after the other restarts.
 */
@Timeout(120)
class KafkaGlobalIdsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long another node may take to learn an id: the tailer polls every few ms; generous for a loaded box. */
    private static final Duration LEARN = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private static EngineConfig config(Path data, String topic, String node) {
        Map<String, String> overrides = new LinkedHashMap<>(KafkaTestCluster.journalOn(topic));
        overrides.putAll(Map.of("data-dir", data.toString(), "partitions", "2", "cluster.node-id", node));
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), overrides);
    }

    private static EngineImpl start(EngineConfig config) {
        return (EngineImpl) Eventually.ready(Engine.start(config, new SimpleMeterRegistry()));
    }

    private static List<Submission> submit(LoyaltyEngine engine, String... json) throws Exception {
        List<Submitted> events = new ArrayList<>();
        for (String j : json) {
            JsonNode node = JSON.readTree(j);
            Validated v = engine.validator().validate(node, engine.nowMs());
            assertThat(v.error()).as("valid: " + j).isNull();
            // The text's hash: JsonNode's would tell 20 from 21 points only by the bit the | 1 sets.
            events.add(new Submitted(v.event(), j.hashCode() | 1));
        }
        return engine.submit(events, true);
    }

    private static String add(String id, String customer, int points) {
        return "{\"id\":\"" + id + "\",\"customer\":\"" + customer + "\",\"action\":\"point_add\",\"data\":{\"points\":"
                + points + "}}";
    }

    /** The customer's balance on the node serving its partition; -1 while none does (a rebalance) or it has not opted in. */
    private static long balanceAtOwner(String customer, LoyaltyEngine... nodes) throws Exception {
        LoyaltyEngine owner = Owners.ownerOf(customer, nodes);
        CustomerView view = owner == null ? null : owner.customer(customer).get(10, TimeUnit.SECONDS);
        return view == null ? -1 : view.accounts().get("points").balance();
    }

    private static void awaitRemembers(EngineImpl engine, String... ids) {
        for (String id : ids) {
            Eventually.until("the other node learns " + id, LEARN, () -> engine.remembersId(id));
        }
    }

    private static void awaitBalance(String customer, long expected, LoyaltyEngine... nodes) {
        Eventually.until("balance " + expected + " of " + customer + " at its owner", LEARN,
                () -> balanceAtOwner(customer, nodes) == expected);
    }

    /*
     * The two nodes share the topic's partitions through the consumer group, and a node answers synchronously
     * only for the partitions it serves (the API forwards the rest to their owner). The ids are what is under
     * test here: they are classified by the node a request reaches, whatever it serves, so the answers are
     * checked at submit (duplicate, seq, 409) and the effects at each customer's owner (each paid once).
     */
    @Test
    void shouldAnswerAnIdJournaledThroughOneNodeAsADuplicateOrMismatchOnTheOther() throws Exception {
        String topic = KafkaTestCluster.topic("global-ids");
        Path dataB = dir.resolve("b");
        try (EngineImpl a = start(config(dir.resolve("a"), topic, "node-a"))) {
            long seq;
            try (EngineImpl b = start(config(dataB, topic, "node-b"))) {
                for (String c : List.of("g-1", "g-2", "g-3")) {
                    submit(a, "{\"customer\":\"" + c + "\",\"action\":\"opt_in\"}");
                    awaitBalance(c, 0, a, b);
                }
                Submission first = submit(a, add("pay-1", "g-1", 100)).get(0);
                assertThat(first.duplicate()).isFalse();
                seq = first.seq();
                awaitBalance("g-1", 100, a, b);

                awaitRemembers(b, "pay-1");
                Submission retry = submit(b, add("pay-1", "g-1", 100)).get(0);
                assertThat(retry.duplicate()).as("same body through the other node").isTrue();
                assertThat(retry.seq()).isEqualTo(seq);
                Submission other = submit(b, add("pay-1", "g-1", 50)).get(0);
                assertThat(other.refusal()).isNotNull();
                assertThat(other.refusal().status()).isEqualTo(409);
                assertThat(other.refusal().code()).isEqualTo("idempotency_mismatch");

                // The other way round, in a bulk: B journals two ids, A answers them in a bulk with a new one.
                List<Submission> bulk = submit(b, add("pay-2", "g-2", 20), add("pay-3", "g-3", 30));
                assertThat(bulk).noneMatch(Submission::duplicate);
                awaitRemembers(a, "pay-2", "pay-3");
                List<Submission> mixed = submit(a, add("pay-3", "g-3", 30), add("pay-4", "g-2", 4),
                        add("pay-2", "g-2", 21));
                assertThat(mixed.get(0).duplicate()).isTrue();
                assertThat(mixed.get(0).seq()).isEqualTo(bulk.get(1).seq());
                assertThat(mixed.get(1).duplicate()).isFalse();
                assertThat(mixed.get(1).refusal()).isNull();
                assertThat(mixed.get(2).refusal().status()).isEqualTo(409);

                // Each paid once: a retry journaled again would show as a second 100 or 30.
                awaitBalance("g-1", 100, a, b);
                awaitBalance("g-2", 24, a, b);
                awaitBalance("g-3", 30, a, b);
            }
            // B's checkpoint covers what its tailer learnt, and a restart reads the rest: A's ids stay known.
            Submission afterwards = submit(a, add("pay-5", "g-1", 5)).get(0);
            assertThat(afterwards.duplicate()).isFalse();
            awaitBalance("g-1", 105, a);
            try (EngineImpl b = start(config(dataB, topic, "node-b"))) {
                assertThat(b.remembersId("pay-1")).isTrue();
                assertThat(b.remembersId("pay-5")).as("journaled while B was down").isTrue();
                Submission retry = submit(b, add("pay-1", "g-1", 100)).get(0);
                assertThat(retry.duplicate()).isTrue();
                assertThat(retry.seq()).isEqualTo(seq);
                awaitBalance("g-1", 105, a, b);
            }
        }
    }
}
