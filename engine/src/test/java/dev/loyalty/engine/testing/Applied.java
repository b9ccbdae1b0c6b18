package dev.loyalty.engine.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.Validated;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Submits event bodies to an engine as one batch and asserts each was valid, accepted and applied. */
public final class Applied {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Applied() {
    }

    /** Validates, submits (synchronously) and waits up to 30 s for each body's outcome, which must be applied. */
    public static void submitAll(LoyaltyEngine engine, List<String> bodies) throws Exception {
        List<Submitted> events = new ArrayList<>();
        for (String json : bodies) {
            JsonNode node = JSON.readTree(json);
            Validated v = engine.validator().validate(node, engine.nowMs());
            assertThat(v.error()).as("valid: " + json).isNull();
            events.add(new Submitted(v.event(), 0));
        }
        for (Submission s : engine.submit(events, true)) {
            assertThat(s.refusal()).isNull();
            assertThat(s.result().get(30, TimeUnit.SECONDS).outcome().applied()).isTrue();
        }
    }
}
