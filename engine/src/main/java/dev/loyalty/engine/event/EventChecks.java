package dev.loyalty.engine.event;

import static dev.loyalty.engine.event.EventRuleChecks.abbreviate;
import static dev.loyalty.engine.event.EventRuleChecks.bounded;
import static dev.loyalty.engine.event.EventRuleChecks.invalid;
import static dev.loyalty.engine.event.EventRuleChecks.missing;
import static dev.loyalty.engine.event.EventRuleChecks.parseIsoMs;
import static dev.loyalty.engine.event.EventRuleChecks.secondsToMs;
import static dev.loyalty.engine.event.EventRuleChecks.withinWindow;

import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.event.EventRuleChecks.Invalid;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Turns the {@link EventFields} of one streamed event into a {@link CheckedEvent} or a 400 error, running
 * {@link EventValidator}'s checks in its order with its codes and messages (the streamed fields arrive in
 * any key order, so the checks run once the event's last byte is read). Integers that fit a long skip
 * {@link BigDecimal}. Profile attributes come from {@link ProfileAttributes}. Thread-safe.
 */
final class EventChecks {

    private static final int MAX_CUSTOMER_LENGTH = 64;
    private static final int MAX_ID_LENGTH = 128;
    private static final int MAX_TEXT_LENGTH = 128;
    private static final int MAX_REASON_LENGTH = 1024;
    private static final BigInteger MAX_MONEY = BigInteger.valueOf(EventValidator.MAX_MONEY_CENTS);

    private static final int LINE = 0;
    private static final int PRODUCT_ID = 1;
    private static final int PRICE = 2;
    private static final int QUANTITY = 3;
    private static final int DISCOUNT = 4;
    private static final String[] ITEM_SUFFIXES = {"", ".product_id", ".price", ".quantity", ".discount"};
    private static final String[][] ITEM_FIELDS = new String[64][];

    static {
        for (int i = 0; i < ITEM_FIELDS.length; i++) {
            ITEM_FIELDS[i] = new String[ITEM_SUFFIXES.length];
            for (int k = 0; k < ITEM_SUFFIXES.length; k++) {
                ITEM_FIELDS[i][k] = "data.items[" + i + "]" + ITEM_SUFFIXES[k];
            }
        }
    }

    private final RulesConfig rules;

    EventChecks(RulesConfig rules) {
        this.rules = rules;
    }

    /**
     * Checks the event, leaving its attributes in {@code out}; returns its first error, or null when it is
     * valid. Never throws.
     *
     * @param attributes reads the profile attributes of {@code data} when the action stores them
     */
    ValidationError check(EventFields f, long nowMs, ProfileAttributes attributes, CheckedEvent out) {
        try {
            event(f, nowMs, attributes, out);
            return null;
        } catch (Invalid invalid) {
            return invalid.error;
        } catch (RuntimeException unexpected) {
            return ValidationError.invalid("event", "could not be read: " + unexpected.getClass().getSimpleName());
        }
    }

    private void event(EventFields f, long nowMs, ProfileAttributes attributes, CheckedEvent out) {
        if (!f.isObject) {
            throw invalid("event", "must be a JSON object");
        }
        String customer = requiredString(f.customer, "customer");
        if (!isCustomerId(customer)) {
            throw invalid("customer", "must be 1-64 characters of [A-Za-z0-9._:@-]");
        }
        String action = requiredString(f.action, "action");
        boolean builtIn = EventValidator.BUILT_IN_ACTIONS.contains(action);
        boolean custom = !builtIn && rules.customAction(action) != null;
        if (!builtIn && !custom) {
            throw new Invalid(new ValidationError("unknown_action", "'action' '" + abbreviate(action)
                    + "' is not a known action"));
        }
        String id = optionalString(f.id, "id");
        if (id != null && (id.isEmpty() || id.length() > MAX_ID_LENGTH)) {
            throw invalid("id", "must be 1-" + MAX_ID_LENGTH + " characters");
        }
        String account = optionalString(f.account, "account");
        if (account == null) {
            account = rules.defaultAccount();
        } else if (rules.accountIndex(account) < 0) {
            throw invalid("account", "'" + abbreviate(account) + "' is not a configured account");
        }
        if (f.data.present()) {
            throw invalid("data", "must be a JSON object");
        }
        long effectiveTimeMs = effectiveTime(f.effectiveTimestamp, nowMs);
        long points = Event.ABSENT;
        String transactionId = null;
        long totalCents = Event.ABSENT;
        boolean hasItems = false;
        long pointsBurned = Event.ABSENT;
        long amountCents = Event.ABSENT;
        String reason = null;
        String attributesJson = null;
        if (custom) {
            reason = optionalText(f.reason, "data.reason", MAX_REASON_LENGTH);
            transactionId = optionalText(f.transactionId, "data.transaction_id", MAX_TEXT_LENGTH);
        } else {
            switch (action) {
                case "opt_in" -> attributesJson = f.dataIsObject ? attributes.read(f) : null;
                case "profile" -> {
                    if (f.points.kind != JsonValue.Kind.ABSENT) {
                        throw invalid("data.points", "is computed and cannot be set");
                    }
                    if (f.tierGiven) {
                        throw invalid("data.tier", "is computed and cannot be set");
                    }
                    attributesJson = f.dataIsObject ? attributes.read(f) : null;
                }
                case "opt_out" -> reason = optionalText(f.reason, "data.reason", MAX_REASON_LENGTH);
                case "point_add", "point_sub" -> {
                    points = requiredPoints(f.points);
                    reason = optionalText(f.reason, "data.reason", MAX_REASON_LENGTH);
                }
                case "point_spend" -> {
                    points = requiredPoints(f.points);
                    transactionId = optionalText(f.transactionId, "data.transaction_id", MAX_TEXT_LENGTH);
                }
                case "checkout" -> {
                    transactionId = requiredText(f.transactionId, "data.transaction_id");
                    if (f.total.present()) {
                        totalCents = money(f.total, "data.total");
                    }
                    if (f.itemsIsArray || f.items.present()) {
                        items(f);
                        hasItems = true;
                        if (eligibleOverflows(f)) {
                            throw invalid("data.items", "add up to more than can be represented");
                        }
                    } else if (!f.total.present()) {
                        throw missing("data.total");
                    }
                    if (f.pointsBurned.present()) {
                        pointsBurned = integer(f.pointsBurned, "data.points_burned", 0);
                    }
                }
                case "partial_refund" -> {
                    transactionId = requiredText(f.transactionId, "data.transaction_id");
                    if (!f.amount.present()) {
                        throw missing("data.amount");
                    }
                    amountCents = money(f.amount, "data.amount");
                    if (amountCents <= 0) {
                        throw invalid("data.amount", "must be greater than 0");
                    }
                }
                case "reserve_points" -> {
                    transactionId = requiredText(f.transactionId, "data.transaction_id");
                    points = requiredPoints(f.points);
                }
                case "point_unspend", "checkout_accept", "checkout_reject", "refund", "release_points" ->
                        transactionId = requiredText(f.transactionId, "data.transaction_id");
                default -> throw new IllegalStateException("unhandled action " + action);
            }
        }
        out.customer = customer;
        out.action = action;
        out.id = id;
        out.account = account;
        out.effectiveTimeMs = effectiveTimeMs;
        out.points = points;
        out.transactionId = transactionId;
        out.totalCents = totalCents;
        out.hasItems = hasItems;
        out.pointsBurned = pointsBurned;
        out.amountCents = amountCents;
        out.reason = reason;
        out.attributesJson = attributesJson;
        out.bodyHash = 0;
    }

    private static boolean eligibleOverflows(EventFields f) {
        long sum = 0;
        for (int i = 0; i < f.itemCount; i++) {
            EventFields.Item item = f.item(i);
            long line = EligibleValue.lineCents(item.priceCents, item.quantityValue, item.discountCents);
            if (line < 0) {
                return true;
            }
            try {
                sum = Math.addExact(sum, line);
            } catch (ArithmeticException overflow) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- fields

    private static String requiredString(JsonValue v, String field) {
        if (!v.present()) {
            throw missing(field);
        }
        if (v.kind != JsonValue.Kind.STRING) {
            throw invalid(field, "must be a string");
        }
        return v.text;
    }

    private static String optionalString(JsonValue v, String field) {
        if (!v.present()) {
            return null;
        }
        if (v.kind != JsonValue.Kind.STRING) {
            throw invalid(field, "must be a string");
        }
        return v.text;
    }

    private static String requiredText(JsonValue v, String field) {
        String s = requiredString(v, field);
        checkText(s, field, MAX_TEXT_LENGTH);
        return s;
    }

    private static String optionalText(JsonValue v, String field, int maxLength) {
        String s = optionalString(v, field);
        if (s != null) {
            checkText(s, field, maxLength);
        }
        return s;
    }

    /** {@code [A-Za-z0-9._:@-]{1,64}}, without a regex matcher per event. */
    private static boolean isCustomerId(String s) {
        int n = s.length();
        if (n == 0 || n > MAX_CUSTOMER_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '@' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** {@code data.items[i]} plus the suffix; the first lines' names are built once, not per event. */
    private static String itemField(int i, int suffix) {
        return i < ITEM_FIELDS.length ? ITEM_FIELDS[i][suffix] : "data.items[" + i + "]" + ITEM_SUFFIXES[suffix];
    }

    private static void checkText(String s, String field, int maxLength) {
        if (s.isEmpty() || s.length() > maxLength) {
            throw invalid(field, "must be 1-" + maxLength + " characters");
        }
    }

    private static long requiredPoints(JsonValue v) {
        if (!v.present()) {
            throw missing("data.points");
        }
        return integer(v, "data.points", 1);
    }

    /** A JSON integer (or a number with no fraction) that fits in a long and is at least {@code min}. */
    private static long integer(JsonValue v, String field, long min) {
        long value;
        if (v.kind == JsonValue.Kind.LONG) {
            value = v.longValue;
        } else if (v.kind == JsonValue.Kind.DECIMAL) {
            BigInteger i;
            try {
                i = bounded(v.decimal(), field).toBigIntegerExact();
            } catch (ArithmeticException fraction) {
                throw invalid(field, "must be an integer");
            }
            if (i.bitLength() > 63) {
                throw invalid(field, "is too large");
            }
            value = i.longValue();
        } else {
            throw invalid(field, "must be an integer");
        }
        if (value < min) {
            throw invalid(field, min == 1 ? "must be greater than 0" : "must be at least " + min);
        }
        return value;
    }

    /** Money: a JSON number, at least 0, at most 2 decimals, in cents. */
    private static long money(JsonValue v, String field) {
        if (v.kind == JsonValue.Kind.LONG) {
            if (v.longValue < 0) {
                throw invalid(field, "must not be negative");
            }
            if (v.longValue > EventValidator.MAX_MONEY_CENTS / 100) {
                throw invalid(field, "is too large");
            }
            return v.longValue * 100;
        }
        if (v.kind != JsonValue.Kind.DECIMAL) {
            throw invalid(field, "must be a number");
        }
        if (v.compact) {
            return compactMoney(v.unscaled, v.scale, field);
        }
        BigDecimal d = bounded(v.decimal, field);
        if (d.signum() < 0) {
            throw invalid(field, "must not be negative");
        }
        BigInteger exact;
        try {
            exact = d.movePointRight(2).toBigIntegerExact();
        } catch (ArithmeticException tooPrecise) {
            throw invalid(field, "must have at most 2 decimals");
        }
        if (exact.compareTo(MAX_MONEY) > 0) {
            throw invalid(field, "is too large");
        }
        return exact.longValue();
    }

    /**
     * {@link #money} of a stripped plain decimal of at most 18 digits, with the same checks in the same
     * order (its magnitude is within {@code bounded}'s limits by construction).
     */
    private static long compactMoney(long unscaled, int scale, String field) {
        if (unscaled < 0) {
            throw invalid(field, "must not be negative");
        }
        if (scale > 2) {
            throw invalid(field, "must have at most 2 decimals");
        }
        long cents = unscaled;
        for (int s = scale; s < 2; s++) {
            if (cents > EventValidator.MAX_MONEY_CENTS / 10) {
                throw invalid(field, "is too large");
            }
            cents *= 10;
        }
        if (cents > EventValidator.MAX_MONEY_CENTS) {
            throw invalid(field, "is too large");
        }
        return cents;
    }

    /** Checks the checkout lines, keeping each one's values in its slot of {@code f}. */
    private static void items(EventFields f) {
        if (!f.itemsIsArray) {
            throw invalid("data.items", "must be an array");
        }
        if (f.itemCount == 0) {
            throw invalid("data.items", "must not be empty");
        }
        for (int i = 0; i < f.itemCount; i++) {
            EventFields.Item item = f.item(i);
            if (!item.isObject) {
                throw invalid(itemField(i, LINE), "must be an object");
            }
            String productId = requiredString(item.productId, itemField(i, PRODUCT_ID));
            checkText(productId, itemField(i, PRODUCT_ID), MAX_TEXT_LENGTH);
            if (!item.price.present()) {
                throw missing(itemField(i, PRICE));
            }
            long priceCents = money(item.price, itemField(i, PRICE));
            if (!item.quantity.present()) {
                throw missing(itemField(i, QUANTITY));
            }
            long qty = integer(item.quantity, itemField(i, QUANTITY), 1);
            long discountCents = item.discount.present() ? money(item.discount, itemField(i, DISCOUNT)) : 0;
            if (EligibleValue.lineCents(priceCents, qty, discountCents) < 0) {
                throw invalid(itemField(i, LINE), "price x quantity - discount must not be negative");
            }
            item.productIdText = productId;
            item.priceCents = priceCents;
            item.quantityValue = qty;
            item.discountCents = discountCents;
        }
    }

    private long effectiveTime(JsonValue v, long nowMs) {
        if (!v.present()) {
            return Event.ABSENT;
        }
        String field = "data.effective_timestamp";
        long ms;
        if (v.isNumber()) {
            ms = secondsToMs(bounded(v.decimalValue(), field), field);
        } else if (v.kind == JsonValue.Kind.STRING) {
            ms = parseIsoMs(v.text, field);
        } else {
            throw invalid(field, "must be an ISO-8601 string or unix seconds");
        }
        return withinWindow(ms, nowMs, rules, field);
    }


    /** Reads the stored profile attributes of an event whose {@code data} is an object. */
    @FunctionalInterface
    interface ProfileAttributes {
        /** Compact JSON of {@code data} without {@code effective_timestamp}, or null when nothing is left. */
        String read(EventFields f);
    }
}
