package dev.loyalty.engine.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loyalty.engine.rules.TestConfigs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming reader against the tree path it replaces (the API's Jackson tree parser, then
 * {@link EventValidator}): same result, same error code and message, same whole-body failures, on random
 * events in random spellings.
 */
class EventReaderTest {

    /** 2026-01-01T00:00:00Z. */
    private static final long NOW = 1_767_225_600_000L;

    /** Configured as the API's {@code JsonBodies} parser. */
    private static final ObjectMapper TREE = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final EventValidator validator = new EventValidator(TestConfigs.defaults());
    private final EventReader reader = new EventReader(TestConfigs.defaults());

    @Provide
    Arbitrary<JsonNode> events() {
        return EventArbitraries.events();
    }

    /** What the tree path answers for a body: the result, or the failure's class and message. */
    private Object treePath(String body) {
        try {
            JsonNode node = TREE.readTree(body.getBytes(StandardCharsets.UTF_8));
            if (node == null || node.isMissingNode()) {
                return "empty";
            }
            return validator.validate(node, NOW);
        } catch (Exception e) {
            return failure(e);
        }
    }

    private Object streamed(String body) {
        try {
            return reader.readEvent(body.getBytes(StandardCharsets.UTF_8), NOW).validated();
        } catch (EventReader.EmptyBodyException e) {
            return "empty";
        } catch (Exception e) {
            return failure(e);
        }
    }

    private static String failure(Exception e) {
        String message = e instanceof JsonProcessingException j
                ? j.getOriginalMessage() + " at " + (j.getLocation() == null ? "-"
                        : j.getLocation().getLineNr() + ":" + j.getLocation().getColumnNr())
                : e.getMessage();
        return e.getClass().getSimpleName() + ": " + message;
    }

    @Property(tries = 3000)
    void shouldAnswerAsTheTreeValidatorDoes(@ForAll("events") JsonNode node, @ForAll Random random) {
        String body = JsonSpelling.write(node, random);
        Object expected = treePath(body);
        assertThat(streamed(body)).as(body).isEqualTo(expected);
    }

    @Property(tries = 1000)
    void shouldHashOneEventAlikeWhateverItsSpelling(@ForAll("events") JsonNode node, @ForAll Random random)
            throws Exception {
        ReadEvent a = reader.readEvent(JsonSpelling.write(node, random).getBytes(StandardCharsets.UTF_8), NOW);
        ReadEvent b = reader.readEvent(JsonSpelling.write(node, random).getBytes(StandardCharsets.UTF_8), NOW);
        assertThat(b.bodyHash()).isEqualTo(a.bodyHash());
        boolean hashed = a.validated().isOk() && a.validated().event().id() != null;
        assertThat(a.bodyHash() != 0).isEqualTo(hashed);
    }

    @Property(tries = 3000)
    void shouldWriteIntegersAsStrippedDecimals(@ForAll long v) {
        CanonicalJson canonical = new CanonicalJson();
        canonical.number(v);
        String expected = v == 0 ? "0" : BigDecimal.valueOf(v).stripTrailingZeros().toString();
        assertThat(canonical.text()).isEqualTo(expected);
    }

    @Test
    void shouldWriteRoundIntegersAsBigDecimalDoes() {
        for (long v : new long[] {10, -10, 100, 1200, -1500, 1_000_000_000_000_000_000L, Long.MIN_VALUE, 20, 7}) {
            CanonicalJson canonical = new CanonicalJson();
            canonical.number(v);
            assertThat(canonical.text()).isEqualTo(BigDecimal.valueOf(v).stripTrailingZeros().toString());
        }
    }

    @Test
    void shouldFailWholeBodiesAsTheTreeParserDoes() {
        List<String> bodies = List.of("", "  \n", "{} {}", "{} 1", "{}x", "{\"a\":1,\"a\":2}",
                "{\"customer\":\"c1\",\"action\":\"opt_in\",\"x\":1e4000000000}", "[1e4000000000]",
                "{\"customer\":\"c\",\"action\":\"point_add\",\"data\":{\"points\":1", "nul",
                "[" + "1".repeat(1001) + "]", "{\"x\":" + "[".repeat(64) + "]".repeat(64) + "}",
                "[".repeat(65) + "]".repeat(65), "[".repeat(64) + "]".repeat(64), "{\"customer\":\"c1\"}]",
                "{\"customer\":\"c1\",\"action\":\"opt_in\",\"data\":{\"a\":\"\\ud800\"}}", "\"text\"", "null",
                "{\"customer\":\"c1\",\"action\":\"profile\",\"data\":{\"points\":null}}",
                "{\"customer\":\"c1\",\"action\":\"profile\",\"data\":{\"tier\":null,\"a\":[1.50,-0,10.0,1e2]}}",
                "{\"customer\":\"c1\",\"action\":\"opt_in\",\"data\":{\"effective_timestamp\":null}}",
                // repeated keys: only within one object, at any depth, in any part of the body
                "{\"customer\":\"c1\",\"action\":\"opt_in\",\"data\":{\"x\":{\"b\":1},\"y\":{\"b\":1}},"
                        + "\"z\":{\"b\":[{\"b\":1},{\"b\":2}]}}",
                "{\"customer\":\"c1\",\"action\":\"checkout\",\"data\":{\"items\":[{\"price\":1,\"price\":2}]}}",
                "{\"customer\":\"c1\",\"data\":{\"x\":{\"q\":1,\"q\":1}}}", "[{\"a\":1},{\"a\":1,\"b\":2,\"a\":3}]",
                "{\"a\":{\"a\":1},\"a\":2}", "{\"customer\":\"c1\",\"customer\":\"c1\"}",
                bigObject(40, -1), bigObject(40, 35), bigObject(40, 3), bigObject(33, 32));
        for (String body : bodies) {
            assertThat(streamed(body)).as(body).isEqualTo(treePath(body));
        }
    }

    /** An opt_in whose data has {@code keys} keys, the last one repeating key {@code repeat} (-1: none). */
    static String bigObject(int keys, int repeat) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < keys; i++) {
            data.append(i > 0 ? "," : "").append("\"k").append(i).append("\":").append(i);
        }
        if (repeat >= 0) {
            data.append(",\"k").append(repeat).append("\":0");
        }
        return "{\"customer\":\"c1\",\"action\":\"opt_in\",\"data\":{" + data + "}}";
    }

    @Test
    void shouldReadNormallyAfterAHugeBody() {
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            items.append(i > 0 ? "," : "").append("{\"product_id\":\"p").append(i).append("\",\"price\":1,\"quantity\":1}");
        }
        String huge = "{\"customer\":\"c1\",\"action\":\"checkout\",\"id\":\"h\",\"data\":{\"transaction_id\":\"T\","
                + "\"items\":[" + items + "]}}";
        String normal = "{\"customer\":\"c1\",\"action\":\"checkout\",\"id\":\"n\",\"data\":{\"transaction_id\":\"T\","
                + "\"items\":[{\"product_id\":\"p\",\"price\":2.5,\"quantity\":2}]}}";
        for (String body : List.of(huge, bigObject(3000, -1), normal, huge, normal)) {
            assertThat(streamed(body)).as(body.substring(0, 40)).isEqualTo(treePath(body));
        }
    }

    @Test
    void shouldReadAValidCheckoutWithItsLines() throws Exception {
        ReadEvent read = reader.readEvent(("{\"data\":{\"items\":[{\"quantity\":2,\"price\":10.50,\"product_id\":\"p\","
                + "\"discount\":1}],\"transaction_id\":\"T-1\",\"total\":20},\"action\":\"checkout\","
                + "\"customer\":\"c1\",\"id\":\"e-1\"}").getBytes(StandardCharsets.UTF_8), NOW);
        Event e = read.validated().event();
        assertThat(e.items()).containsExactly(new Event.Item("p", 1050, 2, 100));
        assertThat(e.totalCents()).isEqualTo(2000);
        assertThat(e.account()).isEqualTo("points");
        assertThat(read.bodyHash()).isNotZero();
    }

    @Test
    void shouldReadEveryBulkSlotOnItsOwnAndRefuseBadEnvelopes() throws Exception {
        BulkRead bulk = reader.readBulk(("{\"other\":[1.5,{\"a\":null}],\"events\":[{\"customer\":\"c1\","
                + "\"action\":\"point_add\",\"id\":\"a\",\"data\":{\"points\":5}},7,{\"customer\":\"c1\","
                + "\"action\":\"opt_out\"}]}").getBytes(StandardCharsets.UTF_8), NOW, 3);
        assertThat(bulk.error()).isNull();
        assertThat(bulk.slots()).hasSize(3);
        assertThat(bulk.slots().get(0).validated().event().points()).isEqualTo(5);
        assertThat(bulk.slots().get(0).bodyHash()).isNotZero();
        assertThat(bulk.slots().get(1).validated().error().message()).isEqualTo("'event' must be a JSON object");
        assertThat(bulk.slots().get(2).bodyHash()).isZero();
        assertThat(envelopeError("[]", 3)).isEqualTo("invalid_field: request body must be a JSON object holding 'events'");
        assertThat(envelopeError("{}", 3)).isEqualTo("missing_field: 'events' is required");
        assertThat(envelopeError("{\"events\":null}", 3)).isEqualTo("invalid_field: 'events' must be a list of events");
        assertThat(envelopeError("{\"events\":[1,2,3,{}]}", 3))
                .isEqualTo("invalid_field: 'events' holds 4 events; at most 3 are allowed (api.bulk-max)");
    }

    private String envelopeError(String body, int bulkMax) throws Exception {
        ValidationError error = reader.readBulk(body.getBytes(StandardCharsets.UTF_8), NOW, bulkMax).error();
        return error.code() + ": " + error.message();
    }

    @Property(tries = 200)
    void shouldReadBulkSlotsAsSingleEvents(@ForAll("slots") List<JsonNode> nodes, @ForAll Random random)
            throws Exception {
        StringBuilder body = new StringBuilder("{\"events\":[");
        String[] spelled = new String[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            spelled[i] = JsonSpelling.write(nodes.get(i), random);
            body.append(i > 0 ? "," : "").append(spelled[i]);
        }
        body.append("]}");
        BulkRead bulk = reader.readBulk(body.toString().getBytes(StandardCharsets.UTF_8), NOW, 100);
        assertThat(bulk.error()).isNull();
        for (int i = 0; i < nodes.size(); i++) {
            Object expected = treePath(spelled[i]);
            assertThat(bulk.slots().get(i).validated()).isEqualTo(expected);
        }
    }

    @Provide
    Arbitrary<List<JsonNode>> slots() {
        return Arbitraries.lazy(EventArbitraries::plausible).list().ofMaxSize(5);
    }
}
