package dev.loyalty.engine.metrics;

import dev.loyalty.engine.LoyaltyEngine.ProgramStats;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.RulesConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class BusinessMetricsTest {
    private static final RulesConfig RULES = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of())
            .rules();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicInteger reads = new AtomicInteger();

    private ProgramStats stats() {
        reads.incrementAndGet();
        return new ProgramStats(0, 10, 12, 10, 2, Map.of(30, 4L, 90, 7L, 365, 10L),
                Map.of("bronze", 8L, "silver", 2L), Map.of("points", 1500L, "bonus", 50L),
                Map.of(30, Map.of("points", 300L, "bonus", 5L), 90, Map.of("points", 700L)));
    }

    private double gauge(String name, String tag, String value) {
        return registry.get(name).tag(tag, value).gauge().value();
    }

    @Test
    void shouldExposeTheStatisticsAsGauges() {
        new BusinessMetrics(new MeterSet(registry), this::stats, nanos::get, List.of(30, 90, 365), List.of(30, 90),
                RULES);

        assertThat(gauge("loyalty_members", "status", "active")).isEqualTo(10);
        assertThat(gauge("loyalty_members", "status", "opted_out")).isEqualTo(2);
        assertThat(gauge("loyalty_active_members", "window", "30d")).isEqualTo(4);
        assertThat(gauge("loyalty_active_members", "window", "365d")).isEqualTo(10);
        assertThat(gauge("loyalty_tier_members", "tier", "silver")).isEqualTo(2);
        assertThat(gauge("loyalty_tier_members", "tier", "gold")).as("a tier nobody holds").isZero();
        assertThat(gauge("loyalty_liability_points", "account", "points")).isEqualTo(1500);
        assertThat(gauge("loyalty_liability_points", "account", "bonus")).isEqualTo(50);
        assertThat(registry.get("loyalty_expiring_points").tag("window", "30d").tag("account", "points").gauge()
                .value()).isEqualTo(300);
        assertThat(registry.get("loyalty_expiring_points").tag("window", "90d").tag("account", "bonus").gauge()
                .value()).as("an account the figures lack").isZero();
    }

    @Test
    void shouldReadTheStatisticsOncePerScrape() {
        new BusinessMetrics(new MeterSet(registry), this::stats, nanos::get, List.of(30), List.of(30), RULES);

        registry.getMeters().forEach(m -> m.measure().forEach(x -> x.getValue()));
        assertThat(reads.get()).isEqualTo(1);
        nanos.addAndGet(BusinessMetrics.REUSE_NS + 1);
        registry.getMeters().forEach(m -> m.measure().forEach(x -> x.getValue()));
        assertThat(reads.get()).isEqualTo(2);
    }
}
