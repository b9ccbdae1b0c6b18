package dev.loyalty.engine.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Merge of stored profile attributes, for these rules and for core v2: a JSON object merge, else the newest wins. */
public final class ProfileMerge {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProfileMerge() {
    }

    /** {@code incoming}'s keys set over {@code existing}'s when both are JSON objects; else {@code incoming}. */
    public static String merge(String existing, String incoming) {
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
