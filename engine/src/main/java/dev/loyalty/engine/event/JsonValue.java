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
    BigDecimal decimal;

    void clear() {
        kind = Kind.ABSENT;
        text = null;
        decimal = null;
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
        return kind == Kind.LONG ? BigDecimal.valueOf(longValue) : decimal;
    }
}
