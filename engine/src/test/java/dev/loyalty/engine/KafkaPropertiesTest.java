package dev.loyalty.engine;

import dev.loyalty.engine.testing.KafkaTestCluster;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine properties on the Kafka journal (the in-JVM broker shared by the test JVM, a fresh topic per engine
 * run): {@link EnginePropertiesTest}'s properties with fewer tries (an engine run costs seconds on Kafka), a
 * fresh data folder rebuilt from the topic standing in for Chronicle's replay, and the same programme giving the
 * same customers and {@code /stats} on Kafka as on Chronicle.
 */
class KafkaPropertiesTest extends EnginePropertiesTest {

    @Override
    Map<String, String> journal() {
        return KafkaTestCluster.journalOn(KafkaTestCluster.topic("props"));
    }

    /** A node with an empty data folder replays the topic: it must arrive at the same customers and stats. */
    @Override
    void assertRebuildsTheSame(Path data, int partitions, Map<String, String> rules, Result live, Path into) {
        try {
            Result rebuilt = run(into, partitions, rules, List.of());
            assertThat(rebuilt.customers()).isEqualTo(live.customers());
            assertThat(rebuilt.expiring()).isEqualTo(live.expiring());
            assertSameStats(rebuilt, live);
        } catch (Exception e) {
            throw new AssertionError("the rebuild from the topic failed", e);
        }
    }

    private static void assertSameStats(Result actual, Result expected) {
        assertThat(actual.stats().tiers()).isEqualTo(expected.stats().tiers());
        assertThat(actual.stats().liability()).isEqualTo(expected.stats().liability());
        assertThat(actual.stats().expiring()).isEqualTo(expected.stats().expiring());
        assertThat(actual.stats().activeMembers()).isEqualTo(expected.stats().activeMembers());
        assertThat(actual.stats().eventsApplied()).isEqualTo(expected.stats().eventsApplied());
    }

    @Override
    @Property(tries = 2)
    void shouldKeepTheExpiringForecastEqualToTheCustomersAtRandomClockAdvances(
            @ForAll("livelyProgrammes") List<Step> programme, @ForAll("policies") String pointsPolicy,
            @ForAll("policies") String bonusPolicy) throws Exception {
        super.shouldKeepTheExpiringForecastEqualToTheCustomersAtRandomClockAdvances(programme, pointsPolicy,
                bonusPolicy);
    }

    /** One try: three engine runs on three topics (1 and 3 partitions, then the rebuild) take ~20 s here. */
    @Override
    @Property(tries = 1)
    void shouldGiveTheSameCustomersAndConsistentStatsWhateverThePartitionCount(
            @ForAll("programmes") List<Step> programme, @ForAll("policies") String pointsPolicy,
            @ForAll("policies") String bonusPolicy) throws Exception {
        super.shouldGiveTheSameCustomersAndConsistentStatsWhateverThePartitionCount(programme, pointsPolicy,
                bonusPolicy);
    }

    @Property(tries = 2)
    void shouldGiveTheSameCustomersAndStatsOnKafkaAsOnChronicle(@ForAll("programmes") List<Step> programme)
            throws Exception {
        Path root = Files.createTempDirectory("engine-kafka-props");
        Map<String, String> rules = Map.of("rules.accounts.points.expiry.policy", "rolling",
                "rules.accounts.points.expiry.days", "60", "stats.expiring-windows", "1,30,90,600");
        try {
            Result chronicle = run(root.resolve("chronicle"), 2, rules, programme);
            Map<String, String> onKafka = new LinkedHashMap<>(rules);
            onKafka.putAll(journal());
            Result kafka = run(root.resolve("kafka"), 2, onKafka, programme);
            assertThat(kafka.customers()).isEqualTo(chronicle.customers());
            assertThat(kafka.expiring()).isEqualTo(chronicle.expiring());
            assertSameStats(kafka, chronicle);
            assertStatsAreTheAggregateOfCustomers(kafka);
        } finally {
            delete(root);
        }
    }
}
