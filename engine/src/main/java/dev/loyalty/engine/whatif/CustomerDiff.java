package dev.loyalty.engine.whatif;

import java.util.Map;

/**
 * A customer whose balances or tier differ between baseline and scenario (balances per account name; an
 * account missing on one side counts 0 there; tier "" when the customer is unknown on that side).
 */
public record CustomerDiff(String customer, Map<String, Long> baselineBalances, String baselineTier,
                           Map<String, Long> scenarioBalances, String scenarioTier) {

    /** Scenario total balance minus baseline total balance. */
    public long totalDifference() {
        return total(scenarioBalances) - total(baselineBalances);
    }

    private static long total(Map<String, Long> balances) {
        long t = 0;
        for (long v : balances.values()) {
            t += v;
        }
        return t;
    }
}
