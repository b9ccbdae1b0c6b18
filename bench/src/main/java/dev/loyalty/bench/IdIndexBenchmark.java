package dev.loyalty.bench;

import dev.loyalty.engine.idempotency.IdempotencyIndex;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The id index's write-behind as the engine drives it: per operation {@code idsPerFlush} puts of new
 * UUID-like ids and one flush (the engine flushes every 20 ms: 360 ids is the bulk row's ~18K events/s), a
 * checkpoint every 50 flushes (once a second) and an expiry pass every 500 (10 s) on an ingest clock that
 * moves 20 ms a flush, so RocksDB holds a steady {@code retainedIds} and its flushes, compactions and deletes
 * run as they would (with {@code retainedIds} beyond the run's ids, as in a bulk run under a 7-day retention, no
 * expiry pass finds anything). Score: flushes per second; {@code ids} counts ids; the {@code cpu-split} line gives the
 * process's CPU per flush, RocksDB's background threads included (in {@code gc+jit+vm}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 4, time = 10)
@Fork(1)
public class IdIndexBenchmark {

    private static final long FLUSH_MS = 20;
    private static final int KEY_SPACE = 1 << 21;

    @Param({"360"})
    public int idsPerFlush;

    /** Ids retained: 700K reaches expiry within the warm-up; 100M never expires in a run (the bulk row's 7 days). */
    @Param({"700000", "100000000"})
    public int retainedIds;

    private Path dir;
    private IdempotencyIndex index;
    private String[] ids;
    private String[] customers;
    private long retentionMs;
    private long nowMs = Fixtures.T0;
    private long flushes;
    private long seq;
    private long operations;
    private final CpuSplit cpu = new CpuSplit();

    /** Ids put per second, beside JMH's flushes per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long ids;
    }

    @Setup(Level.Trial)
    public void open() throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        ids = new String[KEY_SPACE];
        for (int i = 0; i < KEY_SPACE; i++) {
            ids[i] = new UUID(random.nextLong(), random.nextLong()).toString();
        }
        customers = new String[1024];
        for (int i = 0; i < customers.length; i++) {
            customers[i] = "c-" + i;
        }
        retentionMs = (long) retainedIds / idsPerFlush * FLUSH_MS;
        dir = Files.createTempDirectory("id-index-bench");
        index = IdempotencyIndex.open(dir);
    }

    @Benchmark
    public int flush(Counters counters) {
        for (int i = 0; i < idsPerFlush; i++) {
            long s = seq++;
            // The key space is far larger than the retained ids: an id comes back only long after it expired.
            index.put(ids[(int) (s & (KEY_SPACE - 1))],
                    new IdempotencyIndex.Entry(s, s * 31, nowMs, customers[(int) (s & 1023)]));
        }
        int written = index.flush();
        nowMs += FLUSH_MS;
        flushes++;
        if (flushes % 50 == 0) {
            index.checkpoint(seq);
        }
        if (flushes % 500 == 0) {
            index.expireBefore(nowMs - retentionMs);
        }
        counters.ids += idsPerFlush;
        operations++;
        return written;
    }

    @Setup(Level.Iteration)
    public void startCpu() {
        operations = 0;
        cpu.start();
    }

    /** Prints this iteration's CPU per flush by thread role (a {@code cpu-split} line in the JMH output). */
    @TearDown(Level.Iteration)
    public void printCpu(BenchmarkParams params) {
        cpu.print("idflush", operations);
    }

    @TearDown(Level.Trial)
    public void close() {
        index.close();
        Fixtures.deleteTree(dir);
    }
}
