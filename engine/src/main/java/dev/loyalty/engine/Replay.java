package dev.loyalty.engine;

import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.journal.ChronicleJournal;
import dev.loyalty.engine.journal.IngestClock;
import dev.loyalty.engine.journal.JournalCorruptException;
import dev.loyalty.engine.derived.DerivedLog;
import dev.loyalty.engine.processor.DerivedFiles;
import dev.loyalty.engine.processor.OutcomeWaits;
import dev.loyalty.engine.processor.PartitionProcessor;
import dev.loyalty.engine.processor.ProcessorListener;
import dev.loyalty.engine.processor.ProcessorMetrics;
import dev.loyalty.engine.state.PartitionStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.rocksdb.Cache;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;

/**
 * Rebuilds partition state from the journal into an empty folder and compares it with the live state:
 * from an empty state while the whole journal is kept, else from a backup (its state, then the journal
 * after the backup's positions). The live state is read as flushed on disk, so the live data folder must
 * not be in use (it is locked for the duration): compare against a stopped engine (a clean shutdown
 * applies what is journaled and flushes), or the comparison reports the difference.
 */
public final class Replay {

    private Replay() {
    }

    /** Receives progress now and then: journal seq every partition has applied, of {@code total}. */
    @FunctionalInterface
    public interface Progress {
        void update(long seq, long total);
    }

    /**
     * Result of a replay.
     *
     * @param records          journal records (seqs) up to the end of the journal
     * @param fromSeq          seq the rebuild started after (0 from an empty state, else the backup's)
     * @param events           events applied or rejected during the rebuild
     * @param millis           wall time taken
     * @param identical        true when every partition's rebuilt state (RocksDB and derived logs) equals the live
     *                         state byte for byte
     * @param firstDifference  description of the first differing key, or null when identical
     * @param commits          state commits the partitions wrote (see {@link PartitionProcessor#replayCommits()})
     * @param tableCustomers   customers a partition held in memory at most
     * @param readBack         customers read back from the store during the rebuild, all partitions: each time a
     *                         partition met again a customer it had to evict (a table smaller than its customers)
     */
    public record Report(long records, long fromSeq, long events, long millis, boolean identical,
                         String firstDifference, long commits, int tableCustomers, long readBack) {
    }

    /**
     * A replay holds as many customers as its heap allows ({@code PartitionProcessor.tableBytes}: a quarter of the heap,
     * counted by what each customer holds), not {@code state.cache-customers}: that setting sizes a serving
     * engine's cache, which shares its heap with the id index and request buffers; a replay has its heap to
     * itself ({@code bin/engine replay} gives it half the memory). With the serving 250,000 a partition, a journal
     * of 1.2M customers made each partition evict and read back half of them
     * (bench/results/2026-12-07-replay-cost.txt).
     */
    static final int BY_HEAP = Integer.MAX_VALUE;

    /** Replays the whole journal of {@code config.dataDir()} into {@code into}; see {@link #run(EngineConfig, Path, Path, Progress)}. */
    public static Report run(EngineConfig config, Path into, LongConsumer progress) {
        return run(config, into, null, (seq, total) -> progress.accept(seq));
    }

    /**
     * Rebuilds the state of {@code config.dataDir()} into {@code into} (must be empty or absent) and compares.
     *
     * @param fromBackup a backup folder to start from, or null to start from an empty state
     * @throws ConfigException when a folder cannot be used: no journal, {@code into} not empty, a journal
     *         whose oldest files were dropped (and no backup given), a backup of another partition count or
     *         older than the journal
     * @throws DataFolderInUseException when an engine uses the data folder
     */
    public static Report run(EngineConfig config, Path into, Path fromBackup, Progress progress) {
        return run(config, into, fromBackup, progress, BY_HEAP);
    }

    /** As {@link #run(EngineConfig, Path, Path, Progress)} with at most {@code tableCustomers} held per partition (tests). */
    static Report run(EngineConfig config, Path into, Path fromBackup, Progress progress, int tableCustomers) {
        DataFolder live = new DataFolder(config.dataDir());
        if (!Files.isDirectory(live.journal())) {
            throw new ConfigException("data-dir: no journal in " + config.dataDir());
        }
        Backup.requireEmpty(into, "--into");
        FolderLock liveLock = FolderLock.acquire(config.dataDir(), "replay, reading");
        try {
            FolderLock targetLock = FolderLock.acquire(into, "replay, writing");
            try {
                return replay(config, live, new DataFolder(into), fromBackup, progress, tableCustomers);
            } finally {
                targetLock.close();
            }
        } finally {
            liveLock.close();
        }
    }

    private static Report replay(EngineConfig config, DataFolder live, DataFolder target, Path fromBackup,
                                 Progress progress, int tableCustomers) {
        int stored = live.storedPartitions();
        int partitions = stored > 0 ? stored : config.partitions();
        long start = System.nanoTime();
        String rulesJson = RulesJson.write(config.rules());
        PartitionStore[] stores = new PartitionStore[partitions];
        PartitionProcessor[] processors = new PartitionProcessor[partitions];
        Thread[] threads = new Thread[partitions];
        long events = 0;
        long commits = 0;
        long readBack = 0;
        long end;
        long fromSeq = 0;
        try (ChronicleJournal journal = ChronicleJournal.open(live.journal(), IngestClock.systemWall());
             Cache blockCache = PartitionStore.newBlockCache(config.state().blockCacheBytes())) {
            end = journal.lastSeq();
            if (fromBackup == null) {
                if (journal.firstSeq() > 1) {
                    throw new ConfigException("the journal of " + live.root() + " starts at seq " + journal.firstSeq()
                            + ": its oldest files were dropped by journal.retention, so the state cannot be rebuilt "
                            + "from empty. Rebuild from a backup instead: replay --from-backup DIR");
                }
            } else {
                Backup.Manifest manifest = Backup.read(fromBackup);
                String unusable = Backup.unusable(manifest, journal, partitions);
                if (unusable != null) {
                    throw new ConfigException("--from-backup: " + unusable);
                }
                fromSeq = manifest.appliedSeq();
                Backup.restoreState(fromBackup, partitions, target.root());
            }
            target.checkPartitions(partitions);
            ProcessorMetrics metrics = new ProcessorMetrics(new SimpleMeterRegistry(), partitions);
            FirstFailure failure = new FirstFailure();
            for (int p = 0; p < partitions; p++) {
                stores[p] = PartitionStore.open(target.state(p), blockCache, false);
                processors[p] = new PartitionProcessor(p, partitions, stores[p], journal.reader(p, partitions),
                        RulesJson::read,
                        rulesJson, new OutcomeWaits(16), new AtomicInteger(), failure,
                        config.processor().batchMax(), tableCustomers, config.state().warmRowsBytes(),
                        config.outcomesRetention().toMillis(),
                        config.activeWindowsDays().stream().mapToInt(Integer::intValue).toArray(),
                        config.expiringWindowsDays().stream().mapToInt(Integer::intValue).toArray(), end,
                        config.state().flushInterval().toNanos(), metrics).replayCommits();
                threads[p] = new Thread(processors[p], "replay-" + p);
                threads[p].start();
            }
            while (true) {
                boolean done = true;
                long min = Long.MAX_VALUE;
                for (PartitionProcessor p : processors) {
                    if (p.failed()) {
                        join(threads[p.partition()]); // it tells the listener why before its thread ends
                        Throwable cause = failure.cause;
                        if (cause instanceof JournalCorruptException corrupt) {
                            // The journal's own words (which seq, which position): the replay's answer.
                            throw new JournalCorruptException("replay of partition " + p.partition() + " stopped: "
                                    + corrupt.getMessage(), corrupt);
                        }
                        throw new IllegalStateException("replay of partition " + p.partition() + " failed", cause);
                    }
                    done &= p.caughtUp();
                    min = Math.min(min, p.appliedSeq());
                }
                progress.update(min, end);
                if (done) {
                    break;
                }
                sleep(100);
            }
            // All stop at once, so their final commits (every held customer encoded) and flushes overlap rather
            // than run one partition after another.
            for (PartitionProcessor p : processors) {
                p.stop();
            }
            for (int p = 0; p < partitions; p++) {
                join(threads[p]);
                events += processors[p].eventsProcessed();
                commits += processors[p].commits();
                readBack += processors[p].readBack();
            }
            Arrays.stream(stores).parallel().forEach(PartitionStore::flush);
        } catch (RuntimeException e) {
            for (PartitionProcessor p : processors) {
                if (p != null) {
                    p.stop();
                }
            }
            for (Thread t : threads) {
                if (t != null) {
                    join(t);
                }
            }
            for (PartitionStore s : stores) {
                if (s != null) {
                    s.close();
                }
            }
            throw e;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        // One partition a thread, as the flush above: each pass reads both stores whole, 1.8-3.5 s of a 14-39 s
        // replay's wall on 2 cores when run one partition after another (bench/results/2026-12-07-replaywall.txt).
        // The first difference reported is still the lowest partition's.
        String difference = IntStream.range(0, partitions).parallel()
                .mapToObj(p -> difference(live, p, stores[p]))
                .filter(Objects::nonNull)
                .findFirst().orElse(null);
        for (PartitionStore s : stores) {
            s.close();
        }
        return new Report(end, fromSeq, events, millis, difference == null, difference, commits,
                processors.length == 0 ? 0 : processors[0].tableCustomers(), readBack);
    }

    /** Where partition {@code p}'s rebuilt state first differs from the live one (its store, then its derived logs), or null. */
    private static String difference(DataFolder live, int p, PartitionStore rebuilt) {
        Path liveState = live.state(p);
        if (!Files.isDirectory(liveState)) {
            return "no live state for partition " + p;
        }
        try (PartitionStore liveStore = PartitionStore.openReadOnly(liveState)) {
            String d = rebuilt.firstDifference(liveStore);
            if (d == null) {
                d = derivedDifference(rebuilt, liveStore);
            }
            return d == null ? null : "partition " + p + ": " + d;
        }
    }

    /**
     * Where the rebuilt partition's derived logs (outcomes, ledger) first differ from the live ones, or null.
     * Each side is opened at its committed mark, as a start would: what a crashed live engine left past its mark
     * is dropped (a start drops it too), a clean stop leaves nothing there.
     */
    private static String derivedDifference(PartitionStore rebuilt, PartitionStore liveStore) {
        try (DerivedLog mine = DerivedFiles.open(rebuilt); DerivedLog theirs = DerivedFiles.open(liveStore)) {
            return mine.firstDifference(theirs);
        } catch (RuntimeException e) {
            return "derived logs: " + e.getMessage();
        }
    }

    /** Keeps the first partition failure, to say why the replay stopped. */
    private static final class FirstFailure implements ProcessorListener {
        volatile Throwable cause;

        @Override
        public void clockRecordApplied(int partition, long seq) {
        }

        @Override
        public synchronized void failed(int partition, long seq, Throwable t) {
            if (cause == null) {
                cause = t;
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
