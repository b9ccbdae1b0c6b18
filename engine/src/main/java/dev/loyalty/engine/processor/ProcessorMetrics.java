package dev.loyalty.engine.processor;

import dev.loyalty.engine.rules.RuleError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Processor meters: events applied/rejected by action and error code, and per partition the batch sizes,
 * batch apply time and apply latency (journal → committed). Tag values are bounded: actions are validated
 * names, codes come from the rules, partitions are fixed. Called by the processor threads only; nothing is
 * allocated per event once an (action, code) pair has been seen, and the event counts reach the (shared,
 * {@code DoubleAdder}-backed) counters once per batch and counter, not per event.
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
    /** Per partition, owned by its thread: the processed-event counts of the batch being applied. */
    private final OutcomeTally[] tallies;
    private final DistributionSummary[] batchRecords;
    private final DistributionSummary[] batchEvents;
    private final Timer[] batchTime;
    private final Timer[] applyLatency;
    /** Per partition, the phases of a commit: rows, wait (partition thread), sync, write (committer thread). */
    private final Timer[][] commitPhases;
    /** Per partition, its customer-table counts as of its last batch ({@link TableCounts} order). */
    private final AtomicLongArray[] tableCounts;

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
        tallies = new OutcomeTally[partitions];
        commitPhases = new Timer[partitions][];
        tableCounts = new AtomicLongArray[partitions];
        for (int p = 0; p < partitions; p++) {
            String tag = Integer.toString(p);
            String[] phases = {"rows", "wait", "sync", "write"};
            commitPhases[p] = new Timer[phases.length];
            for (int i = 0; i < phases.length; i++) {
                commitPhases[p][i] = Timer.builder("loyalty_processor_commit")
                        .description("Time of one state commit by phase: rows (the partition thread encodes dirty "
                                + "customers and statistics and hands the batch over), wait (the partition thread "
                                + "waits for the previous commit to land), sync (the committer forces the derived "
                                + "logs, with the WAL only), write (the committer writes the batch to RocksDB)")
                        .tag("partition", tag).tag("phase", phases[i])
                        .register(registry);
            }
            AtomicLongArray counts = new AtomicLongArray(TableCounts.COUNT);
            tableCounts[p] = counts;
            for (int i = 0; i < TableCounts.LOOKUP_RESULTS.length; i++) {
                int index = i;
                FunctionCounter.builder("loyalty_customer_table_lookups", counts, c -> c.get(index))
                        .description("Customer lookups of the processors by result: hit (held), warm (decoded from the "
                                + "warm tier's encoded row), stored (read from RocksDB and decoded), pending (written "
                                + "to make room, not yet committed), new")
                        .tag("partition", tag).tag("result", TableCounts.LOOKUP_RESULTS[i]).register(registry);
            }
            FunctionCounter.builder("loyalty_customer_table_evictions", counts, c -> c.get(TableCounts.EVICTED))
                    .description("Customers evicted from the partition's table to make room for another")
                    .tag("partition", tag).register(registry);
            FunctionCounter.builder("loyalty_customer_table_dirty_writes", counts,
                            c -> c.get(TableCounts.DIRTY_WRITES))
                    .description("Times the table was full of changed customers and wrote them all before evicting")
                    .tag("partition", tag).register(registry);
            FunctionCounter.builder("loyalty_customer_table_read_ahead", counts, c -> c.get(TableCounts.READ_AHEAD))
                    .description("Stored lookups served by their journal record's read ahead (one multiGet a "
                            + "record) rather than a RocksDB get each")
                    .tag("partition", tag).register(registry);
            FunctionCounter.builder("loyalty_processor_commits", counts, c -> c.get(TableCounts.COMMITS))
                    .description("Commits of the partition's state (write-behind of what changed, one atomic batch)")
                    .tag("partition", tag).register(registry);
            tallies[p] = new OutcomeTally(this::processed);
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

    /** One state commit of {@code partition} handed over: the partition thread's phases (nanoseconds). */
    void commit(int partition, long rowsNs, long waitNs) {
        commitPhases[partition][0].record(rowsNs, TimeUnit.NANOSECONDS);
        commitPhases[partition][1].record(waitNs, TimeUnit.NANOSECONDS);
    }

    /** One state commit of {@code partition} landed: the committer thread's phases (nanoseconds). */
    void landed(int partition, long syncNs, long writeNs) {
        commitPhases[partition][2].record(syncNs, TimeUnit.NANOSECONDS);
        commitPhases[partition][3].record(writeNs, TimeUnit.NANOSECONDS);
    }

    /**
     * Publishes the partition's customer-table counts (its thread's own array, {@link TableCounts} order): once
     * per batch, a release store per counter.
     */
    void table(int partition, long[] counts) {
        AtomicLongArray published = tableCounts[partition];
        for (int i = 0; i < counts.length; i++) {
            published.lazySet(i, counts[i]);
        }
    }

    /**
     * One event of {@code action} processed by {@code partition}'s thread: applied when {@code error} is null,
     * else rejected with it. Counted in that partition's plain fields; the counters see it at {@link #flush}.
     */
    void applied(int partition, String action, RuleError error) {
        tallies[partition].count(action, error);
    }

    /**
     * Publishes what {@code partition} counted since its last flush: once per batch, before its waiters are
     * answered (a client that saw its answer sees its event counted). Called by that partition's thread.
     */
    void flush(int partition) {
        tallies[partition].flush();
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
