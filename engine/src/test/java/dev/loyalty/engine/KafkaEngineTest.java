package dev.loyalty.engine;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.EventStatus;
import dev.loyalty.engine.LoyaltyEngine.ProgramStats;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.journal.PartitionHash;
import dev.loyalty.engine.journal.kafka.KafkaSeq;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.testing.Eventually;
import dev.loyalty.engine.testing.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine on {@code journal.kind: kafka} against a real (in-JVM) KRaft broker: events applied through
 * Kafka, a restart resuming from the offsets committed with the state (nothing lost, nothing applied twice,
 * ids remembered), a fresh data folder rebuilt by replaying the topic, the topic's partition count adopted.
 */
@Timeout(120)
class KafkaEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final long DAY_S = 86_400;
    private static final String ADD_2 = "{\"id\":\"add-2\",\"customer\":\"c-2\",\"action\":\"point_add\",\"data\":{\"points\":2}}";

    @TempDir
    Path dir;

    private static EngineConfig config(Path data, int partitions, String topic) {
        Map<String, String> overrides = new LinkedHashMap<>(KafkaTestCluster.journalOn(topic));
        overrides.putAll(Map.of("data-dir", data.toString(), "partitions", Integer.toString(partitions),
                "clock.adjustable", "true"));
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), overrides);
    }

    private static LoyaltyEngine start(EngineConfig config) {
        return Eventually.ready(Engine.start(config, new SimpleMeterRegistry()));
    }

    private static Submission submit(LoyaltyEngine engine, String json) throws Exception {
        JsonNode node = JSON.readTree(json);
        Validated v = engine.validator().validate(node, engine.nowMs());
        assertThat(v.error()).as("valid: " + json).isNull();
        Submission s = engine.submit(List.of(new Submitted(v.event(), node.has("id") ? node.hashCode() | 1 : 0)),
                true).get(0);
        assertThat(s.refusal()).isNull();
        assertThat(s.result().get(10, TimeUnit.SECONDS)).isNotNull();
        return s;
    }

    private static long balance(LoyaltyEngine engine, String customer) throws Exception {
        return engine.customer(customer).get(10, TimeUnit.SECONDS).accounts().get("points").balance();
    }

    @Test
    void appliesEventsResumesFromTheCommittedOffsetsAndRebuildsAFreshFolderFromTheTopic() throws Exception {
        String topic = KafkaTestCluster.topic("engine");
        Path data = dir.resolve("data");
        CustomerView before;
        ProgramStats statsBefore;
        long addSeq;
        long advancedTo;
        try (LoyaltyEngine engine = start(config(data, 2, topic))) {
            assertThat(engine.submitBlocks()).isTrue();
            for (int i = 0; i < 20; i++) {
                Submission s = submit(engine, "{\"customer\":\"c-" + i + "\",\"action\":\"opt_in\"}");
                assertThat(s.result().get().outcome().applied()).isTrue();
                // a customer's Kafka partition is its engine partition
                assertThat(KafkaSeq.partition(s.seq()))
                        .isEqualTo(PartitionHash.partition(PartitionHash.of("c-" + i), 2));
                assertThat(s.seq()).isLessThan(1L << 53);
            }
            Submission checkout = submit(engine, "{\"customer\":\"c-1\",\"action\":\"checkout\",\"data\":"
                    + "{\"transaction_id\":\"T-1\",\"items\":[{\"product_id\":\"p\",\"price\":600.50,\"quantity\":2}]}}");
            assertThat(checkout.result().get().customer().accounts().get("points").pending()).isEqualTo(1201);
            String add = "{\"id\":\"add-1\",\"customer\":\"c-2\",\"action\":\"point_add\",\"data\":{\"points\":300}}";
            addSeq = submit(engine, add).seq();
            Submission retry = submit(engine, add);
            assertThat(retry.duplicate()).isTrue();
            assertThat(retry.seq()).isEqualTo(addSeq);
            assertThat(engine.event(addSeq).get(10, TimeUnit.SECONDS).kind()).isEqualTo(EventStatus.Kind.DONE);
            assertThat(engine.event(addSeq + (1L << 45)).get(10, TimeUnit.SECONDS).kind())
                    .isEqualTo(EventStatus.Kind.UNKNOWN);

            long t = engine.advanceClock(15 * DAY_S).get(10, TimeUnit.SECONDS);
            assertThat(t).isGreaterThan(0);
            advancedTo = t;
            before = engine.customer("c-1").get(10, TimeUnit.SECONDS);
            assertThat(before.accounts().get("points").balance()).as("pending accepted after 15 days").isEqualTo(1201);
            assertThat(balance(engine, "c-2")).isEqualTo(300);
            // After the advance: an id journaled now is still remembered (idempotency.retention 7d) below.
            addSeq = submit(engine, ADD_2).seq();
            assertThat(balance(engine, "c-2")).isEqualTo(302);
            statsBefore = engine.stats();
            assertThat(statsBefore.membersTotal()).isEqualTo(20);
            assertThat(statsBefore.liability()).containsEntry("points", 1503L);
        }

        try (LoyaltyEngine engine = start(config(data, 2, topic))) {
            assertThat(engine.nowMs()).as("the ingest clock (offset too) restored from the topic")
                    .isBetween(advancedTo, advancedTo + 3_600_000L);
            assertThat(engine.customer("c-1").get(10, TimeUnit.SECONDS)).isEqualTo(before);
            ProgramStats after = engine.stats();
            assertThat(after.eventsApplied()).as("nothing applied twice").isEqualTo(statsBefore.eventsApplied());
            assertThat(after.liability()).isEqualTo(statsBefore.liability());
            Submission retry = submit(engine, ADD_2);
            assertThat(retry.duplicate()).as("ids survive a restart").isTrue();
            assertThat(retry.seq()).isEqualTo(addSeq);
            submit(engine, "{\"customer\":\"c-2\",\"action\":\"point_add\",\"data\":{\"points\":5}}");
            assertThat(balance(engine, "c-2")).isEqualTo(307);
            statsBefore = engine.stats();
        }

        // A node with an empty data folder restores every partition by replaying it from the topic.
        try (LoyaltyEngine fresh = start(config(dir.resolve("fresh"), 2, topic))) {
            assertThat(fresh.customer("c-1").get(10, TimeUnit.SECONDS)).isEqualTo(before);
            assertThat(balance(fresh, "c-2")).isEqualTo(307);
            ProgramStats rebuilt = fresh.stats();
            assertThat(rebuilt.eventsApplied()).isEqualTo(statsBefore.eventsApplied());
            assertThat(rebuilt.liability()).isEqualTo(statsBefore.liability());
            assertThat(rebuilt.tiers()).isEqualTo(statsBefore.tiers());
        }
    }

    @Test
    void adoptsThePartitionCountOfAnExistingTopic() throws Exception {
        String topic = KafkaTestCluster.topic("three");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaTestCluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Path data = dir.resolve("data");
        try (LoyaltyEngine engine = start(config(data, 2, topic))) {
            for (int i = 0; i < 12; i++) {
                Submission s = submit(engine, "{\"customer\":\"k-" + i + "\",\"action\":\"opt_in\"}");
                assertThat(KafkaSeq.partition(s.seq())).isEqualTo(PartitionHash.partition(PartitionHash.of("k-" + i), 3));
            }
            assertThat(engine.stats().membersTotal()).isEqualTo(12);
        }
        assertThat(Files.readString(data.resolve("engine.properties"))).contains("partitions=3");
    }

    @Test
    void refusesADataFolderBuiltOnTheChronicleJournal() {
        Path data = dir.resolve("data");
        EngineConfig chronicle = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", data.toString(), "partitions", "2"));
        try (LoyaltyEngine engine = start(chronicle)) {
            assertThat(engine.ready()).isTrue();
        }
        assertThatThrownBy(() -> Engine.start(config(data, 2, KafkaTestCluster.topic("refused")),
                new SimpleMeterRegistry()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("holds state built from the chronicle journal");
    }
}
