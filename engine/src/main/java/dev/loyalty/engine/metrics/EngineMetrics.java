package dev.loyalty.engine.metrics;

import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.EventValidator;
import dev.loyalty.engine.journal.BulkRecord;
import dev.loyalty.engine.journal.Journal;
import dev.loyalty.engine.processor.PartitionProcessor;
import dev.loyalty.engine.state.PartitionStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.rocksdb.Cache;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every engine meter outside the processors: the one object the engine talks to. Create it once the
 * journal, processors and stores are open; call {@link #appended} and {@link #journalWriteFailed} where
 * the engine writes the journal; {@link #close()} before closing the stores. Thread-safe.
 */
public final class EngineMetrics implements AutoCloseable {
    private final MeterSet meters;
    private final JournalMetrics journalMetrics;
    private final RocksDbMetrics rocksDb;

    /** The parts of a running engine the gauges read. */
    public record Sources(LoyaltyEngine engine, Journal journal, List<PartitionProcessor> processors,
                          List<PartitionStore> stores, Cache blockCache, AtomicInteger inFlight) {
    }

    public EngineMetrics(MeterRegistry registry, Sources sources) {
        EngineConfig config = sources.engine().config();
        this.meters = new MeterSet(registry);
        this.journalMetrics = new JournalMetrics(meters, sources.journal(), knownActions(config));
        new PartitionMetrics(meters, sources.journal(), sources.processors());
        this.rocksDb = new RocksDbMetrics(meters, sources.stores(), sources.blockCache(),
                config.state().blockCacheBytes());
        new DiskMetrics(meters, config.dataDir());
        new BusinessMetrics(meters, sources.engine()::stats, System::nanoTime, config.activeWindowsDays(),
                config.expiringWindowsDays(), config.rules());
        meters.add(Gauge.builder("loyalty_requests_in_flight", sources.inFlight(), AtomicInteger::get)
                .description("Synchronous requests waiting for their outcome").register(registry));
        meters.add(Gauge.builder("loyalty_ready", sources.engine(), e -> e.ready() ? 1 : 0)
                .description("1 when recovered, caught up and the journal is writable, else 0").register(registry));
    }

    private static Set<String> knownActions(EngineConfig config) {
        Set<String> actions = new TreeSet<>(EventValidator.BUILT_IN_ACTIONS);
        config.rules().customActions().forEach(a -> actions.add(a.name()));
        return actions;
    }

    /** A record of these events was appended to the journal in {@code nanos}. */
    public void appended(List<Submitted> events, long nanos) {
        journalMetrics.appended(events, nanos);
    }

    /** A record of a bulk's encoded events was appended to the journal in {@code nanos}. */
    public void appended(BulkRecord events, long nanos) {
        journalMetrics.appended(events, nanos);
    }

    /** A record of one event of this action was appended to the journal in {@code nanos}. */
    public void appended(String action, long nanos) {
        journalMetrics.appended(action, nanos);
    }

    /** A journal write failed. */
    public void journalWriteFailed(JournalWrite operation) {
        journalMetrics.failed(operation);
    }

    /** Stops the gauges reading native state and takes this engine's meters out of the registry. */
    @Override
    public void close() {
        rocksDb.close();
        meters.removeAll();
    }
}
