package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A split bulk's answer lists every slot at its request place, whichever part completed first. */
class SplitBulkTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A part's answer: for each slot, a result naming the slot (an error for the slots in {@code errors}). */
    private static JsonNode part(List<Integer> slots, int... errors) throws Exception {
        StringBuilder b = new StringBuilder("{\"total\":").append(slots.size()).append(",\"results\":[");
        for (int j = 0; j < slots.size(); j++) {
            int slot = slots.get(j);
            boolean error = false;
            for (int e : errors) {
                error |= e == slot;
            }
            b.append(j == 0 ? "" : ",").append(error
                    ? "{\"error\":{\"code\":\"invalid_field\",\"slot\":" + slot + "}}"
                    : "{\"seq\":" + (1000 + slot) + ",\"outcome\":\"applied\"}");
        }
        return JSON.readTree(b.append("]}").toString());
    }

    @Test
    void shouldPutSlotsBackInRequestOrderWhenTheLaterPartCompletesFirst() throws Exception {
        // Slots of two owners interleaved, as customers of a bulk usually are; the first part has an invalid slot.
        List<Integer> first = List.of(0, 2, 3, 6);
        List<Integer> second = List.of(1, 4, 5);
        Promise<JsonNode> a = Promise.promise();
        Promise<JsonNode> b = Promise.promise();
        List<Future<JsonNode>> parts = List.of(a.future(), b.future());
        Future<ObjectNode> merged = Future.all(parts).map(done ->
                SplitBulk.merge(7, List.of(first, second), List.of(parts.get(0).result(), parts.get(1).result())));

        b.complete(part(second));
        assertThat(merged.isComplete()).isFalse();
        a.complete(part(first, 3));

        ObjectNode out = merged.result();
        assertThat(out.get("total").asInt()).isEqualTo(7);
        assertThat(out.get("errors").asInt()).isEqualTo(1);
        JsonNode results = out.get("results");
        assertThat(results.size()).isEqualTo(7);
        for (int i = 0; i < 7; i++) {
            if (i == 3) {
                assertThat(results.get(i).get("error").get("slot").asInt()).isEqualTo(3);
            } else {
                assertThat(results.get(i).get("seq").asLong()).as("slot " + i).isEqualTo(1000 + i);
            }
        }
    }

    @Test
    void shouldRefuseAPartAnswerThatDoesNotCoverItsSlots() throws Exception {
        List<Integer> first = List.of(0, 2);
        List<Integer> second = List.of(1);
        assertThatThrownBy(() -> SplitBulk.merge(3, List.of(first, second), List.of(part(List.of(0)), part(second))))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SplitBulk.merge(3, List.of(first, second),
                List.of(part(first), JSON.readTree("{\"error\":{\"code\":\"unavailable\"}}"))))
                .isInstanceOf(IllegalStateException.class);
    }
}
