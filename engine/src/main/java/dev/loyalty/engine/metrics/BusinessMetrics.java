package dev.loyalty.engine.metrics;

import dev.loyalty.engine.LoyaltyEngine.ProgramStats;
import dev.loyalty.engine.config.RulesConfig;
import io.micrometer.core.instrument.Gauge;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Business gauges, the figures of {@code GET /stats}: members by status, active members per window, members
 * per tier, liability per account, points expiring per window and account. Read from the statistics the processors publish per committed batch
 * (never by scanning customers); one scrape reads them once, however many gauges it evaluates.
 */
final class BusinessMetrics {
    /** Gauges of one scrape share one statistics read; a new scrape reads again. */
    static final long REUSE_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Supplier<ProgramStats> stats;
    private final LongSupplier nanoClock;
    private ProgramStats last;
    private long lastReadNs;

    /**
     * @param windowsDays         the configured active windows (stats.active-windows)
     * @param expiringWindowsDays the configured expiring windows (stats.expiring-windows)
     * @param rules               the rules in force at start: tier and account names
     */
    BusinessMetrics(MeterSet meters, Supplier<ProgramStats> stats, LongSupplier nanoClock, List<Integer> windowsDays,
                    List<Integer> expiringWindowsDays, RulesConfig rules) {
        this.stats = stats;
        this.nanoClock = nanoClock;
        gauge(meters, "loyalty_members", "status", "active",
                "Members by status (opted-out members count in nothing else)", ProgramStats::membersActive);
        gauge(meters, "loyalty_members", "status", "opted_out",
                "Members by status (opted-out members count in nothing else)", ProgramStats::membersOptedOut);
        for (Integer days : windowsDays) {
            gauge(meters, "loyalty_active_members", "window", days + "d",
                    "Active members whose last activity is within the window (stats.active-windows)",
                    s -> valueOf(s.activeMembers(), days));
        }
        for (RulesConfig.Tier tier : rules.tiers().levels()) {
            gauge(meters, "loyalty_tier_members", "tier", tier.name(), "Active members per tier",
                    s -> valueOf(s.tiers(), tier.name()));
        }
        for (RulesConfig.AccountRules account : rules.accounts()) {
            gauge(meters, "loyalty_liability_points", "account", account.name(),
                    "Points liability: the sum of every member's balance in the account",
                    s -> valueOf(s.liability(), account.name()));
        }
        for (Integer days : expiringWindowsDays) {
            for (RulesConfig.AccountRules account : rules.accounts()) {
                meters.add(Gauge.builder("loyalty_expiring_points", this,
                                m -> valueOf(m.current().expiring().getOrDefault(days, Map.of()), account.name()))
                        .description("Points of lots expiring within the window, per account (stats.expiring-windows)")
                        .tag("window", days + "d")
                        .tag("account", account.name())
                        .strongReference(true)
                        .register(meters.registry()));
            }
        }
    }

    private static <K> long valueOf(Map<K, Long> map, K key) {
        Long v = map.get(key);
        return v == null ? 0 : v;
    }

    private void gauge(MeterSet meters, String name, String tag, String value, String description,
                       ToLongFunction<ProgramStats> figure) {
        meters.add(Gauge.builder(name, this, m -> figure.applyAsLong(m.current()))
                .description(description)
                .tag(tag, value)
                .strongReference(true)
                .register(meters.registry()));
    }

    /** The statistics of this scrape. */
    synchronized ProgramStats current() {
        long now = nanoClock.getAsLong();
        if (last == null || now - lastReadNs > REUSE_NS) {
            last = stats.get();
            lastReadNs = now;
        }
        return last;
    }
}
