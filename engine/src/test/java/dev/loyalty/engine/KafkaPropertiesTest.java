package dev.loyalty.engine;

import dev.loyalty.engine.EnginePropertiesTest.Result;
import dev.loyalty.engine.EnginePropertiesTest.Step;
import dev.loyalty.engine.testing.KafkaTestCluster;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine properties on both journals: a random programme (events and clock advances) gives the same
 * customers and the same {@code /stats} on the Kafka journal as on Chronicle, and /stats stays the aggregate
 * of the customers.
 */
class KafkaPropertiesTest {

    @Provide
    Arbitrary<List<Step>> programmes() {
        return new EnginePropertiesTest().programmes();
    }

    @Property(tries = 3)
    void shouldGiveTheSameCustomersAndStatsOnKafkaAsOnChronicle(@ForAll("programmes") List<Step> programme)
            throws Exception {
        Path root = Files.createTempDirectory("engine-kafka-props");
        Map<String, String> rules = Map.of("rules.accounts.points.expiry.policy", "rolling",
                "rules.accounts.points.expiry.days", "60", "stats.expiring-windows", "1,30,90,600");
        try {
            Result chronicle = EnginePropertiesTest.run(root.resolve("chronicle"), 2, rules, programme);
            Map<String, String> onKafka = new LinkedHashMap<>(rules);
            onKafka.putAll(KafkaTestCluster.journalOn(KafkaTestCluster.topic("props")));
            Result kafka = EnginePropertiesTest.run(root.resolve("kafka"), 2, onKafka, programme);
            assertThat(kafka.customers()).isEqualTo(chronicle.customers());
            assertThat(kafka.expiring()).isEqualTo(chronicle.expiring());
            assertThat(kafka.stats().tiers()).isEqualTo(chronicle.stats().tiers());
            assertThat(kafka.stats().liability()).isEqualTo(chronicle.stats().liability());
            assertThat(kafka.stats().expiring()).isEqualTo(chronicle.stats().expiring());
            assertThat(kafka.stats().activeMembers()).isEqualTo(chronicle.stats().activeMembers());
            assertThat(kafka.stats().eventsApplied()).isEqualTo(chronicle.stats().eventsApplied());
            EnginePropertiesTest.assertStatsAreTheAggregateOfCustomers(kafka);
        } finally {
            EnginePropertiesTest.delete(root);
        }
    }
}
