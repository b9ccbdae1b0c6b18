package dev.loyalty.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loyalty.engine.config.RulesConfig;

/** Canonical JSON of a rules configuration, as journaled in rules records. */
public final class RulesJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(SerializationFeature.INDENT_OUTPUT, false)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private RulesJson() {
    }

    public static String write(RulesConfig rules) {
        try {
            return MAPPER.writeValueAsString(rules);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("rules cannot be written as JSON", e);
        }
    }

    public static RulesConfig read(String json) {
        try {
            return MAPPER.readValue(json, RulesConfig.class);
        } catch (JsonProcessingException e) {
            throw new dev.loyalty.engine.journal.JournalCorruptException("journaled rules cannot be read: "
                    + e.getOriginalMessage());
        }
    }
}
