package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A split bulk's parts carry the request's own events, and its answer lists every slot at its request place. */
class SplitBulkTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A part's answer: for each slot, a result naming the slot (an error for the slots in {@code errors}). */
    private static byte[] part(List<Integer> slots, int... errors) {
        StringBuilder b = new StringBuilder("{\"total\":").append(slots.size()).append(",\"errors\":0,\"results\":[");
        for (int j = 0; j < slots.size(); j++) {
            int slot = slots.get(j);
            boolean error = false;
            for (int e : errors) {
                error |= e == slot;
            }
            b.append(j == 0 ? "" : ",").append(error
                    ? "{\"error\":{\"code\":\"invalid_field\",\"slot\":" + slot + "}}"
                    : "{\"seq\":" + (1000 + slot) + ",\"outcome\":\"applied\",\"customer\":{\"error\":null}}");
        }
        return utf8(b.append("]}").toString());
    }

    @Test
    void shouldPutSlotsBackInRequestOrderWhenTheLaterPartCompletesFirst() throws Exception {
        // Slots of two owners interleaved, as customers of a bulk usually are; the first part has an invalid slot.
        List<Integer> first = List.of(0, 2, 3, 6);
        List<Integer> second = List.of(1, 4, 5);
        Promise<byte[]> a = Promise.promise();
        Promise<byte[]> b = Promise.promise();
        List<Future<byte[]>> parts = List.of(a.future(), b.future());
        Future<Buffer> merged = Future.all(parts).map(done ->
                SplitBulk.merge(7, List.of(first, second), List.of(parts.get(0).result(), parts.get(1).result())));

        b.complete(part(second));
        assertThat(merged.isComplete()).isFalse();
        a.complete(part(first, 3));

        JsonNode out = JSON.readTree(merged.result().getBytes());
        assertThat(out.get("total").asInt()).isEqualTo(7);
        // Only a slot's own "error" field counts, not one nested in its customer.
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
        // Field order and spacing as one node answers ({"total":..,"errors":..,"results":[..]}, compact).
        assertThat(merged.result().toString()).startsWith("{\"total\":7,\"errors\":1,\"results\":[{\"seq\":1000,");
    }

    @Test
    void shouldRefuseAPartAnswerThatDoesNotCoverItsSlots() {
        List<Integer> first = List.of(0, 2);
        List<Integer> second = List.of(1);
        assertThatThrownBy(() -> SplitBulk.merge(3, List.of(first, second), List.of(part(List.of(0)), part(second))))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SplitBulk.merge(3, List.of(first, second),
                List.of(part(first), utf8("{\"error\":{\"code\":\"unavailable\"}}"))))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SplitBulk.merge(3, List.of(first, second), List.of(part(first), utf8("not json"))))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldBuildEachPartFromTheRequestsOwnBytesOfItsEvents() throws Exception {
        // Spacing, an escaped quote and brackets inside strings, nested objects and arrays, a non-ASCII name, an
        // "events" field inside an event, a field before the array: each part is exactly its slots' events.
        String request = "{ \"x\": {\"events\": [1]},\n \"events\" : [ {\"customer\":\"c-\\\"}]1\",\"action\":\"a\"} ,"
                + "{\"customer\":\"é-2\",\"items\":[{\"sku\":\"[{\",\"n\":[1,2]}],\"events\":[]},\n"
                + "  \"not an object\", {\"customer\":\"c3\",\"data\":{\"k\":{\"z\":[null,true]}}} ] }";
        byte[] body = utf8(request);
        List<SplitBulk.Element> events = SplitBulk.elements(body, "events");
        assertThat(events).hasSize(4);
        JsonNode all = JSON.readTree(body).get("events");

        Buffer part = SplitBulk.part(body, events, List.of(1, 3));
        JsonNode read = JSON.readTree(part.getBytes());
        assertThat(read.size()).isEqualTo(1);
        assertThat(read.get("events").size()).isEqualTo(2);
        assertThat(read.get("events").get(0)).isEqualTo(all.get(1));
        assertThat(read.get("events").get(1)).isEqualTo(all.get(3));
        assertThat(JSON.readTree(SplitBulk.part(body, events, List.of(0, 2)).getBytes()).get("events"))
                .containsExactly(all.get(0), all.get(2));
    }

    @Test
    void shouldFindATopLevelStringOnly() {
        assertThat(SplitBulk.topLevelString(utf8("{\"data\":{\"customer\":\"x\"},\"customer\":\"c-1\"}"), "customer"))
                .isEqualTo("c-1");
        assertThat(SplitBulk.topLevelString(utf8("{\"customer\":7}"), "customer")).isNull();
        assertThat(SplitBulk.topLevelString(utf8("{\"customer\":"), "customer")).isNull();
        assertThat(SplitBulk.topLevelString(utf8("[\"customer\"]"), "customer")).isNull();
        assertThat(SplitBulk.topLevelString(null, "customer")).isNull();
    }

    @Test
    void shouldFindEachEventsCustomerByATokenScan() {
        // Nested "customer" fields (in data) and fields after it are not the event's; a non-object slot has none.
        byte[] bulk = utf8("{\"signature\":{\"customer\":\"no\"},\"events\":[{\"data\":{\"customer\":\"x\"},"
                + "\"customer\":\"c-1\",\"action\":\"opt_in\"},{\"action\":\"opt_in\"},7,[\"c-9\"],"
                + "{\"customer\":42},{\"customer\":\"c-2\"}]}");
        assertThat(SplitBulk.eventCustomers(bulk)).containsExactly("c-1", null, null, null, null, "c-2");
        assertThat(SplitBulk.eventCustomers(utf8("{\"events\":[{\"customer\":"))).isEmpty();
        assertThat(SplitBulk.eventCustomers(utf8("{\"events\":{}}"))).isEmpty();
        assertThat(SplitBulk.eventCustomers(utf8("[]"))).isEmpty();
        assertThat(SplitBulk.eventCustomers(null)).isEmpty();
    }
}
