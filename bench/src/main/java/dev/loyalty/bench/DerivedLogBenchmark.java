package dev.loyalty.bench;

import com.sun.management.ThreadMXBean;
import dev.loyalty.engine.derived.DerivedLog;
import dev.loyalty.engine.derived.DerivedMark;
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

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the derived log costs the partition thread per event: one outcome ({@code outcomeBytes}, about what
 * {@code OutcomeCodec} writes for an event with two entries) and two ledger entries of a customer drawn from
 * {@code customers}, chained to that customer's head; {@link DerivedLog#mark()} once per
 * {@link #BATCH} events, as a snapshot commit would. Score: events per second on one thread; run with
 * {@code -prof gc} for the allocation per event. To keep the disk use of a long run bounded the logs are
 * truncated to empty every {@link #RESTART} events (that cost is in the score, spread over the events).
 * Each iteration also prints the thread's CPU time per event (user and system): on a shared machine the
 * score mostly measures the other processes, the CPU time what the log costs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class DerivedLogBenchmark {

    static final int BATCH = 4096;
    static final int RESTART = 1 << 22;

    /** 1000: the log's own cost; 1M: with the cache misses of heads and ids of customers spread over memory. */
    @Param({"1000", "1000000"})
    public int customers;

    @Param({"160"})
    public int outcomeBytes;

    @Param({"70"})
    public int entryBytes;

    private Path dir;
    private DerivedLog log;
    private String[] ids;
    private long[] heads;
    private long[] nextEntryId;
    private int[] order;
    private byte[] outcome;
    private byte[] entry;
    private long seq;
    private final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private long iterationSeq;
    private long iterationCpuNs;
    private long iterationUserNs;

    @Setup(Level.Trial)
    public void open() throws IOException {
        ids = new String[customers];
        for (int i = 0; i < customers; i++) {
            ids[i] = "c-" + i;
        }
        heads = new long[customers];
        nextEntryId = new long[customers];
        // a fixed random visiting order: customers scattered over the log, as under real traffic
        SplittableRandom r = new SplittableRandom(42);
        order = new int[1 << 20];
        for (int i = 0; i < order.length; i++) {
            order[i] = r.nextInt(customers);
        }
        outcome = new byte[outcomeBytes];
        entry = new byte[entryBytes];
        r.nextBytes(outcome);
        r.nextBytes(entry);
        dir = Files.createTempDirectory("derived-log-bench");
        log = DerivedLog.open(dir, DerivedMark.EMPTY);
        restart();
    }

    private void restart() {
        log.truncateTo(DerivedMark.EMPTY);
        Arrays.fill(heads, DerivedLog.NO_ENTRY);
        Arrays.fill(nextEntryId, 0);
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        iterationSeq = seq;
        iterationCpuNs = threads.getCurrentThreadCpuTime();
        iterationUserNs = threads.getCurrentThreadUserTime();
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        double events = seq - iterationSeq;
        double cpu = (threads.getCurrentThreadCpuTime() - iterationCpuNs) / events / 1e3;
        double user = (threads.getCurrentThreadUserTime() - iterationUserNs) / events / 1e3;
        System.out.printf("  thread CPU %.3f us/event (user %.3f, system %.3f) over %.0f events%n", cpu, user,
                cpu - user, events);
    }

    /** One event: its outcome and two ledger entries of its customer. */
    @Benchmark
    public long appendEvent() {
        long s = ++seq;
        log.appendOutcome(s, s, outcome, 0, outcome.length);
        int c = order[(int) (s & (order.length - 1))];
        long head = log.appendLedger(heads[c], ids[c], ++nextEntryId[c], s, entry, 0, entry.length);
        head = log.appendLedger(head, ids[c], ++nextEntryId[c], s, entry, 0, entry.length);
        heads[c] = head;
        if ((s & (BATCH - 1)) == 0) {
            log.mark();
            if ((s & (RESTART - 1)) == 0) {
                restart();
            }
        }
        return head;
    }

    /**
     * Control: the same customer look-ups (id, head, entry counter) without the log, so that the difference
     * to {@link #appendEvent} is what the log itself costs.
     */
    @Benchmark
    public long touchCustomerOnly() {
        long s = ++seq;
        int c = order[(int) (s & (order.length - 1))];
        nextEntryId[c] += 2;
        heads[c] = s + ids[c].length();
        return heads[c];
    }

    @TearDown(Level.Trial)
    public void close() {
        log.close();
        Fixtures.deleteTree(dir);
    }
}
