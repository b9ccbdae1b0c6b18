package dev.loyalty.engine.whatif;

import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.stats.PartitionStats;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Programme figures at one moment, summed over partitions, named by the rules in force then (the same
 * figures as {@code GET /stats}).
 *
 * @param activeMembers active customers per window in days, in configured order
 */
public record Figures(long clockMs, long eventsApplied, long membersTotal, long membersActive, long membersOptedOut,
                      Map<String, Long> tiers, Map<String, Long> liability, Map<Integer, Long> activeMembers) {

    /** Sums partition snapshots (all taken at the same journal place) under those rules. */
    public static Figures sum(List<PartitionStats.Snapshot> parts, RulesConfig rules, int[] windowsDays) {
        long clock = Long.MIN_VALUE;
        long applied = 0;
        long total = 0;
        long active = 0;
        long optedOut = 0;
        long[] tiers = new long[rules.tiers().levels().size()];
        long[] liability = new long[rules.accounts().size()];
        long[] byWindow = new long[windowsDays.length];
        for (PartitionStats.Snapshot s : parts) {
            clock = Math.max(clock, s.clockMs());
            applied += s.eventsApplied();
            total += s.membersTotal();
            active += s.membersActive();
            optedOut += s.membersOptedOut();
            for (int i = 0; i < tiers.length && i < s.tiers().length; i++) {
                tiers[i] += s.tiers()[i];
            }
            for (int i = 0; i < liability.length && i < s.liability().length; i++) {
                liability[i] += s.liability()[i];
            }
            for (int i = 0; i < byWindow.length && i < s.activeByWindow().length; i++) {
                byWindow[i] += s.activeByWindow()[i];
            }
        }
        Map<String, Long> tierMap = new LinkedHashMap<>();
        for (int i = 0; i < tiers.length; i++) {
            tierMap.put(rules.tiers().levels().get(i).name(), tiers[i]);
        }
        Map<String, Long> liabilityMap = new LinkedHashMap<>();
        for (int i = 0; i < liability.length; i++) {
            liabilityMap.put(rules.accounts().get(i).name(), liability[i]);
        }
        Map<Integer, Long> activeMap = new LinkedHashMap<>();
        for (int i = 0; i < windowsDays.length; i++) {
            activeMap.put(windowsDays[i], byWindow[i]);
        }
        return new Figures(clock, applied, total, active, optedOut, tierMap, liabilityMap, activeMap);
    }

    /** Liability over all accounts. */
    public long totalLiability() {
        return liability.values().stream().mapToLong(Long::longValue).sum();
    }
}
