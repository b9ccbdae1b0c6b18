package dev.loyalty.engine.event;

/**
 * Reads a JSON number without an exponent and with at most 18 digits ({@code 19.99}, {@code -0.050}) as an
 * unscaled long and a scale, trailing zeros stripped as {@link java.math.BigDecimal#stripTrailingZeros} does:
 * the same value as Jackson's {@code BigDecimal}, without making one. Anything else is left to Jackson.
 */
final class PlainDecimal {

    /** 18 digits always fit a long. */
    private static final int MAX_DIGITS = 18;

    private PlainDecimal() {
    }

    /**
     * Reads {@code text[offset, offset + length)}, a valid JSON number, into {@code into} and returns true;
     * false (and {@code into} untouched) when it has an exponent or more than {@value #MAX_DIGITS} digits.
     */
    static boolean read(char[] text, int offset, int length, JsonValue into) {
        int i = offset;
        int end = offset + length;
        boolean negative = i < end && text[i] == '-';
        if (negative) {
            i++;
        }
        long unscaled = 0;
        int digits = 0;
        int scale = 0;
        boolean fraction = false;
        for (; i < end; i++) {
            char c = text[i];
            if (c == '.') {
                fraction = true;
            } else if (c >= '0' && c <= '9') {
                if (++digits > MAX_DIGITS) {
                    return false;
                }
                unscaled = unscaled * 10 + (c - '0');
                if (fraction) {
                    scale++;
                }
            } else {
                return false; // an exponent
            }
        }
        if (unscaled == 0) {
            into.compactDecimal(0, 0); // BigDecimal's zero strips to scale 0 whatever its sign or scale
            return true;
        }
        while (unscaled % 10 == 0) {
            unscaled /= 10;
            scale--;
        }
        into.compactDecimal(negative ? -unscaled : unscaled, scale);
        return true;
    }
}
