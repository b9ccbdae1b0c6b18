package dev.loyalty.engine.metrics;

import dev.loyalty.engine.journal.Journal;
import dev.loyalty.engine.processor.PartitionProcessor;
import dev.loyalty.engine.stats.PartitionStats;
import io.micrometer.core.instrument.Gauge;

import java.util.List;

/**
 * Per-partition position gauges: the seq applied, the lag behind the journal in records and in seconds.
 * Read at scrape time from volatile fields the processors publish once per committed batch.
 */
final class PartitionMetrics {
    private final Journal journal;
    private final long startIngestMs;

    /** {@code processors} by partition, read at scrape time; null where this node does not serve it (NaN). */
    PartitionMetrics(MeterSet meters, Journal journal, List<PartitionProcessor> processors) {
        this.journal = journal;
        this.startIngestMs = journal.clock().peekMs();
        for (int i = 0; i < processors.size(); i++) {
            int partition = i;
            String tag = Integer.toString(i);
            meters.add(Gauge.builder("loyalty_partition_applied_seq",
                            () -> read(processors.get(partition), PartitionProcessor::appliedSeq))
                    .description("Highest journal seq the partition has committed").tag("partition", tag)
                    .register(meters.registry()));
            meters.add(Gauge.builder("loyalty_partition_lag_records",
                            () -> read(processors.get(partition), this::lagRecords))
                    .description("Journal records (events, heartbeats, ...) not yet applied by the partition")
                    .tag("partition", tag)
                    .register(meters.registry()));
            meters.add(Gauge.builder("loyalty_partition_lag_seconds",
                            () -> read(processors.get(partition), this::lagSeconds))
                    .description("0 when caught up; else the age of the newest record the partition has applied,"
                            + " an upper bound of the age of its oldest unapplied record")
                    .tag("partition", tag)
                    .baseUnit("seconds")
                    .register(meters.registry()));
        }
    }

    private static double read(PartitionProcessor p, java.util.function.ToDoubleFunction<PartitionProcessor> f) {
        return p == null ? Double.NaN : f.applyAsDouble(p);
    }

    private double lagRecords(PartitionProcessor p) {
        return Math.max(0, journal.lastSeq(p.partition()) - p.appliedSeq());
    }

    /**
     * Measured on the ingest clock (wall clock plus the administrator's offset), like the records' times.
     * Before a partition has read any record its clock is unknown: the engine's start stands in for it.
     */
    private double lagSeconds(PartitionProcessor p) {
        return lagSeconds(journal.lastSeq(p.partition()) - p.appliedSeq(), journal.clock().peekMs(), p.snapshot(),
                startIngestMs);
    }

    static double lagSeconds(long lagRecords, long nowMs, PartitionStats.Snapshot applied, long startMs) {
        if (lagRecords <= 0) {
            return 0;
        }
        long appliedMs = applied == null || applied.clockMs() <= 0 ? startMs : applied.clockMs();
        return Math.max(0, nowMs - appliedMs) / 1000.0;
    }
}
