package dev.loyalty.engine.whatif;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.Validated;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Writing the event history the what-if tests replay: one applied event at a time. */
final class History {

    private static final ObjectMapper JSON = new ObjectMapper();

    private History() {
    }

    static String checkout(int i, String tx, long value) {
        return "{\"customer\":\"c-" + i + "\",\"action\":\"checkout\",\"data\":{\"transaction_id\":\"" + tx
                + "\",\"total\":" + value + "}}";
    }

    /** Validates and submits one event, and asserts it was applied. */
    static void post(LoyaltyEngine engine, String json) throws Exception {
        JsonNode node = JSON.readTree(json);
        Validated v = engine.validator().validate(node, engine.nowMs());
        assertThat(v.error()).as("valid: " + json).isNull();
        Submission s = engine.submit(List.of(new Submitted(v.event(), 0)), true).get(0);
        assertThat(s.refusal()).isNull();
        assertThat(s.result().get(10, TimeUnit.SECONDS).outcome().applied()).as(json).isTrue();
    }
}
