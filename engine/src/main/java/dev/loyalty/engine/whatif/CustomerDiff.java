package dev.loyalty.engine.whatif;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A customer whose balances or tier differ between baseline and scenario. Compact, since a rule change may
 * touch every customer of a large programme: balances are arrays in the order of {@code accounts} (the
 * accounts of both sides, one list shared by many diffs; an account missing on one side counts 0 there);
 * tier "" when the customer is unknown on that side. The arrays are owned by the diff: do not modify them.
 */
public record CustomerDiff(String customer, List<String> accounts, long[] baseline, String baselineTier,
                           long[] scenario, String scenarioTier) {

    /** Scenario total balance minus baseline total balance. */
    public long totalDifference() {
        return total(scenario) - total(baseline);
    }

    /** Baseline total balance over all accounts. */
    public long baselineTotal() {
        return total(baseline);
    }

    /** Balance per account name on the baseline side. */
    public Map<String, Long> baselineBalances() {
        return byName(baseline);
    }

    /** Balance per account name on the scenario side. */
    public Map<String, Long> scenarioBalances() {
        return byName(scenario);
    }

    private Map<String, Long> byName(long[] balances) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < accounts.size(); i++) {
            m.put(accounts.get(i), balances[i]);
        }
        return m;
    }

    private static long total(long[] balances) {
        long t = 0;
        for (long v : balances) {
            t += v;
        }
        return t;
    }
}
