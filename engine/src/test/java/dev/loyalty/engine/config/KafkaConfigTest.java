package dev.loyalty.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Kafka journal and cluster keys: shipped defaults, and ENGINE_* variables as for every key. */
class KafkaConfigTest {

    @Test
    void shipsTheChronicleJournalWithTheKafkaKeysUnset() {
        EngineConfig c = ConfigLoader.load(ConfigLoaderTest.DEFAULTS, null, Map.of(), Map.of());

        assertThat(c.journal().kind()).isEqualTo(EngineConfig.JournalKind.CHRONICLE);
        assertThat(c.journal().kafka()).isEqualTo(new EngineConfig.Kafka(null, "loyalty-events"));
        assertThat(c.cluster()).isEqualTo(new EngineConfig.Cluster(null, null));
    }

    @Test
    void takesEveryKafkaAndClusterKeyFromTheEnvironment() {
        EngineConfig c = ConfigLoader.load(ConfigLoaderTest.DEFAULTS, null, Map.of(
                "ENGINE_JOURNAL_KIND", "KAFKA",
                "ENGINE_JOURNAL_KAFKA_BOOTSTRAP_SERVERS", "k1:9092, [::1]:9093",
                "ENGINE_JOURNAL_KAFKA_TOPIC", "prod.loyalty_events-v2",
                "ENGINE_CLUSTER_NODE_ID", "node-1.eu_west",
                "ENGINE_CLUSTER_ADVERTISED_URL", "https://node1.internal:8443/"), Map.of());

        assertThat(c.journal().kind()).isEqualTo(EngineConfig.JournalKind.KAFKA);
        assertThat(c.journal().kafka())
                .isEqualTo(new EngineConfig.Kafka("k1:9092, [::1]:9093", "prod.loyalty_events-v2"));
        assertThat(c.cluster()).isEqualTo(new EngineConfig.Cluster("node-1.eu_west", "https://node1.internal:8443"));
    }
}
