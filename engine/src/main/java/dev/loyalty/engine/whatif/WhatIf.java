package dev.loyalty.engine.whatif;

import dev.loyalty.engine.Backup;
import dev.loyalty.engine.RulesJson;
import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.journal.ChronicleJournal;
import dev.loyalty.engine.journal.JournalReader;
import dev.loyalty.engine.journal.RecordType;
import dev.loyalty.engine.processor.OutcomeWaits;
import dev.loyalty.engine.processor.PartitionProcessor;
import dev.loyalty.engine.processor.ProcessorListener;
import dev.loyalty.engine.processor.ProcessorMetrics;
import dev.loyalty.engine.state.PartitionCheckpoint;
import dev.loyalty.engine.state.PartitionStore;
import dev.loyalty.engine.stats.PartitionStats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.rocksdb.Cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A what-if run: replays the journal of a data folder twice side by side into scratch folders, as journaled
 * (baseline) and with proposed rules in force from an ingest time on (scenario), then compares them. Both
 * replays start from the newest given backup taken before that time (a copy of its state, then the journal
 * after its positions), else from the journal's first record. The data folder and the backups are only read:
 * the journal is opened read-only (an engine may be running on it and appending), the live state is never
 * opened, and no lock is taken.
 */
public final class WhatIf {

    private WhatIf() {
    }

    /** Receives progress now and then: journal seq both replays have applied, of {@code total}. */
    @FunctionalInterface
    public interface Progress {
        void update(long seq, long total);
    }

    /**
     * What to run.
     *
     * @param config   the engine configuration of the data folder (windows, batch sizes, caches)
     * @param scenario the scenario rules, from the journaled rules in force at {@code fromMs}
     * @param fromMs   ingest time from which the scenario rules are in force ({@code Long.MIN_VALUE}: from the start)
     * @param toMs     last ingest time replayed ({@code Long.MAX_VALUE}: to the journal's end)
     * @param scratch  an empty or absent folder for the two rebuilt states (left for the caller to delete)
     * @param backups  backup folders to start from (see {@link StartPoint#choose}); empty: the journal's start
     */
    public record Request(EngineConfig config, UnaryOperator<RulesConfig> scenario, long fromMs, long toMs,
                          Path scratch, List<Path> backups) {

        /** A run from the journal's start. */
        public Request(EngineConfig config, UnaryOperator<RulesConfig> scenario, long fromMs, long toMs, Path scratch) {
            this(config, scenario, fromMs, toMs, scratch, List.of());
        }
    }

    /**
     * The result.
     *
     * @param lastSeq   last journal seq replayed
     * @param millis    wall time of the two replays
     * @param baseRules journaled rules in force at {@code fromMs}
     * @param customers customers that differ, largest absolute difference in total balance first
     * @param start     where both replays started (events, rejections and month flows count from there)
     * @param commits   state commits both replays wrote (a rebuild's policy: see PartitionProcessor.replayCommits)
     */
    public record Result(long lastSeq, long millis, RulesConfig baseRules, RulesConfig scenarioRules, Side baseline,
                         Side scenario, List<CustomerDiff> customers, StartPoint start, long commits) {
    }

    /**
     * Runs it.
     *
     * @throws ConfigException for an unusable folder (no journal, oldest journal files dropped and no backup
     *         before {@code fromMs}, scratch not empty) or invalid scenario rules
     */
    public static Result run(Request req, Progress progress) {
        Path journalDir = req.config().dataDir().resolve("journal");
        if (!Files.isDirectory(journalDir)) {
            throw new ConfigException("--data: no journal in " + req.config().dataDir());
        }
        requireEmpty(req.scratch());
        try (ChronicleJournal journal = ChronicleJournal.openReadOnly(journalDir)) {
            int partitions = partitions(req.config());
            StartPoint from = StartPoint.choose(req.backups(), journal, partitions, req.fromMs(), req.toMs(),
                    req.config().dataDir());
            Path baselineDir = req.scratch().resolve("baseline");
            Path scenarioDir = req.scratch().resolve("scenario");
            String initial = RulesJson.write(req.config().rules());
            if (from.fromBackup()) {
                Backup.restoreState(from.backup(), partitions, baselineDir);
                Backup.restoreState(from.backup(), partitions, scenarioDir);
                initial = rulesAt(baselineDir, from.backup(), partitions);
            }
            Scan scan = Scan.of(journal, journal.lastSeq(), req.fromMs(), req.toMs(), initial, from);
            RulesConfig base = RulesJson.read(scan.baseRulesJson);
            RulesConfig scenarioRules = req.scenario().apply(base);
            String scenarioJson = RulesJson.write(scenarioRules);
            int[] windows = req.config().activeWindowsDays().stream().mapToInt(Integer::intValue).toArray();
            long start = System.nanoTime();
            try (Replica baseline = new Replica(req.config(), journal, baselineDir, partitions, scan.lastSeq,
                    req.toMs(), initial, null, req.fromMs(), windows);
                 Replica scenario = new Replica(req.config(), journal, scenarioDir, partitions, scan.lastSeq,
                         req.toMs(), initial, scenarioJson, req.fromMs(), windows)) {
                baseline.start();
                scenario.start();
                while (true) {
                    baseline.checkFailed();
                    scenario.checkFailed();
                    long min = Math.min(baseline.appliedSeq(), scenario.appliedSeq());
                    progress.update(Math.min(min, scan.lastSeq), scan.lastSeq);
                    if (baseline.caughtUp() && scenario.caughtUp()) {
                        break;
                    }
                    sleep(200);
                }
                baseline.stop();
                scenario.stop();
                long millis = (System.nanoTime() - start) / 1_000_000;
                long commits = baseline.commits() + scenario.commits();
                Side b = baseline.side(windows);
                Side s = scenario.side(windows);
                List<CustomerDiff> diffs = new ArrayList<>();
                CustomerCompare compare = new CustomerCompare(b.rulesAtEnd(), s.rulesAtEnd());
                for (int p = 0; p < partitions; p++) {
                    compare.partition(baseline.store(p), scenario.store(p), diffs);
                }
                diffs.sort((x, y) -> {
                    int c = Long.compare(Math.abs(y.totalDifference()), Math.abs(x.totalDifference()));
                    return c != 0 ? c : x.customer().compareTo(y.customer());
                });
                return new Result(scan.lastSeq, millis, base, scenarioRules, b, s, diffs, from, commits);
            }
        }
    }

    /** The partition count of the data folder (fixed at its creation), else the configured one. */
    private static int partitions(EngineConfig config) {
        Path f = config.dataDir().resolve("engine.properties");
        if (Files.exists(f)) {
            Properties p = new Properties();
            try (var in = Files.newInputStream(f)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
            int stored = Integer.parseInt(p.getProperty("partitions", "-1"));
            if (stored > 0) {
                return stored;
            }
        }
        return config.partitions();
    }

    /**
     * The rules in force at the backup's oldest position: those of the (restored) partition that stands there,
     * since the scan of the journal starts after it.
     */
    private static String rulesAt(Path restored, Path backup, int partitions) {
        Backup.Manifest manifest = Backup.read(backup);
        for (Backup.PartitionPosition p : manifest.state()) {
            if (p.position() == manifest.oldestPosition() && p.partition() < partitions) {
                try (PartitionStore store = PartitionStore.openReadOnly(restored.resolve("state")
                        .resolve("p" + p.partition()))) {
                    String json = PartitionProcessor.storedRules(store);
                    if (json != null) {
                        return json;
                    }
                }
            }
        }
        throw new IllegalStateException("the backup " + backup + " holds no rules in force");
    }

    private static void requireEmpty(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.list(dir)) {
            if (s.findAny().isPresent()) {
                throw new ConfigException("scratch folder " + dir + " is not empty");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * One pass over the record headers: the rules journaled in force at {@code fromMs} and the last seq of the
     * range (at most the journal's end when the run started, no ingest time above {@code toMs}).
     */
    private static final class Scan implements JournalReader.RecordVisitor {
        private final long endSeq;
        private final long fromMs;
        private final long toMs;
        String baseRulesJson;
        String firstRulesJson;
        long lastSeq;
        boolean done;

        private Scan(long endSeq, long fromMs, long toMs) {
            this.endSeq = endSeq;
            this.fromMs = fromMs;
            this.toMs = toMs;
        }

        static Scan of(ChronicleJournal journal, long endSeq, long fromMs, long toMs, String initialRulesJson,
                       StartPoint start) {
            Scan scan = new Scan(endSeq, fromMs, toMs);
            try (JournalReader r = journal.reader()) {
                if (start.fromBackup()) {
                    // What the backup holds was ruled by the rules in force there; the scan goes on after it.
                    r.seekAfter(start.position());
                    scan.baseRulesJson = initialRulesJson;
                    scan.lastSeq = start.seq();
                }
                while (!scan.done && r.next(scan)) {
                    // the visitor collects
                }
            }
            if (scan.baseRulesJson == null) {
                scan.baseRulesJson = scan.firstRulesJson != null ? scan.firstRulesJson : initialRulesJson;
            }
            return scan;
        }

        @Override
        public void onRecord(long position, dev.loyalty.engine.journal.RecordHeader h,
                             net.openhft.chronicle.bytes.Bytes<?> payload) {
            if (h.firstSeq() > endSeq || h.ingestMs() > toMs) {
                done = true;
                return;
            }
            long last = h.firstSeq();
            if (h.type() == RecordType.EVENTS) {
                last += payload.readStopBit() - 1;
            } else if (h.type() == RecordType.RULES) {
                String json = payload.readUtf8();
                if (firstRulesJson == null) {
                    firstRulesJson = json;
                }
                if (h.ingestMs() < fromMs) {
                    baseRulesJson = json;
                }
            }
            lastSeq = last;
        }
    }

    /** One side: its stores, processors and threads over a scratch folder. */
    private static final class Replica implements AutoCloseable {
        private final PartitionStore[] stores;
        private final PartitionProcessor[] processors;
        private final PartitionTally[] tallies;
        private final Thread[] threads;
        private final Cache cache;
        private final String name;

        Replica(EngineConfig config, ChronicleJournal journal, Path dir, int partitions, long lastSeq, long toMs,
                String initialJson, String scenarioJson, long fromMs, int[] windows) {
            name = scenarioJson == null ? "baseline" : "scenario";
            stores = new PartitionStore[partitions];
            processors = new PartitionProcessor[partitions];
            tallies = new PartitionTally[partitions];
            threads = new Thread[partitions];
            // Two sides share the memory one engine would use.
            cache = PartitionStore.newBlockCache(Math.max(8L << 20, config.state().blockCacheBytes() / 2));
            ProcessorMetrics metrics = new ProcessorMetrics(new SimpleMeterRegistry(), partitions);
            try {
                for (int p = 0; p < partitions; p++) {
                    Path stateDir = dir.resolve("state").resolve("p" + p);
                    Files.createDirectories(stateDir);
                    stores[p] = PartitionStore.open(stateDir, cache, false);
                    // A state restored from a backup has rules in force and a clock: the tally starts there.
                    String stored = PartitionProcessor.storedRules(stores[p]);
                    PartitionCheckpoint cp = PartitionCheckpoint.read(stores[p]);
                    tallies[p] = new PartitionTally(scenarioJson, fromMs, stored != null ? stored : initialJson,
                            cp == null ? Long.MIN_VALUE : cp.clockMs(), windows, RulesJson::read);
                    // A rebuild's commits: the stores are compared only after stop(), so intermediate commits
                    // (every flush interval) would only re-encode the same customers.
                    processors[p] = new PartitionProcessor(p, partitions, stores[p],
                            new BoundedReader(journal.reader(p, partitions), lastSeq, toMs), RulesJson::read, initialJson,
                            new OutcomeWaits(16), new AtomicInteger(), ProcessorListener.QUIET,
                            config.processor().batchMax(),
                            config.state().cacheCustomers(), config.state().warmRowsBytes(),
                            config.outcomesRetention().toMillis(), windows,
                            config.expiringWindowsDays().stream().mapToInt(Integer::intValue).toArray(), lastSeq,
                            config.state().flushInterval().toNanos(), metrics, tallies[p]).replayCommits();
                }
            } catch (IOException e) {
                close();
                throw new UncheckedIOException("cannot create " + dir, e);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        void start() {
            for (int p = 0; p < processors.length; p++) {
                threads[p] = new Thread(processors[p], "whatif-" + name + "-" + p);
                threads[p].start();
            }
        }

        void checkFailed() {
            for (PartitionProcessor p : processors) {
                if (p.failed()) {
                    throw new IllegalStateException("the " + name + " replay of partition " + p.partition()
                            + " failed (see the log)");
                }
            }
        }

        long appliedSeq() {
            long min = Long.MAX_VALUE;
            for (PartitionProcessor p : processors) {
                min = Math.min(min, p.appliedSeq());
            }
            return min;
        }

        long commits() {
            long n = 0;
            for (PartitionProcessor p : processors) {
                n += p.commits();
            }
            return n;
        }

        boolean caughtUp() {
            for (PartitionProcessor p : processors) {
                if (!p.caughtUp()) {
                    return false;
                }
            }
            return true;
        }

        /** Stops the processors (after their last batch) and closes the months. */
        void stop() {
            for (PartitionProcessor p : processors) {
                if (p != null) {
                    p.stop();
                }
            }
            for (Thread t : threads) {
                if (t != null) {
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                }
            }
            for (int p = 0; p < processors.length; p++) {
                tallies[p].finish(processors[p].snapshot());
            }
        }

        PartitionStore store(int p) {
            return stores[p];
        }

        Side side(int[] windows) {
            return SideSum.of(tallies, windows);
        }

        @Override
        public void close() {
            boolean running = false;
            for (Thread t : threads) {
                running |= t != null && t.isAlive();
            }
            if (running) {
                stop();
            }
            for (PartitionStore s : stores) {
                if (s != null) {
                    s.close();
                }
            }
            cache.close();
        }
    }
}
