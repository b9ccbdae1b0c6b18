package dev.loyalty.engine.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.engine.rules.TestConfigs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The validator never throws and always answers exactly one of event or error, whatever the input. */
class EventValidatorPropertiesTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String> KEYS = List.of("customer", "action", "id", "account", "data", "points",
            "total", "items", "transaction_id", "amount", "points_burned", "effective_timestamp", "reason", "tier",
            "product_id", "price", "quantity", "discount");
    private static final List<String> WORDS = List.of("c1", "opt_in", "checkout", "point_add", "partial_refund",
            "profile", "review_written", "points", "bonus", "T-1", "", "2026-01-01T00:00:00Z", "x y", "NaN");

    private final EventValidator validator = new EventValidator(TestConfigs.defaults());

    @Provide
    Arbitrary<JsonNode> events() {
        return Arbitraries.lazyOf(() -> scalar(), () -> object(3), () -> event());
    }

    private Arbitrary<JsonNode> scalar() {
        return Arbitraries.oneOf(
                Arbitraries.just(F.nullNode()),
                Arbitraries.of(true, false).map(F::booleanNode),
                Arbitraries.longs().map(F::numberNode),
                Arbitraries.bigIntegers().between(BigInteger.ONE.shiftLeft(70).negate(), BigInteger.ONE.shiftLeft(70))
                        .map(F::numberNode),
                Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, 1e300, -0.0, 0.005, 120.5, 1.5, 1e-300)
                        .map(F::numberNode),
                Arbitraries.of("1e999999999", "1e-999999999", "0.10", "-3", "19.999", "1000000000000000000000")
                        .map(s -> F.numberNode(new BigDecimal(s))),
                Arbitraries.of(WORDS).map(F::textNode),
                Arbitraries.strings().ofMaxLength(80).map(F::textNode));
    }

    private Arbitrary<JsonNode> object(int depth) {
        Arbitrary<JsonNode> value = depth == 0 ? scalar()
                : Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, scalar()),
                        net.jqwik.api.Tuple.of(1, Arbitraries.lazy(() -> object(depth - 1))),
                        net.jqwik.api.Tuple.of(1, Arbitraries.lazy(() -> array(depth - 1))));
        return Arbitraries.maps(Arbitraries.of(KEYS), value).ofMaxSize(6).map(m -> {
            ObjectNode o = F.objectNode();
            m.forEach(o::set);
            return o;
        });
    }

    private Arbitrary<JsonNode> array(int depth) {
        return object(depth).list().ofMaxSize(3).map(list -> {
            ArrayNode a = F.arrayNode();
            list.forEach(a::add);
            return a;
        });
    }

    /** Mostly well-formed envelopes with random data, so the per-action paths are reached. */
    private Arbitrary<JsonNode> event() {
        Arbitrary<String> action = Arbitraries.of("opt_in", "opt_out", "profile", "point_add", "point_sub",
                "point_spend", "point_unspend", "checkout", "checkout_accept", "checkout_reject", "refund",
                "partial_refund", "reserve_points", "release_points", "review_written", "newsletter_signup");
        return net.jqwik.api.Combinators.combine(action, object(2)).as((a, data) -> {
            ObjectNode o = F.objectNode();
            o.put("customer", "c1");
            o.put("action", a);
            o.set("data", data);
            return o;
        });
    }

    @Property(tries = 2000)
    void shouldNeverThrowAndAnswerExactlyOneOfEventOrError(@ForAll("events") JsonNode node) {
        Validated v = validator.validate(node, 1_767_225_600_000L);
        assertThat(v).isNotNull();
        assertThat(v.event() == null).isNotEqualTo(v.error() == null);
        if (v.error() != null) {
            assertThat(v.error().code()).isIn("missing_field", "invalid_field", "unknown_action");
            assertThat(v.error().message()).isNotBlank();
            // the validator's last-resort catch must never be what answers
            assertThat(v.error().message()).doesNotContain("could not be read");
        }
    }
}
