package dev.loyalty.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.api.http.JsonBodies;
import dev.loyalty.bench.Fixtures;
import dev.loyalty.engine.event.EventValidator;
import dev.loyalty.engine.event.Validated;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class EventMixTest {

    private final EventValidator validator = new EventValidator(Fixtures.rules());
    private final long nowMs = System.currentTimeMillis();

    private Validated validate(JsonNode event) {
        return validator.validate(event, nowMs);
    }

    @Test
    void shouldProduceOnlyEventsThatPassTheApisValidation() {
        EventMix mix = new EventMix(1000, "t", true, 1);
        for (EventMix.Kind kind : EventMix.Kind.values()) {
            for (int i = 0; i < 50; i++) {
                Validated v = validate(JsonBodies.parse(mix.single(kind)));
                assertThat(v.error()).as(kind.action()).isNull();
            }
        }
        JsonNode bulk = JsonBodies.parse(mix.bulk(100)).get("events");
        assertThat(bulk.size()).isEqualTo(100);
        bulk.forEach(e -> assertThat(validate(e).error()).isNull());
    }

    @Test
    void shouldFollowTheMixShares() {
        EventMix mix = new EventMix(1000, "t", false, 2);
        Map<String, Integer> counts = new HashMap<>();
        int n = 100_000;
        JsonNode events = JsonBodies.parse(mix.bulk(n)).get("events");
        events.forEach(e -> counts.merge(e.get("action").textValue(), 1, Integer::sum));
        assertThat(counts.get("checkout") / (double) n).isBetween(0.69, 0.71);
        assertThat(counts.get("point_spend") / (double) n).isBetween(0.09, 0.11);
        assertThat(counts.get("opt_in") / (double) n).isBetween(0.09, 0.11);
        assertThat(counts.get("review_written") / (double) n).isBetween(0.02, 0.03);
        assertThat(counts.get("profile") / (double) n).isBetween(0.02, 0.03);
        // checkout_accept falls back to point_add only while no checkout is remembered
        assertThat((counts.get("point_add") + counts.get("checkout_accept")) / (double) n).isBetween(0.045, 0.055);
    }

    @Test
    void shouldNeverRepeatATransactionIdOrAnEventIdOrAcceptTwice() {
        EventMix mix = new EventMix(10, "t", true, 3);
        Set<String> transactions = new HashSet<>();
        Set<String> ids = new HashSet<>();
        Set<String> accepted = new HashSet<>();
        JsonNode events = JsonBodies.parse(mix.bulk(20_000)).get("events");
        for (JsonNode e : events) {
            assertThat(ids.add(e.get("id").textValue())).isTrue();
            String action = e.get("action").textValue();
            JsonNode tx = e.path("data").get("transaction_id");
            if (action.equals("checkout_accept")) {
                assertThat(transactions).contains(tx.textValue());
                assertThat(accepted.add(tx.textValue())).isTrue();
            } else if (tx != null) {
                assertThat(transactions.add(tx.textValue())).isTrue();
            }
        }
    }

    @Test
    void shouldPreloadEachCustomerWithAnOptInAndPoints() {
        JsonNode events = JsonBodies.parse(EventMix.preloadBulk(40, 3, 500)).get("events");
        assertThat(events).hasSize(6);
        assertThat(events.get(0).get("customer").textValue()).isEqualTo("c-40");
        assertThat(events.get(0).get("action").textValue()).isEqualTo("opt_in");
        assertThat(events.get(1).get("action").textValue()).isEqualTo("point_add");
        assertThat(events.get(5).get("customer").textValue()).isEqualTo("c-42");
        events.forEach(e -> assertThat(validate(e).error()).isNull());
        assertThat(JsonBodies.parse(EventMix.preloadBulk(0, 2, 0)).get("events")).hasSize(2);
    }
}
