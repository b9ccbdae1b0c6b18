package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.engine.event.BulkRead;
import dev.loyalty.engine.event.EventArbitraries;
import dev.loyalty.engine.event.EventValidator;
import dev.loyalty.engine.event.JsonSpelling;
import dev.loyalty.engine.event.ReadEvent;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.rules.TestConfigs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming read of event bodies against the tree path it replaced ({@link JsonBodies} →
 * {@link EventValidator} → {@link BodyHash}): for random bodies in random spellings, the same 400 (code and
 * message) or the same event, and the same idempotency hash, so that ids journaled before the upgrade
 * still recognise their retries.
 */
class EventBodiesTest {

    /** 2026-01-01T00:00:00Z. */
    private static final long NOW = 1_767_225_600_000L;
    private static final int BULK_MAX = 5;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final EventValidator validator = new EventValidator(TestConfigs.defaults());
    private final EventBodies bodies = new EventBodies(TestConfigs.defaults());

    /** The tree path's answer for one event: the result with its hash, or the 400. */
    private Object treeEvent(JsonNode node) {
        Validated v = validator.validate(node, NOW);
        return List.of(v, v.isOk() && v.event().id() != null ? BodyHash.of(node) : 0L);
    }

    private Object treePath(byte[] body) {
        try {
            return treeEvent(JsonBodies.parse(body));
        } catch (ApiException e) {
            return refusal(e);
        }
    }

    private Object streamed(byte[] body) {
        try {
            ReadEvent read = bodies.event(body, NOW);
            return List.of(read.validated(), read.bodyHash());
        } catch (ApiException e) {
            return refusal(e);
        }
    }

    private static String refusal(ApiException e) {
        return e.status() + " " + e.code() + ": " + e.getMessage();
    }

    @Provide
    Arbitrary<JsonNode> events() {
        return EventArbitraries.events();
    }

    /** Always-valid opt_in events with an id and random data: every try compares a hash. */
    @Provide
    Arbitrary<JsonNode> withIds() {
        return Combinators.combine(Arbitraries.strings().ofMinLength(1).ofMaxLength(20), EventArbitraries.events())
                .as((id, data) -> {
                    ObjectNode o = F.objectNode();
                    o.put("customer", "c1");
                    o.put("action", "opt_in");
                    o.put("id", id);
                    o.set("extra", data);
                    return o;
                });
    }

    @Property(tries = 2000)
    void shouldAnswerAndHashAsTheTreePathDoes(@ForAll("events") JsonNode node, @ForAll Random random) {
        byte[] body = JsonSpelling.write(node, random).getBytes(StandardCharsets.UTF_8);
        assertThat(streamed(body)).as(new String(body, StandardCharsets.UTF_8)).isEqualTo(treePath(body));
    }

    @Property(tries = 1000)
    void shouldHashAsBodyHashDoes(@ForAll("withIds") JsonNode node, @ForAll Random random) {
        byte[] body = JsonSpelling.write(node, random).getBytes(StandardCharsets.UTF_8);
        ReadEvent read = bodies.event(body, NOW);
        assertThat(read.validated().isOk()).as(read.validated().toString()).isTrue();
        assertThat(read.bodyHash()).isEqualTo(BodyHash.of(JsonBodies.parse(body)));
    }

    @Test
    void shouldRefuseUnreadableBodiesAsTheTreePathDoes() {
        for (String body : List.of("", " ", "{", "{} {}", "[] x", "{\"a\":1,\"a\":1}", "{\"a\":1e4000000000}",
                "{\"customer\":\"c1\",\"action\":\"opt_in\",\"data\":[" + "1".repeat(1500) + "]}",
                "[".repeat(JsonBodies.MAX_DEPTH + 1) + "]".repeat(JsonBodies.MAX_DEPTH + 1), "\u00ff", "nul",
                "{\"events\":[{\"a\":1,\"a\":2}]}", "{\"x\":{\"a\":1,\"a\":1},\"events\":[]}",
                "{\"events\":[],\"events\":[]}", "{\"events\":[1,2,3,4,5,6,{\"a\":1,\"a\":1}]}")) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            assertThat(streamed(bytes)).as(body).isEqualTo(treePath(bytes)).asString().startsWith("400 ");
            assertThat(streamedBulk(bytes)).as(body).asString().startsWith("400 ");
            assertThat(streamedBulk(bytes)).as(body).isEqualTo(treeBulk(bytes));
        }
    }

    @Property(tries = 500)
    void shouldReadBulksAsTheTreePathDid(@ForAll("bulks") JsonNode bulk, @ForAll Random random) {
        byte[] body = JsonSpelling.write(bulk, random).getBytes(StandardCharsets.UTF_8);
        assertThat(streamedBulk(body)).as(new String(body, StandardCharsets.UTF_8)).isEqualTo(treeBulk(body));
    }

    @Provide
    Arbitrary<JsonNode> bulks() {
        Arbitrary<JsonNode> events = EventArbitraries.events().list().ofMaxSize(BULK_MAX + 2).map(list -> {
            ArrayNode a = F.arrayNode();
            list.forEach(a::add);
            return a;
        });
        Arbitrary<JsonNode> envelope = Combinators.combine(events, Arbitraries.integers().between(0, 9),
                EventArbitraries.events()).as((list, shape, other) -> {
                    ObjectNode o = F.objectNode();
                    switch (shape) {
                        case 0 -> o.set("other", other);
                        case 1 -> o.set("events", other);
                        case 2 -> o.putNull("events");
                        case 3 -> {
                            return list;
                        }
                        default -> {
                            o.set("events", list);
                            if (shape == 4) {
                                o.set("other", other);
                            }
                        }
                    }
                    return o;
                });
        return envelope;
    }

    /** The bulk route's reading as it was: tree, envelope checks, then each slot validated and hashed. */
    private Object treeBulk(byte[] bytes) {
        try {
            JsonNode body = JsonBodies.parse(bytes);
            if (!body.isObject()) {
                throw new ApiException(400, "invalid_field", "request body must be a JSON object holding 'events'");
            }
            JsonNode events = body.get("events");
            if (events == null) {
                throw ApiException.missingField("events");
            }
            if (!events.isArray()) {
                throw ApiException.invalidField("events", "must be a list of events");
            }
            if (events.size() > BULK_MAX) {
                throw ApiException.invalidField("events", "holds " + events.size() + " events; at most "
                        + BULK_MAX + " are allowed (api.bulk-max)");
            }
            List<Object> slots = new ArrayList<>();
            for (JsonNode node : events) {
                slots.add(treeEvent(node));
            }
            return slots;
        } catch (ApiException e) {
            return refusal(e);
        }
    }

    private Object streamedBulk(byte[] bytes) {
        try {
            BulkRead read = bodies.bulk(bytes, NOW, BULK_MAX);
            if (read.error() != null) {
                throw ApiException.of(read.error());
            }
            List<Object> slots = new ArrayList<>();
            for (ReadEvent slot : read.slots()) {
                slots.add(List.of(slot.validated(), slot.bodyHash()));
            }
            return slots;
        } catch (ApiException e) {
            return refusal(e);
        }
    }
}
