package dev.loyalty.engine.processor;

import dev.loyalty.engine.rules.EventOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Processor meters: events applied/rejected by action and error code, batch sizes and batch apply time
 * per partition. Tag values are bounded: actions are validated names, codes come from the rules.
 */
public final class ProcessorMetrics {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final DistributionSummary[] batchRecords;
    private final DistributionSummary[] batchEvents;
    private final Timer[] batchTime;

    public ProcessorMetrics(MeterRegistry registry, int partitions) {
        this.registry = registry;
        batchRecords = new DistributionSummary[partitions];
        batchEvents = new DistributionSummary[partitions];
        batchTime = new Timer[partitions];
        for (int p = 0; p < partitions; p++) {
            String tag = Integer.toString(p);
            batchRecords[p] = DistributionSummary.builder("loyalty_processor_batch_records")
                    .description("Journal records drained per committed batch").tag("partition", tag)
                    .register(registry);
            batchEvents[p] = DistributionSummary.builder("loyalty_processor_batch_events")
                    .description("Events of this partition applied per committed batch").tag("partition", tag)
                    .register(registry);
            batchTime[p] = Timer.builder("loyalty_processor_batch")
                    .description("Time to apply and commit one batch").tag("partition", tag)
                    .register(registry);
        }
    }

    void batch(int partition, int records, int events, long nanos) {
        batchRecords[partition].record(records);
        batchEvents[partition].record(events);
        batchTime[partition].record(nanos, TimeUnit.NANOSECONDS);
    }

    void applied(String action, EventOutcome outcome) {
        String code = outcome.applied() ? "" : outcome.error().code();
        String key = action + '|' + code;
        Counter c = outcomes.get(key);
        if (c == null) {
            c = outcomes.computeIfAbsent(key, k -> Counter.builder("loyalty_events_processed")
                    .description("Journaled events processed, by action and outcome")
                    .tag("action", action)
                    .tag("outcome", outcome.applied() ? "applied" : "rejected")
                    .tag("code", outcome.applied() ? "none" : code)
                    .register(registry));
        }
        c.increment();
    }
}
