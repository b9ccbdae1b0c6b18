package dev.loyalty.engine.metrics;

import dev.loyalty.engine.stats.PartitionStats;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PartitionMetricsTest {

    private static PartitionStats.Snapshot appliedUpTo(long clockMs) {
        return new PartitionStats.Snapshot(clockMs, 0, 0, 0, 0, new long[0], new long[0], new long[0],
                new long[0][0]);
    }

    @Test
    void shouldReportNoLagSecondsWhenCaughtUp() {
        assertThat(PartitionMetrics.lagSeconds(0, 100_000, appliedUpTo(1_000), 0)).isZero();
    }

    @Test
    void shouldMeasureLagFromTheNewestAppliedRecord() {
        assertThat(PartitionMetrics.lagSeconds(5, 100_000, appliedUpTo(97_500), 0)).isEqualTo(2.5);
    }

    @Test
    void shouldCountFromTheEngineStartBeforeThePartitionReadAnything() {
        assertThat(PartitionMetrics.lagSeconds(5, 100_000, appliedUpTo(0), 90_000)).isEqualTo(10);
        assertThat(PartitionMetrics.lagSeconds(5, 100_000, null, 90_000)).isEqualTo(10);
    }

    @Test
    void shouldNeverBeNegative() {
        assertThat(PartitionMetrics.lagSeconds(5, 100_000, appliedUpTo(100_500), 0)).isZero();
    }
}
