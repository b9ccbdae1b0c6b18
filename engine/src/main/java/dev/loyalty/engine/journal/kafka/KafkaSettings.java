package dev.loyalty.engine.journal.kafka;

import org.apache.kafka.clients.CommonClientConfigs;

import java.util.HashMap;
import java.util.Map;

/**
 * How this node reaches the Kafka journal: the cluster, the topic, and this node's name (in Kafka's
 * client ids, so a broker's logs and metrics tell the nodes apart).
 *
 * @param extra further client settings (tests shorten timeouts with them); applied last
 */
public record KafkaSettings(String bootstrapServers, String topic, String nodeId, Map<String, Object> extra) {

    /** The client settings every client of this journal starts from; {@code role} ends the client id. */
    public Map<String, Object> clientConfig(String role) {
        Map<String, Object> c = new HashMap<>();
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(CommonClientConfigs.CLIENT_ID_CONFIG, "loyalty-" + nodeId + "-" + role);
        c.putAll(extra);
        return c;
    }
}
