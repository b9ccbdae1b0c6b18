package dev.loyalty.engine;

import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.journal.ChronicleJournal;
import dev.loyalty.engine.journal.IngestClock;
import dev.loyalty.engine.processor.PartitionProcessor;
import dev.loyalty.engine.processor.ProcessorListener;
import dev.loyalty.engine.processor.ProcessorMetrics;
import dev.loyalty.engine.state.PartitionStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.rocksdb.Cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * Rebuilds partition state from the journal into an empty folder and compares it with the live state.
 * The live state is read as flushed on disk: compare against a stopped engine (a clean shutdown flushes)
 * that had applied the whole journal, or the comparison reports the difference.
 */
public final class Replay {

    private Replay() {
    }

    /**
     * Result of a replay.
     *
     * @param records          journal records read
     * @param events           events applied or rejected
     * @param millis           wall time taken
     * @param identical        true when every partition's rebuilt state equals the live state byte for byte
     * @param firstDifference  description of the first differing key, or null when identical
     */
    public record Report(long records, long events, long millis, boolean identical, String firstDifference) {
    }

    /**
     * Replays the journal of {@code config.dataDir()} into {@code into} (must be empty or absent).
     *
     * @param progress called now and then with the number of records read so far
     */
    public static Report run(EngineConfig config, Path into, LongConsumer progress) {
        DataFolder live = new DataFolder(config.dataDir());
        if (!Files.isDirectory(live.journal())) {
            throw new ConfigException("data-dir: no journal in " + config.dataDir());
        }
        requireEmpty(into);
        int stored = live.storedPartitions();
        int partitions = stored > 0 ? stored : config.partitions();
        DataFolder target = new DataFolder(into);
        target.checkPartitions(partitions);
        long start = System.nanoTime();
        String rulesJson = RulesJson.write(config.rules());
        PartitionStore[] stores = new PartitionStore[partitions];
        PartitionProcessor[] processors = new PartitionProcessor[partitions];
        Thread[] threads = new Thread[partitions];
        long events = 0;
        long end;
        try (ChronicleJournal journal = ChronicleJournal.open(live.journal(), IngestClock.systemWall());
             Cache blockCache = PartitionStore.newBlockCache(config.state().blockCacheBytes())) {
            end = journal.lastSeq();
            ProcessorMetrics metrics = new ProcessorMetrics(new SimpleMeterRegistry(), partitions);
            ProcessorListener quiet = new ProcessorListener() {
                @Override
                public void clockRecordApplied(int partition, long seq) {
                }

                @Override
                public void failed(int partition, long seq, Throwable cause) {
                }
            };
            for (int p = 0; p < partitions; p++) {
                stores[p] = PartitionStore.open(target.state(p), blockCache, false);
                processors[p] = new PartitionProcessor(p, partitions, stores[p], journal.reader(), RulesJson::read,
                        rulesJson, new ConcurrentHashMap<>(), new AtomicInteger(), quiet,
                        config.processor().batchMax(), config.state().cacheCustomers(),
                        config.outcomesRetention().toMillis(),
                        config.activeWindowsDays().stream().mapToInt(Integer::intValue).toArray(), end, metrics);
                threads[p] = new Thread(processors[p], "replay-" + p);
                threads[p].start();
            }
            while (true) {
                boolean done = true;
                long min = Long.MAX_VALUE;
                for (PartitionProcessor p : processors) {
                    if (p.failed()) {
                        throw new IllegalStateException("replay of partition " + p.partition() + " failed");
                    }
                    done &= p.caughtUp();
                    min = Math.min(min, p.appliedSeq());
                }
                progress.accept(min);
                if (done) {
                    break;
                }
                sleep(100);
            }
            for (int p = 0; p < partitions; p++) {
                processors[p].stop();
                join(threads[p]);
                events += processors[p].eventsProcessed();
                stores[p].flush();
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        String difference = null;
        for (int p = 0; p < partitions && difference == null; p++) {
            Path liveState = live.state(p);
            if (!Files.isDirectory(liveState)) {
                difference = "no live state for partition " + p;
                break;
            }
            try (PartitionStore liveStore = PartitionStore.openReadOnly(liveState)) {
                String d = stores[p].firstDifference(liveStore);
                if (d != null) {
                    difference = "partition " + p + ": " + d;
                }
            }
        }
        for (PartitionStore s : stores) {
            s.close();
        }
        return new Report(end, events, millis, difference == null, difference);
    }

    private static void requireEmpty(Path into) {
        if (!Files.exists(into)) {
            return;
        }
        try (Stream<Path> s = Files.list(into)) {
            if (s.findAny().isPresent()) {
                throw new ConfigException("--into: " + into + " is not empty; replay needs an empty folder");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
