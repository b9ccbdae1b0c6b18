package dev.loyalty.engine.processor;

import dev.loyalty.engine.rules.RuleError;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(300)
class ProcessorMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong nowMs = new AtomicLong(10_000);
    private final ProcessorMetrics metrics = new ProcessorMetrics(registry, 2, nowMs::get);

    private static final RuleError NONE = null;

    private double processed(String action, String outcome, String code) {
        return registry.get("loyalty_events_processed").tags("action", action, "outcome", outcome, "code", code)
                .counter().count();
    }

    @Test
    void shouldCountOutcomesByActionOutcomeAndCodeAtTheBatchsFlush() {
        metrics.applied(0, "opt_in", NONE);
        metrics.applied(0, "opt_in", NONE);
        metrics.applied(0, "point_spend", RuleError.conflict("insufficient_points", "no"));
        metrics.applied(1, "point_spend", RuleError.conflict("insufficient_points", "no"));
        metrics.applied(0, "point_spend", RuleError.conflict("customer_opted_out", "no"));
        metrics.applied(1, "point_spend", NONE);
        assertThat(processed("opt_in", "applied", "none")).as("counted at the batch's flush").isZero();

        metrics.flush(0);
        assertThat(processed("opt_in", "applied", "none")).isEqualTo(2);
        assertThat(processed("point_spend", "rejected", "insufficient_points")).as("partition 1 not flushed yet")
                .isEqualTo(1);
        metrics.flush(1);
        metrics.flush(1);
        assertThat(processed("point_spend", "rejected", "insufficient_points")).isEqualTo(2);
        assertThat(processed("point_spend", "rejected", "customer_opted_out")).isEqualTo(1);
        assertThat(processed("point_spend", "applied", "none")).isEqualTo(1);
        assertThat(registry.find("loyalty_events_processed").counters()).hasSize(4);
    }

    /** Random events on two partitions, flushed at random batch ends: the counters equal the per-event sums. */
    @Test
    void shouldMatchPerEventCountsWhateverTheBatches() {
        String[] actions = {"opt_in", "checkout", "point_spend", "point_add"};
        String[] codes = {null, null, null, "insufficient_points", "customer_not_found"};
        Map<List<String>, Long> expected = new HashMap<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            int partition = random.nextInt(2);
            // new String: the tally must not rely on action strings being the same instances
            String action = random.nextInt(10) == 0 ? new String(actions[random.nextInt(actions.length)])
                    : actions[random.nextInt(actions.length)];
            String code = codes[random.nextInt(codes.length)];
            metrics.applied(partition, action, code == null ? NONE : RuleError.conflict(code, "no"));
            expected.merge(List.of(action, code == null ? "applied" : "rejected", code == null ? "none" : code), 1L,
                    Long::sum);
            if (random.nextInt(50) == 0) {
                metrics.flush(random.nextInt(2));
            }
        }
        metrics.flush(0);
        metrics.flush(1);
        for (Map.Entry<List<String>, Long> e : expected.entrySet()) {
            List<String> k = e.getKey();
            assertThat(processed(k.get(0), k.get(1), k.get(2))).as(k.toString()).isEqualTo(e.getValue().doubleValue());
        }
        assertThat(registry.find("loyalty_events_processed").counters()).hasSize(expected.size());
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
