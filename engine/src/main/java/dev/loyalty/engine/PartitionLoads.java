package dev.loyalty.engine;

import dev.loyalty.engine.processor.PartitionProcessor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/** The partitions' state loads of a start, side by side on one loader thread per core. */
final class PartitionLoads {
    private final ExecutorService pool;
    private final List<Future<PartitionProcessor>> loads;

    private PartitionLoads(ExecutorService pool, List<Future<PartitionProcessor>> loads) {
        this.pool = pool;
        this.loads = loads;
    }

    /** Starts loading partitions 0 to {@code count - 1} with {@code load}. */
    static PartitionLoads start(int count, IntFunction<PartitionProcessor> load) {
        int loaders = Math.max(1, Math.min(count, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(loaders, r -> {
            Thread t = new Thread(r, "partition-load");
            t.setDaemon(true);
            return t;
        });
        List<Future<PartitionProcessor>> loads = new ArrayList<>(count);
        for (int p = 0; p < count; p++) {
            int partition = p;
            loads.add(pool.submit(() -> load.apply(partition)));
        }
        pool.shutdown();
        return new PartitionLoads(pool, loads);
    }

    /**
     * Waits for every load; a load that failed refuses the start with its own exception (the others' failures
     * suppressed in it), as a serial load did.
     */
    PartitionProcessor[] await() {
        PartitionProcessor[] loaded = new PartitionProcessor[loads.size()];
        RuntimeException failure = null;
        for (int p = 0; p < loaded.length; p++) {
            try {
                loaded[p] = loads.get(p).get();
            } catch (ExecutionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException re ? re
                        : new IllegalStateException("partition " + p + " could not load", e.getCause());
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the partitions' states loaded", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return loaded;
    }
}
