package dev.loyalty.engine.processor;

import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.RuleError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Processor meters: events applied/rejected by action and error code, and per partition the batch sizes,
 * batch apply time and apply latency (journal → committed). Tag values are bounded: actions are validated
 * names, codes come from the rules, partitions are fixed. Called by the processor threads only; nothing is
 * allocated per event once an (action, code) pair has been seen.
 */
public final class ProcessorMetrics {
    /** Buckets of the apply latency: the range from a busy-but-healthy engine to a stalled one. */
    static final Duration[] APPLY_LATENCY_BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final MeterRegistry registry;
    private final LongSupplier ingestNowMs;
    private final ConcurrentHashMap<String, Counter> appliedByAction = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> rejectedByActionAndCode =
            new ConcurrentHashMap<>();
    private final DistributionSummary[] batchRecords;
    private final DistributionSummary[] batchEvents;
    private final Timer[] batchTime;
    private final Timer[] applyLatency;

    /** Meters whose apply latency is measured on the wall clock (replay, where nobody reads it). */
    public ProcessorMetrics(MeterRegistry registry, int partitions) {
        this(registry, partitions, System::currentTimeMillis);
    }

    /**
     * @param ingestNowMs the journal's ingest clock now (wall clock plus the administrator's offset), so
     *                    that latencies compare like with like after {@code POST /admin/clock}
     */
    public ProcessorMetrics(MeterRegistry registry, int partitions, LongSupplier ingestNowMs) {
        this.registry = registry;
        this.ingestNowMs = ingestNowMs;
        batchRecords = new DistributionSummary[partitions];
        batchEvents = new DistributionSummary[partitions];
        batchTime = new Timer[partitions];
        applyLatency = new Timer[partitions];
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
            applyLatency[p] = Timer.builder("loyalty_processor_apply_latency")
                    .description("Ingest (journal) to committed application, for the oldest event of each batch")
                    .tag("partition", tag)
                    .serviceLevelObjectives(APPLY_LATENCY_BUCKETS)
                    .register(registry);
        }
    }

    /**
     * One batch was committed (its waiters completed).
     *
     * @param firstEventIngestMs ingest time of the batch's first event of this partition; ignored when
     *                           {@code events} is 0 (heartbeats, other partitions' records)
     */
    void batch(int partition, int records, int events, long nanos, long firstEventIngestMs) {
        batchRecords[partition].record(records);
        batchEvents[partition].record(events);
        batchTime[partition].record(nanos, TimeUnit.NANOSECONDS);
        if (events > 0) {
            applyLatency[partition].record(Math.max(0, ingestNowMs.getAsLong() - firstEventIngestMs),
                    TimeUnit.MILLISECONDS);
        }
    }

    void applied(String action, EventOutcome outcome) {
        applied(action, outcome.error());
    }

    /** One event of {@code action} processed: applied when {@code error} is null, else rejected with it. */
    void applied(String action, RuleError error) {
        Counter c;
        if (error == null) {
            c = appliedByAction.get(action);
            if (c == null) {
                c = appliedByAction.computeIfAbsent(action, a -> processed(a, "applied", "none"));
            }
        } else {
            String code = error.code();
            ConcurrentHashMap<String, Counter> byCode = rejectedByActionAndCode.get(action);
            if (byCode == null) {
                byCode = rejectedByActionAndCode.computeIfAbsent(action, a -> new ConcurrentHashMap<>());
            }
            c = byCode.get(code);
            if (c == null) {
                c = byCode.computeIfAbsent(code, k -> processed(action, "rejected", k));
            }
        }
        c.increment();
    }

    private Counter processed(String action, String outcome, String code) {
        return Counter.builder("loyalty_events_processed")
                .description("Journaled events processed, by action and outcome (rejected: by error code)")
                .tag("action", action)
                .tag("outcome", outcome)
                .tag("code", code)
                .register(registry);
    }
}
