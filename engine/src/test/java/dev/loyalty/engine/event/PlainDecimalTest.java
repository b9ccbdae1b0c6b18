package dev.loyalty.engine.event;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plain decimals read without {@link BigDecimal}: the same value as Jackson's {@code BigDecimal} of the text,
 * the same canonical text as {@code stripTrailingZeros().toString()}, and left to Jackson when not plain.
 */
class PlainDecimalTest {

    private static JsonValue read(String text) {
        JsonValue v = new JsonValue();
        assertThat(PlainDecimal.read(("  " + text).toCharArray(), 2, text.length(), v)).as(text).isTrue();
        return v;
    }

    private static String canonical(JsonValue v) {
        CanonicalJson c = new CanonicalJson();
        c.number(v.unscaled, v.scale);
        return c.text();
    }

    private static String expectedCanonical(String text) {
        BigDecimal d = new BigDecimal(text);
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toString();
    }

    private static void same(String text) {
        JsonValue v = read(text);
        BigDecimal jackson = new BigDecimal(text);
        assertThat(v.kind).isEqualTo(JsonValue.Kind.DECIMAL);
        assertThat(v.decimal().compareTo(jackson)).as(text).isZero();
        assertThat(v.decimal()).as(text).isEqualTo(jackson.signum() == 0 ? BigDecimal.ZERO : jackson.stripTrailingZeros());
        assertThat(canonical(v)).as(text).isEqualTo(expectedCanonical(text));
    }

    @Test
    void shouldReadPricesAndEdgeSpellingsAsBigDecimalDoes() {
        for (String text : new String[] {"19.99", "45.50", "5.00", "0.05", "-0.50", "0.0", "-0.0", "100.0", "1000.000",
                "0.000001", "0.0000001", "0.00000012300", "-12.340", "123456789012345.678", "99999999999999999.0",
                "10.10", "7.0", "0.1"}) {
            same(text);
        }
    }

    @Test
    void shouldMatchBigDecimalOnRandomPlainDecimals() {
        SplittableRandom random = new SplittableRandom(12);
        for (int n = 0; n < 20_000; n++) {
            int intDigits = 1 + random.nextInt(9);
            int fractionDigits = 1 + random.nextInt(18 - intDigits); // at most 18 digits in all
            StringBuilder text = new StringBuilder();
            if (random.nextBoolean()) {
                text.append('-');
            }
            if (random.nextInt(4) == 0) {
                text.append('0'); // JSON: a zero integer part is the only one starting with 0
            } else {
                text.append((char) ('1' + random.nextInt(9)));
                for (int i = 1; i < intDigits; i++) {
                    text.append((char) ('0' + random.nextInt(10)));
                }
            }
            text.append('.');
            for (int i = 0; i < fractionDigits; i++) {
                text.append(random.nextInt(3) == 0 ? '0' : (char) ('0' + random.nextInt(10)));
            }
            String t = text.toString();
            same(t);
        }
    }

    @Test
    void shouldLeaveExponentsAndLongNumbersToJackson() {
        JsonValue v = new JsonValue();
        for (String text : new String[] {"1e5", "1.5E-3", "12345678901234567.89", "-0.1234567890123456789"}) {
            assertThat(PlainDecimal.read(text.toCharArray(), 0, text.length(), v)).as(text).isFalse();
        }
        assertThat(v.kind).isEqualTo(JsonValue.Kind.ABSENT);
    }
}
