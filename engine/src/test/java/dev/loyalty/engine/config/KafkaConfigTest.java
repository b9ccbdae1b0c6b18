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
        assertThat(c.cluster()).isEqualTo(new EngineConfig.Cluster(null, null,
                java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(2)));
    }

    @Test
    void takesEveryKafkaAndClusterKeyFromTheEnvironment() {
        EngineConfig c = ConfigLoader.load(ConfigLoaderTest.DEFAULTS, null, Map.of(
                "ENGINE_JOURNAL_KIND", "KAFKA",
                "ENGINE_JOURNAL_KAFKA_BOOTSTRAP_SERVERS", "k1:9092, [::1]:9093",
                "ENGINE_JOURNAL_KAFKA_TOPIC", "prod.loyalty_events-v2",
                "ENGINE_CLUSTER_NODE_ID", "node-1.eu_west",
                "ENGINE_CLUSTER_ADVERTISED_URL", "https://node1.internal:8443/",
                "ENGINE_CLUSTER_SESSION_TIMEOUT", "7s",
                "ENGINE_CLUSTER_HEARTBEAT_INTERVAL", "500ms"), Map.of());

        assertThat(c.journal().kind()).isEqualTo(EngineConfig.JournalKind.KAFKA);
        assertThat(c.journal().kafka())
                .isEqualTo(new EngineConfig.Kafka("k1:9092, [::1]:9093", "prod.loyalty_events-v2"));
        assertThat(c.cluster()).isEqualTo(new EngineConfig.Cluster("node-1.eu_west", "https://node1.internal:8443",
                java.time.Duration.ofSeconds(7), java.time.Duration.ofMillis(500)));
    }

    @Test
    void refusesAHeartbeatNotShorterThanTheSessionTimeout() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(ConfigLoaderTest.DEFAULTS, null,
                        Map.of("ENGINE_CLUSTER_SESSION_TIMEOUT", "5s", "ENGINE_CLUSTER_HEARTBEAT_INTERVAL", "5s"),
                        Map.of()))
                .hasMessageContaining("cluster.heartbeat-interval");
    }
}
