package dev.loyalty.engine.processor;

import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.RuleError;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(300)
class ProcessorMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong nowMs = new AtomicLong(10_000);
    private final ProcessorMetrics metrics = new ProcessorMetrics(registry, 2, nowMs::get);

    private static EventOutcome applied() {
        return new EventOutcome(1, "c", null, List.of());
    }

    private static EventOutcome rejected(String code) {
        return new EventOutcome(1, "c", RuleError.conflict(code, "no"), List.of());
    }

    private double processed(String action, String outcome, String code) {
        return registry.get("loyalty_events_processed").tags("action", action, "outcome", outcome, "code", code)
                .counter().count();
    }

    @Test
    void shouldCountOutcomesByActionOutcomeAndCode() {
        metrics.applied("opt_in", applied());
        metrics.applied("opt_in", applied());
        metrics.applied("point_spend", rejected("insufficient_points"));
        metrics.applied("point_spend", rejected("insufficient_points"));
        metrics.applied("point_spend", rejected("customer_opted_out"));
        metrics.applied("point_spend", applied());

        assertThat(processed("opt_in", "applied", "none")).isEqualTo(2);
        assertThat(processed("point_spend", "rejected", "insufficient_points")).isEqualTo(2);
        assertThat(processed("point_spend", "rejected", "customer_opted_out")).isEqualTo(1);
        assertThat(processed("point_spend", "applied", "none")).isEqualTo(1);
        assertThat(registry.find("loyalty_events_processed").counters()).hasSize(4);
    }

    @Test
    void shouldRecordApplyLatencyOfTheOldestEventOfEachBatchWithEvents() {
        metrics.batch(1, 3, 2, 1_000_000, 9_750);
        metrics.batch(1, 1, 0, 1_000, 0);

        Timer latency = registry.get("loyalty_processor_apply_latency").tag("partition", "1").timer();
        assertThat(latency.count()).as("a batch without events of the partition has no latency").isEqualTo(1);
        assertThat(latency.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(250);
        assertThat(registry.get("loyalty_processor_batch_records").tag("partition", "1").summary().totalAmount())
                .isEqualTo(4);
        assertThat(registry.get("loyalty_processor_batch_events").tag("partition", "1").summary().totalAmount())
                .isEqualTo(2);
        assertThat(registry.get("loyalty_processor_batch").tag("partition", "0").timer().count()).isZero();
    }

    @Test
    void shouldNeverRecordANegativeLatencyWhenTheIngestClockIsAhead() {
        metrics.batch(0, 1, 1, 1_000, nowMs.get() + 5_000);

        Timer latency = registry.get("loyalty_processor_apply_latency").tag("partition", "0").timer();
        assertThat(latency.count()).isEqualTo(1);
        assertThat(latency.totalTime(TimeUnit.MILLISECONDS)).isZero();
    }
}
