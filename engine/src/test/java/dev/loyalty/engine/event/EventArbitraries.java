package dev.loyalty.engine.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/**
 * Random request events as Jackson trees, for the validator's properties: any JSON value, random objects
 * over the keys events use, envelopes with random data, and plausible events of every action with
 * occasional bad values (so that both the valid paths and each error path are reached).
 */
public final class EventArbitraries {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String> KEYS = List.of("customer", "action", "id", "account", "data", "points",
            "total", "items", "transaction_id", "amount", "points_burned", "effective_timestamp", "reason", "tier",
            "product_id", "price", "quantity", "discount");
    private static final List<String> WORDS = List.of("c1", "opt_in", "checkout", "point_add", "partial_refund",
            "profile", "review_written", "points", "bonus", "T-1", "", "2026-01-01T00:00:00Z", "x y", "NaN");
    private static final List<String> ACTIONS = List.of("opt_in", "opt_out", "profile", "point_add", "point_sub",
            "point_spend", "point_unspend", "checkout", "checkout_accept", "checkout_reject", "refund",
            "partial_refund", "reserve_points", "release_points", "review_written", "newsletter_signup");

    private EventArbitraries() {
    }

    /** Anything: scalars, random objects, envelopes with random data, plausible events. */
    public static Arbitrary<JsonNode> events() {
        return Arbitraries.lazyOf(EventArbitraries::scalar, () -> object(3), EventArbitraries::event,
                EventArbitraries::plausible, EventArbitraries::plausible);
    }

    static Arbitrary<JsonNode> scalar() {
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

    static Arbitrary<JsonNode> object(int depth) {
        Arbitrary<JsonNode> value = depth == 0 ? scalar()
                : Arbitraries.frequencyOf(
                        Tuple.of(6, scalar()),
                        Tuple.of(1, Arbitraries.lazy(() -> object(depth - 1))),
                        Tuple.of(1, Arbitraries.lazy(() -> array(depth - 1))));
        return Arbitraries.maps(Arbitraries.of(KEYS), value).ofMaxSize(6).map(m -> {
            ObjectNode o = F.objectNode();
            m.forEach(o::set);
            return o;
        });
    }

    static Arbitrary<JsonNode> array(int depth) {
        return object(depth).list().ofMaxSize(3).map(list -> {
            ArrayNode a = F.arrayNode();
            list.forEach(a::add);
            return a;
        });
    }

    /** Mostly well-formed envelopes with random data, so the per-action paths are reached. */
    static Arbitrary<JsonNode> event() {
        return Combinators.combine(Arbitraries.of(ACTIONS), object(2)).as((a, data) -> {
            ObjectNode o = F.objectNode();
            o.put("customer", "c1");
            o.put("action", a);
            o.set("data", data);
            return o;
        });
    }

    /** Events shaped as clients send them, often with one field replaced by a random value or null. */
    public static Arbitrary<JsonNode> plausible() {
        Arbitrary<JsonNode> points = Arbitraries.oneOf(Arbitraries.longs().between(-5, 100_000).map(F::numberNode),
                Arbitraries.of("10.0", "1e2", "2.5", "0").map(s -> F.numberNode(new BigDecimal(s))));
        Arbitrary<JsonNode> money = Arbitraries.oneOf(Arbitraries.longs().between(-1, 100_000).map(F::numberNode),
                Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("100000")).ofScale(3)
                        .map(F::numberNode),
                Arbitraries.of("12.50", "0.01", "1e13", "10000000000000.01", "99999999999999").map(s ->
                        F.numberNode(new BigDecimal(s))));
        Arbitrary<JsonNode> text = Arbitraries.oneOf(Arbitraries.of("T-1", "order-77", "", "été", "x".repeat(129))
                .map(F::textNode), Arbitraries.strings().ofMaxLength(12).map(F::textNode));
        Arbitrary<JsonNode> timestamp = Arbitraries.of("2025-12-31T12:00:00Z", "2026-01-01T00:04:00+01:00",
                "2025-06-01", "2026-01-01T00:00:00", "yesterday", "2010-01-01T00:00:00Z").map(F::textNode);
        Arbitrary<JsonNode> seconds = Arbitraries.of("1767225500", "1767225500.5", "1e12", "2e12", "1767225900")
                .map(s -> F.numberNode(new BigDecimal(s)));
        Arbitrary<JsonNode> item = Combinators.combine(text, money, points, money.injectNull(0.6)).as((id, price, qty,
                discount) -> {
            ObjectNode o = F.objectNode();
            o.set("product_id", id);
            o.set("price", price);
            o.set("quantity", qty);
            if (discount != null) {
                o.set("discount", discount);
            }
            return o;
        });
        Arbitrary<JsonNode> items = item.list().ofMaxSize(4).map(list -> {
            ArrayNode a = F.arrayNode();
            list.forEach(a::add);
            return a;
        });
        Arbitrary<JsonNode> any = Arbitraries.lazy(() -> Arbitraries.oneOf(scalar(), object(1), array(1)));
        Arbitrary<ObjectNode> data = Combinators.combine(
                Arbitraries.of("points", "total", "items", "transaction_id", "amount", "points_burned",
                        "effective_timestamp", "reason", "tier", "email", "name").set().ofMaxSize(7),
                points, money, items, text, Arbitraries.oneOf(timestamp, seconds), any, Arbitraries.integers()
                        .between(0, 13)).as((keys, p, m, it, t, ts, junk, corrupt) -> {
                    ObjectNode o = F.objectNode();
                    int i = 0;
                    for (String k : keys) {
                        JsonNode v = switch (k) {
                            case "points", "points_burned" -> p;
                            case "total", "amount" -> m;
                            case "items" -> it;
                            case "effective_timestamp" -> ts;
                            case "tier", "email", "name", "transaction_id", "reason" -> t;
                            default -> junk;
                        };
                        // corrupt 0-6: that key holds a random value instead; 7-13: JSON null
                        o.set(k, i == corrupt ? junk : i == corrupt - 7 ? F.nullNode() : v);
                        i++;
                    }
                    return o;
                });
        return Combinators.combine(Arbitraries.of("c1", "c-2.x@y", "bad id!", ""), Arbitraries.of(ACTIONS),
                text.injectNull(0.4), Arbitraries.of("points", "bonus", "nope").injectNull(0.6), data)
                .as((customer, action, id, account, d) -> {
                    ObjectNode o = F.objectNode();
                    o.put("customer", customer);
                    o.put("action", action);
                    if (id != null) {
                        o.set("id", id);
                    }
                    if (account != null) {
                        o.put("account", account);
                    }
                    o.set("data", d);
                    return o;
                });
    }
}
