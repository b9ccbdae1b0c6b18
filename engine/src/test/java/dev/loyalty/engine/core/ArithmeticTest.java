package dev.loyalty.engine.core;

import dev.loyalty.engine.config.ExpiryPolicy;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.config.RulesConfig.AccountRules;
import dev.loyalty.engine.config.RulesConfig.Tier;
import dev.loyalty.engine.config.RulesConfig.TierRules;
import dev.loyalty.engine.rules.Expiry;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The long arithmetic of the core against today's formulas: checkout points against BigDecimal FLOOR over the
 * whole long range and rates of any scale, calendar expiry against java.time, proportions against BigInteger.
 */
class ArithmeticTest {

    @Provide
    Arbitrary<Long> eligible() {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, 10_000_000),
                Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.of(0L, 1L, 99L, 100L, Long.MAX_VALUE,
                        Long.MAX_VALUE / 2, Long.MAX_VALUE / 3));
    }

    @Provide
    Arbitrary<BigDecimal> rate() {
        return Arbitraries.oneOf(
                Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("100")).ofScale(3),
                Arbitraries.bigDecimals().between(BigDecimal.ZERO, BigDecimal.TEN).ofScale(19),
                Arbitraries.of(new BigDecimal("1"), new BigDecimal("0.7"), new BigDecimal("1E+3"),
                        new BigDecimal("1.25"), new BigDecimal("0.0000000000000001"), new BigDecimal("-0.5")));
    }

    @Property(tries = 2000)
    void shouldEarnExactlyWhatBigDecimalFloorGives(@ForAll("eligible") long eligible, @ForAll("rate") BigDecimal rate,
                                                    @ForAll("rate") BigDecimal multiplier) {
        EarnRates rates = new EarnRates(config(rate, multiplier));
        BigDecimal exact = BigDecimal.valueOf(eligible).multiply(rate).multiply(multiplier).movePointLeft(2)
                .setScale(0, RoundingMode.FLOOR);
        long expected = exact.signum() <= 0 ? 0
                : exact.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0 ? Long.MAX_VALUE : exact.longValueExact();
        assertThat(rates.points(eligible, 1)).isEqualTo(expected);
        assertThat(rates.points(eligible, 7)).as("tier index past the ladder: the top tier").isEqualTo(expected);
    }

    @Property(tries = 2000)
    void shouldPutCalendarExpiryWhereJavaTimePutsIt(@ForAll @LongRange(min = -5_000_000_000_000L,
            max = 50_000_000_000_000L) long eventTimeMs, @ForAll @IntRange(min = -1, max = 14) int month,
                                                   @ForAll @IntRange(min = -1, max = 33) int day) {
        int year = Instant.ofEpochMilli(eventTimeMs).atZone(ZoneOffset.UTC).getYear() + 1;
        int m = Math.max(1, Math.min(12, month));
        LocalDate first = LocalDate.of(year, m, 1);
        int d = Math.max(1, Math.min(first.lengthOfMonth(), day));
        long expected = first.withDayOfMonth(d).toEpochDay() * Expiry.DAY_MS + Expiry.DAY_MS - 1;
        assertThat(Expiry.calendar(eventTimeMs, month, day)).isEqualTo(expected);
        assertThat(Expiry.expiryMs(new AccountRules("a", ExpiryPolicy.CALENDAR, 0, month, day), eventTimeMs,
                Long.MIN_VALUE)).isEqualTo(expected);
    }

    @Property(tries = 1000)
    void shouldAddDaysSaturatingLikeExactArithmetic(@ForAll long timeMs, @ForAll long days) {
        long expected;
        try {
            expected = Math.addExact(timeMs, Math.multiplyExact(days, Expiry.DAY_MS));
        } catch (ArithmeticException overflow) {
            expected = days >= 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        assertThat(Expiry.plusDays(timeMs, days)).isEqualTo(expected);
    }

    @Property(tries = 1000)
    void shouldTakeProportionsExactly(@ForAll("eligible") long points, @ForAll("eligible") long part,
                                      @ForAll("eligible") long whole) {
        long w = Math.max(1, whole);
        long expected = BigInteger.valueOf(points).multiply(BigInteger.valueOf(part)).divide(BigInteger.valueOf(w))
                .longValue();
        assertThat(CoreRules.proportion(points, part, w)).isEqualTo(expected);
    }

    private static RulesConfig config(BigDecimal rate, BigDecimal multiplier) {
        return new RulesConfig("points", List.of(new AccountRules("points", ExpiryPolicy.NONE, 0, 12, 31)), 1095,
                300, rate, 0, new TierRules("points", 365, 365, List.of(new Tier("a", 0, BigDecimal.ONE),
                new Tier("b", 10, multiplier))), List.of(), List.of());
    }
}
