package dev.loyalty.engine.whatif;

import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.stats.PartitionStats;

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

    /** No expiring forecast: the what-if figures leave it out. */
    private static final int[] NO_WINDOWS = {};

    /** Sums partition snapshots (all taken at the same journal place) under those rules. */
    public static Figures sum(List<PartitionStats.Snapshot> parts, RulesConfig rules, int[] windowsDays) {
        LoyaltyEngine.ProgramStats total = LoyaltyEngine.ProgramStats.sum(parts, rules, windowsDays, NO_WINDOWS);
        long clock = Long.MIN_VALUE;
        for (PartitionStats.Snapshot s : parts) {
            clock = Math.max(clock, s.clockMs());
        }
        return new Figures(clock, total.eventsApplied(), total.membersTotal(), total.membersActive(),
                total.membersOptedOut(), total.tiers(), total.liability(), total.activeMembers());
    }

    /** Liability over all accounts. */
    public long totalLiability() {
        return liability.values().stream().mapToLong(Long::longValue).sum();
    }
}
