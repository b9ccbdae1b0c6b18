package dev.loyalty.engine.event;

import java.math.BigDecimal;

/**
 * One field of a streamed event as the checks need it: absent, JSON null, a string, an integer that fits a
 * long, any other number (exact decimal), or something else (boolean, object, array). Reused; not thread-safe.
 */
final class JsonValue {

    enum Kind { ABSENT, NULL, STRING, LONG, DECIMAL, OTHER }

    Kind kind = Kind.ABSENT;
    String text;
    long longValue;
    /** A {@link Kind#DECIMAL} read by Jackson; null for a {@link #compact} one until {@link #decimal()} makes it. */
    BigDecimal decimal;
    /**
     * A {@link Kind#DECIMAL} held as {@link #unscaled} × 10^-{@link #scale}, trailing zeros stripped (a plain
     * decimal of at most 18 digits: nearly every price), so the checks need no {@link BigDecimal} for it.
     */
    boolean compact;
    long unscaled;
    int scale;

    void clear() {
        kind = Kind.ABSENT;
        text = null;
        decimal = null;
        compact = false;
    }

    /** Holds a plain decimal read by {@link PlainDecimal}, unscaled and scale already stripped. */
    void compactDecimal(long unscaledValue, int scaleValue) {
        kind = Kind.DECIMAL;
        decimal = null;
        compact = true;
        unscaled = unscaledValue;
        scale = scaleValue;
    }

    /** The exact value of a {@link Kind#DECIMAL}: Jackson's, or made once from the compact form. */
    BigDecimal decimal() {
        if (decimal == null && compact) {
            decimal = BigDecimal.valueOf(unscaled, scale);
        }
        return decimal;
    }

    /** Present and not JSON null: the validator's "present". */
    boolean present() {
        return kind != Kind.ABSENT && kind != Kind.NULL;
    }

    boolean isNumber() {
        return kind == Kind.LONG || kind == Kind.DECIMAL;
    }

    /** The exact value of a number. */
    BigDecimal decimalValue() {
        return kind == Kind.LONG ? BigDecimal.valueOf(longValue) : decimal();
    }
}
