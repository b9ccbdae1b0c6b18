package dev.loyalty.engine.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The profile merge as it was before the one-pass merge (a Jackson tree per call): the reference for its tests. */
final class ReferenceProfileMerge {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceProfileMerge() {
    }

    /** {@code incoming}'s keys set over {@code existing}'s when both are JSON objects; else {@code incoming}. */
    static String merge(String existing, String incoming) {
        if (incoming == null) {
            return existing;
        }
        if (existing == null) {
            return incoming;
        }
        try {
            JsonNode old = JSON.readTree(existing);
            JsonNode add = JSON.readTree(incoming);
            if (!(old instanceof ObjectNode) || !(add instanceof ObjectNode)) {
                return incoming;
            }
            ObjectNode merged = ((ObjectNode) old).deepCopy();
            merged.setAll((ObjectNode) add);
            return JSON.writeValueAsString(merged);
        } catch (JsonProcessingException e) {
            return incoming;
        }
    }
}
