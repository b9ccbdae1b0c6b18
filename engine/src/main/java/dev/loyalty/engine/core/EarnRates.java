package dev.loyalty.engine.core;

import dev.loyalty.engine.config.RulesConfig;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;

/**
 * Checkout points per tier, floor(eligible cents × earn rate × tier multiplier / 100), in exact long arithmetic:
 * each tier's rate × multiplier is the rational {@code numerator / denominator} (its unscaled decimal value over
 * 10^(scale + 2)), and floor division of the exact 128-bit-checked product is the BigDecimal FLOOR result. When
 * the product does not fit a long, or a tier's rational does not, the BigDecimal formula of today's rules runs
 * instead (allocating, but only for sums no shop sends).
 */
final class EarnRates {

    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private final BigDecimal earnRate;
    private final BigDecimal[] multipliers;
    private final long[] numerator;
    /** 0 when the tier's rational does not fit: always the BigDecimal path. */
    private final long[] denominator;

    EarnRates(RulesConfig config) {
        earnRate = config.earnRate();
        List<RulesConfig.Tier> levels = config.tiers().levels();
        multipliers = new BigDecimal[levels.size()];
        numerator = new long[levels.size()];
        denominator = new long[levels.size()];
        for (int i = 0; i < levels.size(); i++) {
            multipliers[i] = levels.get(i).multiplier();
            BigDecimal rate = earnRate.multiply(multipliers[i]);
            if (rate.scale() < 0) {
                rate = rate.setScale(0);
            }
            BigInteger unscaled = rate.unscaledValue();
            if (unscaled.bitLength() < 63 && rate.scale() + 2 <= 18) {
                numerator[i] = unscaled.longValue();
                denominator[i] = BigInteger.TEN.pow(rate.scale() + 2).longValueExact();
            }
        }
    }

    /** Points a checkout of that eligible value earns at that tier (index clamped to the ladder). */
    long points(long eligibleCents, int tierIndex) {
        int tier = Math.min(tierIndex, multipliers.length - 1);
        long den = denominator[tier];
        if (den != 0) {
            long num = numerator[tier];
            long high = Math.multiplyHigh(eligibleCents, num);
            long low = eligibleCents * num;
            if ((high == 0 && low >= 0) || (high == -1 && low < 0)) {
                long points = Math.floorDiv(low, den);
                return points <= 0 ? 0 : points;
            }
        }
        return exact(eligibleCents, multipliers[tier]);
    }

    /** Today's formula, for the products that do not fit a long. */
    long exact(long eligibleCents, BigDecimal multiplier) {
        BigDecimal points = BigDecimal.valueOf(eligibleCents).multiply(earnRate).multiply(multiplier)
                .movePointLeft(2).setScale(0, RoundingMode.FLOOR);
        if (points.signum() <= 0) {
            return 0;
        }
        return points.compareTo(LONG_MAX) > 0 ? Long.MAX_VALUE : points.longValueExact();
    }
}
