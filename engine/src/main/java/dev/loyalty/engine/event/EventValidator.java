package dev.loyalty.engine.event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.engine.config.RulesConfig;

/** Turns one parsed request event into a validated {@link Event} or a 400 error; thread-safe. */
public final class EventValidator {

    public EventValidator(RulesConfig rules) {
        throw new UnsupportedOperationException("rules: to be written");
    }

    /**
     * Validates one event object.
     *
     * @param node  the parsed event (any JSON value; a non-object is {@code invalid_field})
     * @param nowMs the ingest clock now, for the effective-timestamp bounds
     */
    public Validated validate(JsonNode node, long nowMs) {
        throw new UnsupportedOperationException();
    }
}
