package dev.loyalty.engine.event;

import static dev.loyalty.engine.event.EventRuleChecks.abbreviate;
import static dev.loyalty.engine.event.EventRuleChecks.bounded;
import static dev.loyalty.engine.event.EventRuleChecks.invalid;
import static dev.loyalty.engine.event.EventRuleChecks.missing;
import static dev.loyalty.engine.event.EventRuleChecks.parseIsoMs;
import static dev.loyalty.engine.event.EventRuleChecks.secondsToMs;
import static dev.loyalty.engine.event.EventRuleChecks.withinWindow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.event.EventRuleChecks.Invalid;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns one parsed request event into a validated {@link Event} or a 400 error; thread-safe.
 *
 * <p>Checks run in this order: the event is an object, {@code customer}, {@code action}, {@code id},
 * {@code account}, {@code data}, then the attributes of the action in the order of loyalty-rules.md.
 * Only the attributes an action uses are checked (a custom action takes any data). A JSON {@code null}
 * counts as absent. Integers may be written as JSON integers or as numbers with no fraction ({@code 10.0});
 * money is a JSON number with at most 2 decimals. Never throws: anything unexpected is {@code invalid_field}.
 */
public final class EventValidator {

    /** Actions of loyalty-rules.md; configured custom actions come on top. */
    public static final Set<String> BUILT_IN_ACTIONS = Set.of("opt_in", "opt_out", "profile", "point_add",
            "point_sub", "point_spend", "point_unspend", "checkout", "checkout_accept", "checkout_reject",
            "refund", "partial_refund", "reserve_points", "release_points");

    /** Largest money value accepted, in cents (10^15 cents = 10 trillion currency units). */
    static final long MAX_MONEY_CENTS = 1_000_000_000_000_000L;

    private static final Pattern CUSTOMER = Pattern.compile("[A-Za-z0-9._:@-]{1,64}");
    private static final int MAX_ID_LENGTH = 128;
    private static final int MAX_TEXT_LENGTH = 128;
    private static final int MAX_REASON_LENGTH = 1024;
    /** Most integer digits, and most decimals, a number may have before it is refused. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RulesConfig rules;

    public EventValidator(RulesConfig rules) {
        this.rules = rules;
    }

    /**
     * Validates one event object.
     *
     * @param node  the parsed event (any JSON value; a non-object is {@code invalid_field})
     * @param nowMs the ingest clock now, for the effective-timestamp bounds
     */
    public Validated validate(JsonNode node, long nowMs) {
        try {
            return Validated.ok(parse(node, nowMs));
        } catch (Invalid invalid) {
            return Validated.fail(invalid.error);
        } catch (RuntimeException unexpected) {
            return Validated.fail(ValidationError.invalid("event", "could not be read: " + unexpected.getClass()
                    .getSimpleName()));
        }
    }

    private Event parse(JsonNode node, long nowMs) {
        if (node == null || !node.isObject()) {
            throw invalid("event", "must be a JSON object");
        }
        String customer = requiredString(node, "customer", "customer");
        if (!CUSTOMER.matcher(customer).matches()) {
            throw invalid("customer", "must be 1-64 characters of [A-Za-z0-9._:@-]");
        }
        String action = requiredString(node, "action", "action");
        boolean custom = !BUILT_IN_ACTIONS.contains(action) && rules.customAction(action) != null;
        if (!BUILT_IN_ACTIONS.contains(action) && !custom) {
            throw new Invalid(new ValidationError("unknown_action", "'action' '" + abbreviate(action)
                    + "' is not a known action"));
        }
        String id = optionalString(node, "id", "id");
        if (id != null && (id.isEmpty() || id.length() > MAX_ID_LENGTH)) {
            throw invalid("id", "must be 1-" + MAX_ID_LENGTH + " characters");
        }
        String account = optionalString(node, "account", "account");
        if (account == null) {
            account = rules.defaultAccount();
        } else if (rules.accountIndex(account) < 0) {
            throw invalid("account", "'" + abbreviate(account) + "' is not a configured account");
        }
        JsonNode dataNode = node.get("data");
        ObjectNode data;
        if (dataNode == null || dataNode.isNull()) {
            data = JSON.createObjectNode();
        } else if (dataNode.isObject()) {
            data = (ObjectNode) dataNode;
        } else {
            throw invalid("data", "must be a JSON object");
        }
        Builder b = new Builder(customer, action, id, account);
        b.effectiveTimeMs = effectiveTime(data, nowMs);
        if (custom) {
            b.reason = optionalText(data, "reason", MAX_REASON_LENGTH);
            b.transactionId = optionalText(data, "transaction_id", MAX_TEXT_LENGTH);
            return b.build();
        }
        switch (action) {
            case "opt_in":
                b.attributesJson = attributes(data);
                break;
            case "profile":
                for (String computed : List.of("points", "tier")) {
                    if (data.has(computed)) {
                        throw invalid("data." + computed, "is computed and cannot be set");
                    }
                }
                b.attributesJson = attributes(data);
                break;
            case "opt_out":
                b.reason = optionalText(data, "reason", MAX_REASON_LENGTH);
                break;
            case "point_add":
            case "point_sub":
                b.points = requiredPoints(data, "points");
                b.reason = optionalText(data, "reason", MAX_REASON_LENGTH);
                break;
            case "point_spend":
                b.points = requiredPoints(data, "points");
                b.transactionId = optionalText(data, "transaction_id", MAX_TEXT_LENGTH);
                break;
            case "checkout":
                b.transactionId = requiredText(data, "transaction_id");
                checkoutValue(data, b);
                JsonNode burned = present(data, "points_burned");
                if (burned != null) {
                    b.pointsBurned = integer(burned, "data.points_burned", 0);
                }
                break;
            case "partial_refund":
                b.transactionId = requiredText(data, "transaction_id");
                JsonNode amount = present(data, "amount");
                if (amount == null) {
                    throw missing("data.amount");
                }
                b.amountCents = money(amount, "data.amount");
                if (b.amountCents <= 0) {
                    throw invalid("data.amount", "must be greater than 0");
                }
                break;
            case "reserve_points":
                b.transactionId = requiredText(data, "transaction_id");
                b.points = requiredPoints(data, "points");
                break;
            case "point_unspend":
            case "checkout_accept":
            case "checkout_reject":
            case "refund":
            case "release_points":
                b.transactionId = requiredText(data, "transaction_id");
                break;
            default:
                throw new IllegalStateException("unhandled action " + action);
        }
        return b.build();
    }

    /** Mutable fields of the event being built. */
    private static final class Builder {
        final String customer;
        final String action;
        final String id;
        final String account;
        long effectiveTimeMs = Event.ABSENT;
        long points = Event.ABSENT;
        String transactionId;
        long totalCents = Event.ABSENT;
        List<Event.Item> items;
        long pointsBurned = Event.ABSENT;
        long amountCents = Event.ABSENT;
        String reason;
        String attributesJson;

        Builder(String customer, String action, String id, String account) {
            this.customer = customer;
            this.action = action;
            this.id = id;
            this.account = account;
        }

        Event build() {
            return new Event(customer, action, id, account, effectiveTimeMs, points, transactionId, totalCents,
                    items, pointsBurned, amountCents, reason, attributesJson);
        }
    }

    // ---------------------------------------------------------------- fields

    /** The field's node, or null when absent or JSON null. */
    private static JsonNode present(JsonNode parent, String name) {
        JsonNode v = parent.get(name);
        return v == null || v.isNull() ? null : v;
    }

    private static String requiredString(JsonNode parent, String name, String field) {
        JsonNode v = present(parent, name);
        if (v == null) {
            throw missing(field);
        }
        if (!v.isTextual()) {
            throw invalid(field, "must be a string");
        }
        return v.textValue();
    }

    private static String optionalString(JsonNode parent, String name, String field) {
        JsonNode v = present(parent, name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw invalid(field, "must be a string");
        }
        return v.textValue();
    }

    private static String requiredText(JsonNode data, String name) {
        String s = requiredString(data, name, "data." + name);
        checkText(s, "data." + name, MAX_TEXT_LENGTH);
        return s;
    }

    private static String optionalText(JsonNode data, String name, int maxLength) {
        String s = optionalString(data, name, "data." + name);
        if (s != null) {
            checkText(s, "data." + name, maxLength);
        }
        return s;
    }

    private static void checkText(String s, String field, int maxLength) {
        if (s.isEmpty() || s.length() > maxLength) {
            throw invalid(field, "must be 1-" + maxLength + " characters");
        }
    }

    private static long requiredPoints(JsonNode data, String name) {
        JsonNode v = present(data, name);
        if (v == null) {
            throw missing("data." + name);
        }
        return integer(v, "data." + name, 1);
    }

    /** A JSON integer (or a number with no fraction) that fits in a long and is at least {@code min}. */
    static long integer(JsonNode v, String field, long min) {
        if (!v.isNumber()) {
            throw invalid(field, "must be an integer");
        }
        BigDecimal d = decimal(v, field);
        BigInteger i;
        try {
            i = d.toBigIntegerExact();
        } catch (ArithmeticException fraction) {
            throw invalid(field, "must be an integer");
        }
        if (i.bitLength() > 63) {
            throw invalid(field, "is too large");
        }
        long value = i.longValue();
        if (value < min) {
            throw invalid(field, min == 1 ? "must be greater than 0" : "must be at least " + min);
        }
        return value;
    }

    /** Money: a JSON number, at least 0, at most 2 decimals, in cents. */
    static long money(JsonNode v, String field) {
        if (!v.isNumber()) {
            throw invalid(field, "must be a number");
        }
        BigDecimal d = decimal(v, field);
        if (d.signum() < 0) {
            throw invalid(field, "must not be negative");
        }
        BigDecimal cents = d.movePointRight(2);
        BigInteger exact;
        try {
            exact = cents.toBigIntegerExact();
        } catch (ArithmeticException tooPrecise) {
            throw invalid(field, "must have at most 2 decimals");
        }
        if (exact.compareTo(BigInteger.valueOf(MAX_MONEY_CENTS)) > 0) {
            throw invalid(field, "is too large");
        }
        return exact.longValue();
    }

    /**
     * The exact decimal of a JSON number. A binary double (when the parser was not asked for BigDecimal) is
     * read through its shortest decimal form, which is the literal that was written for up to 15-17 digits.
     */
    private static BigDecimal decimal(JsonNode v, String field) {
        BigDecimal d;
        if (v.isIntegralNumber()) {
            d = new BigDecimal(v.bigIntegerValue());
        } else if (v.isBigDecimal()) {
            d = v.decimalValue();
        } else {
            double x = v.doubleValue();
            if (Double.isNaN(x) || Double.isInfinite(x)) {
                throw invalid(field, "must be a finite number");
            }
            d = new BigDecimal(Double.toString(x));
        }
        return bounded(d, field);
    }

    private static void checkoutValue(JsonNode data, Builder b) {
        JsonNode total = present(data, "total");
        JsonNode items = present(data, "items");
        if (total != null) {
            b.totalCents = money(total, "data.total");
        }
        if (items != null) {
            b.items = items(items);
            if (EligibleValue.cents(b.build()) == EligibleValue.INVALID) {
                throw invalid("data.items", "add up to more than can be represented");
            }
        } else if (total == null) {
            throw missing("data.total");
        }
    }

    private static List<Event.Item> items(JsonNode items) {
        if (!items.isArray()) {
            throw invalid("data.items", "must be an array");
        }
        if (items.isEmpty()) {
            throw invalid("data.items", "must not be empty");
        }
        List<Event.Item> list = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String field = "data.items[" + i + "]";
            JsonNode item = items.get(i);
            if (!item.isObject()) {
                throw invalid(field, "must be an object");
            }
            String productId = requiredString(item, "product_id", field + ".product_id");
            checkText(productId, field + ".product_id", MAX_TEXT_LENGTH);
            JsonNode price = present(item, "price");
            if (price == null) {
                throw missing(field + ".price");
            }
            long priceCents = money(price, field + ".price");
            JsonNode quantity = present(item, "quantity");
            if (quantity == null) {
                throw missing(field + ".quantity");
            }
            long qty = integer(quantity, field + ".quantity", 1);
            JsonNode discount = present(item, "discount");
            long discountCents = discount == null ? 0 : money(discount, field + ".discount");
            Event.Item line = new Event.Item(productId, priceCents, qty, discountCents);
            if (EligibleValue.lineCents(line) < 0) {
                throw invalid(field, "price x quantity - discount must not be negative");
            }
            list.add(line);
        }
        return List.copyOf(list);
    }

    private long effectiveTime(JsonNode data, long nowMs) {
        JsonNode v = present(data, "effective_timestamp");
        if (v == null) {
            return Event.ABSENT;
        }
        String field = "data.effective_timestamp";
        long ms;
        if (v.isNumber()) {
            ms = secondsToMs(decimal(v, field), field);
        } else if (v.isTextual()) {
            ms = parseIsoMs(v.textValue(), field);
        } else {
            throw invalid(field, "must be an ISO-8601 string or unix seconds");
        }
        return withinWindow(ms, nowMs, rules, field);
    }

    /** Profile attributes: {@code data} without the event attribute {@code effective_timestamp}. */
    private static String attributes(ObjectNode data) {
        ObjectNode copy = data.deepCopy();
        copy.remove("effective_timestamp");
        if (copy.isEmpty()) {
            return null;
        }
        try {
            return JSON.writeValueAsString(copy);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw invalid("data", "cannot be stored");
        }
    }

}
