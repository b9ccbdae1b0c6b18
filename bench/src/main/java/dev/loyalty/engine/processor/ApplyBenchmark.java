package dev.loyalty.engine.processor;

import com.sun.management.ThreadMXBean;
import dev.loyalty.bench.Fixtures;
import dev.loyalty.engine.RulesJson;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.journal.EventCodec;
import dev.loyalty.engine.journal.JournalEvent;
import dev.loyalty.engine.rules.RuleError;
import dev.loyalty.engine.journal.PartitionHash;
import dev.loyalty.engine.state.PartitionStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.openhft.chronicle.bytes.Bytes;
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
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Issue 11's apply figure: one journaled event per call through a partition's whole apply path (decode of the
 * journal payload bytes, customer lookup, {@code CoreRules}, statistics, derived-log appends of the outcome and
 * ledger entries), one thread, on a table pre-filled with {@code customers} opted-in customers and a real RocksDB
 * store and derived logs (each with 500 points and one checkout). The events are the load harness's realistic mix (70% checkouts of 1-4 items, 10%
 * spends, 10% opt-ins of new customers, 2.5% each of point_add, review, profile and accept of a recent checkout),
 * encoded once as {@code ChronicleJournal} frames them in a record's payload ({@code hash, length,}
 * {@link EventCodec} bytes) in one off-heap buffer of {@value #EVENTS} events; each pass over it rewrites the
 * pass digits of its transaction and new-customer ids in place, so every pass is new traffic (no duplicates).
 * The record header and its CRC are left out: {@code JournalReadBenchmark} measures reading records. With
 * {@code commitEvery=0} nothing is committed during the run (the table holds every customer; RocksDB is read for
 * new customers' misses only); otherwise every {@code commitEvery} events the state commits (write-behind of the
 * dirty rows, as the processor does every 200K events or flush interval) and its CPU is printed apart.
 * Run: {@code java -jar bench/target/benchmarks.jar ApplyBenchmark -prof gc} (the fork gets an 8 GiB heap, on small
 * pages as earlier figures were; {@code -jvmArgsAppend -XX:+UseTransparentHugePages} measures it as
 * {@code bin/engine replay} runs it where the OS allows: bench/results/2026-12-07-apply.txt).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xms8g", "-Xmx8g"})
public class ApplyBenchmark {

    /** Events encoded once (a power of two) and replayed pass after pass with new ids. */
    static final int EVENTS = 1 << 20;
    /** Digits of the pass number inside each transaction and new-customer id. */
    private static final int PASS_DIGITS = 5;
    private static final long STEP_MS = 20;
    /** Records per drained batch (the processor's clock keeps one step per record of a batch). */
    private static final int BATCH = 1024;

    /** Customers in the table before the run (each opted in, 500 points and a checkout). */
    @Param({"1000000"})
    public int customers;

    /**
     * Events between commits ({@code PartitionState.commit}, as the processor's write-behind does it; 0: never,
     * the apply path alone). The commit's thread CPU is printed apart from the apply's.
     */
    @Param({"0"})
    public int commitEvery;

    /**
     * Customers the table holds ({@code state.cache-customers} after the heap cap; 0: every customer and the run's
     * new ones, so only new customers miss). Smaller than {@code customers}, most events load their customer from
     * RocksDB and evict another, as the engine's 1M-customer bulk row does (65,536 a partition at {@code -Xmx1g});
     * it needs {@code commitEvery > 0} (only committed rows can be evicted).
     */
    @Param({"0"})
    public int table;

    /**
     * RocksDB block cache of the store, MiB (the engine's {@code state.block-cache} is shared by its partitions: the
     * default 256 MiB over 2 is 128 each); 0: RocksDB's own small default, where most misses read files.
     */
    @Param({"128"})
    public int blockCacheMiB;

    /**
     * Heap the table may take, MiB ({@code PartitionState.bounded}: customers weighed as they change, clean ones
     * evicted past it; the engine's is half the heap / partitions, 256 at {@code -Xmx1g} and 2 partitions); 0: the
     * table is bounded by {@code table} (a count) only.
     */
    @Param({"0"})
    public int tableMiB;

    /** Warm tier of encoded rows, MiB, with {@code tableMiB} ({@code WarmRows}); 0: misses read RocksDB. */
    @Param({"0"})
    public int warmMiB;

    /**
     * Events whose customers not held are read ahead in one multiGet before they are applied, as the processor does
     * per journal record (a 100-event bulk carries ~50 a partition); 0: one get per miss.
     */
    @Param({"0"})
    public int readAhead;

    /**
     * Whether each iteration also prints the heap its events left reachable per event (a full collection before and
     * after it, outside the measured time): {@code gc.alloc.rate.norm} minus that is the garbage, since the run's
     * state keeps growing (nothing is committed or accepted here: transaction rows, lots, qualifying entries, new
     * customers, the dirty list). The arrays that growth replaced count as garbage.
     */
    @Param({"true"})
    public boolean retained;

    private Path dir;
    private org.rocksdb.Cache blockCache;
    private PartitionStore store;
    private PartitionState state;
    private final ConcurrentHashMap<Long, Object> waiters = new ConcurrentHashMap<>();
    private ProcessorMetrics metrics;
    private final JournalEvent event = new JournalEvent();
    private final JournalEvent ahead = new JournalEvent();
    private Bytes<?> payload;
    private int[] starts;
    /** Offsets of the pass digits to rewrite per pass, in the payload. */
    private int[] passAt;
    private int passAtCount;
    private int cursor;
    private int pass;
    private long seq;
    private long ingestMs = Fixtures.T0;
    private final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private long iterationSeq;
    private long iterationCpuNs;
    private long commitCpuNs;
    private long commits;
    private long sinceCommit;
    private final long[] iterationCounts = new long[TableCounts.COUNT];
    private long iterationHeap;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("apply-bench");
        blockCache = blockCacheMiB > 0 ? PartitionStore.newBlockCache((long) blockCacheMiB << 20) : null;
        store = PartitionStore.open(dir, blockCache, false);
        if (table > 0 && commitEvery <= 0) {
            throw new IllegalArgumentException("table=" + table + " needs commitEvery > 0: only committed rows evict");
        }
        int rows = table > 0 ? table : customers + (4 << 20);
        state = tableMiB > 0
                ? PartitionState.bounded(store, RulesJson::read, RulesJson.write(Fixtures.rules()), rows,
                        (long) tableMiB << 20, (long) warmMiB << 20, TimeUnit.DAYS.toMillis(7), ReplayHooks.NONE)
                : new PartitionState(store, RulesJson::read, RulesJson.write(Fixtures.rules()), rows,
                        TimeUnit.DAYS.toMillis(7), ReplayHooks.NONE);
        metrics = new ProcessorMetrics(new SimpleMeterRegistry(), 1);
        for (int i = 0; i < customers; i++) {
            String id = "c-" + i;
            applyObject(Fixtures.optIn(id));
            applyObject(Fixtures.event(id, "point_add", 500, null, null, null));
            applyObject(Fixtures.checkout(id, "first-" + i)); // a customer with a checkout, as most have
            if (table > 0 && (i + 1) % Math.max(1, table / 2) == 0) {
                state.commit(); // a bounded table evicts committed (clean) rows only
            }
        }
        if (commitEvery > 0) {
            state.commit(); // the run's commits then write what the run dirtied, not the pre-load
        }
        encode();
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        iterationHeap = retained ? heapAfterFullGc() : 0;
        iterationSeq = seq;
        iterationCpuNs = threads.getCurrentThreadCpuTime();
        commitCpuNs = 0;
        commits = 0;
        System.arraycopy(state.tableCounts, 0, iterationCounts, 0, TableCounts.COUNT);
    }

    /**
     * Prints the thread's CPU time per event: on this shared machine the score mostly measures the other
     * processes, the CPU time what the path costs (collection work on GC threads not included).
     */
    @TearDown(Level.Iteration)
    public void endIteration() {
        double events = seq - iterationSeq;
        double cpuNs = (threads.getCurrentThreadCpuTime() - iterationCpuNs) / events;
        System.out.printf("  thread CPU %.3f us/event (%.0f events/CPU-s) over %.0f events; of which commit"
                + " %.3f us/event (%d commits); lookups: %.1f%% loaded from the store, %.1f%% new%n", cpuNs / 1e3,
                1e9 / cpuNs, events, commitCpuNs / events / 1e3, commits,
                100 * (state.tableCounts[TableCounts.STORED] - iterationCounts[TableCounts.STORED]) / events,
                100 * (state.tableCounts[TableCounts.NEW] - iterationCounts[TableCounts.NEW]) / events);
        if (retained) {
            System.out.printf("  retained %.1f B/event (heap after a full collection, end minus start)%n",
                    (heapAfterFullGc() - iterationHeap) / events);
        }
    }

    private static long heapAfterFullGc() {
        System.gc(); // a full collection with the default collector (G1, ExplicitGCInvokesConcurrent off)
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @TearDown(Level.Trial)
    public void close() {
        state.close();
        store.close();
        if (blockCache != null) {
            blockCache.close();
        }
        payload.releaseLast();
        Fixtures.deleteTree(dir);
    }

    /** The mix, encoded as a record payload frames each event; remembers where the pass digits are. */
    private void encode() {
        payload = Bytes.allocateElasticDirect(EVENTS * 160L);
        starts = new int[EVENTS + 1];
        passAt = new int[EVENTS];
        SplittableRandom random = new SplittableRandom(11);
        String zeros = "0".repeat(PASS_DIGITS);
        String[] recentCustomer = new String[4096];
        String[] recentTxn = new String[4096];
        int recent = 0;
        for (int n = 0; n < EVENTS; n++) {
            starts[n] = (int) payload.writePosition();
            int r = random.nextInt(100);
            String customer = "c-" + random.nextInt(customers);
            String txn = null;
            Event e;
            if (r < 70) {
                txn = "t" + zeros + "-" + n;
                int lines = 1 + random.nextInt(4);
                Event.Item[] items = new Event.Item[lines];
                for (int i = 0; i < lines; i++) {
                    items[i] = new Event.Item("sku-" + random.nextInt(5000), 199 + random.nextInt(19_800),
                            1 + random.nextInt(3), random.nextInt(5) == 0 ? 100 : 0);
                }
                e = Fixtures.event(customer, "checkout", Event.ABSENT, txn, List.of(items), null);
                int at = recent < recentTxn.length ? recent++ : random.nextInt(recentTxn.length);
                recentCustomer[at] = customer;
                recentTxn[at] = txn;
            } else if (r < 80) {
                txn = "s" + zeros + "-" + n;
                e = Fixtures.event(customer, "point_spend", 1 + random.nextInt(50), txn, null, null);
            } else if (r < 90) {
                txn = "n" + zeros + "-" + n; // a new customer's id carries the pass digits
                customer = txn;
                txn = null;
                e = Fixtures.event(customer, "opt_in", Event.ABSENT, null, null,
                        "{\"country\":\"DE\",\"newsletter\":true}");
            } else {
                int k = random.nextInt(4);
                if (k == 3 && recent > 0) {
                    int at = random.nextInt(recent);
                    customer = recentCustomer[at];
                    txn = recentTxn[at];
                    recent--;
                    recentCustomer[at] = recentCustomer[recent];
                    recentTxn[at] = recentTxn[recent];
                    e = Fixtures.event(customer, "checkout_accept", Event.ABSENT, txn, null, null);
                } else if (k == 1) {
                    e = new Event(customer, "review_written", null, "points", Event.ABSENT, Event.ABSENT, null,
                            Event.ABSENT, null, Event.ABSENT, Event.ABSENT, "review of sku-" + random.nextInt(5000),
                            null);
                } else if (k == 2) {
                    e = Fixtures.event(customer, "profile", Event.ABSENT, null, null, "{\"birthday\":\"1970-01-12\"}");
                } else {
                    e = new Event(customer, "point_add", null, "points", Event.ABSENT, 10 + random.nextInt(91), null,
                            Event.ABSENT, null, Event.ABSENT, Event.ABSENT, "goodwill", null);
                }
            }
            payload.writeInt(PartitionHash.of(e.customer()));
            long lengthAt = payload.writePosition();
            payload.writeInt(0);
            long eventAt = payload.writePosition();
            EventCodec.write(payload, e, 0);
            payload.writeInt(lengthAt, (int) (payload.writePosition() - eventAt));
            String marked = e.action().equals("opt_in") ? e.customer() : txn;
            if (marked != null) {
                passAt[passAtCount++] = (int) indexOf(eventAt, marked) + 1;
            }
        }
        starts[EVENTS] = (int) payload.writePosition();
    }

    /** Where the UTF-8 bytes of {@code s} start in the payload at or after {@code from}. */
    private long indexOf(long from, String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (long p = from; ; p++) {
            boolean match = true;
            for (int i = 0; i < b.length && match; i++) {
                match = payload.readByte(p + i) == b[i];
            }
            if (match) {
                return p;
            }
        }
    }

    /** Next pass: writes its number into every transaction and new-customer id. */
    private void nextPass() {
        pass++;
        for (int i = 0; i < passAtCount; i++) {
            int v = pass;
            for (int d = PASS_DIGITS - 1; d >= 0; d--) {
                payload.writeByte(passAt[i] + d, (byte) ('0' + v % 10));
                v /= 10;
            }
        }
    }

    private void applyObject(Event e) {
        seq++;
        ingestMs += STEP_MS;
        state.clock.advance(ingestMs, seq);
        int slot = state.load(e.customer());
        state.apply(slot, e, seq, ingestMs);
        state.recordRead(seq, seq);
    }

    /**
     * One journaled event, as {@code PartitionProcessor}'s record loop applies it (a record of one event, nobody
     * waiting, no view asked for): the same calls in the same order.
     */
    @Benchmark
    public long apply() {
        if (cursor == EVENTS) {
            cursor = 0;
            nextPass();
        }
        if ((cursor & (BATCH - 1)) == 0) {
            state.clock.newBatch(); // as the processor's drain starts a batch of up to processor.batch-max records
            metrics.flush(0); // and publishes the batch's event counts
        }
        if (readAhead > 0 && cursor % readAhead == 0) {
            readAhead(cursor, Math.min(EVENTS, cursor + readAhead));
        }
        int at = starts[cursor++];
        seq++;
        ingestMs += STEP_MS;
        state.clock.advance(ingestMs, seq);
        payload.readPositionRemaining(at, starts[cursor] - at);
        int hash = payload.readInt();
        int len = payload.readInt();
        if (PartitionHash.partition(hash, 1) != 0) {
            payload.readSkip(len);
            return 0;
        }
        JournalEvent e = event.read(payload);
        int slot = state.load(e);
        RuleError error = state.apply(slot, e, seq, ingestMs);
        metrics.applied(0, e.action(), error);
        long r = !waiters.isEmpty() && waiters.containsKey(seq) ? 1 : 0;
        state.runDueWork();
        state.recordRead(seq, seq);
        if (commitEvery > 0 && ++sinceCommit == commitEvery) {
            sinceCommit = 0;
            long t0 = threads.getCurrentThreadCpuTime();
            // The partition thread's share only: the batch is written on the committer's thread (since
            // 2026-12-07; earlier figures include RocksDB's write).
            state.commit();
            commitCpuNs += threads.getCurrentThreadCpuTime() - t0;
            commits++;
        }
        return r + slot;
    }

    /** The processor's pre-read hook over events [from, to): their customers not held, in one multiGet. */
    private void readAhead(int from, int to) {
        state.forgetWanted();
        if (!state.mayHoldColdCustomers()) {
            return;
        }
        for (int i = from; i < to; i++) {
            payload.readPositionRemaining(starts[i], starts[i + 1] - starts[i]);
            payload.readSkip(8); // partition hash and length: one partition here
            state.wantCustomer(ahead.readCustomerOnly(payload));
        }
        state.readWanted();
    }
}
