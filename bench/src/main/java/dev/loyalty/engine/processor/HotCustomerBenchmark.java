package dev.loyalty.engine.processor;

import dev.loyalty.bench.Fixtures;
import dev.loyalty.engine.RulesJson;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.state.PartitionStore;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Issue 11's hot customer through the partition path: {@link PartitionState#apply} of {@code point_add}s (one
 * lot each, shipped rules: rolling expiry) to one customer who already holds {@code lots} lots, on a real
 * RocksDB partition store. {@code pointAdd}'s ns/op must not grow with {@code lots}: the rules, the statistics
 * (expiring buckets kept from the rules' lot deltas), the due time and the outcome are O(1) per event.
 * {@code commit} is one point_add plus a commit, whose encoding of the hot row is O(lots) per commit (write-behind:
 * the processor commits every flush interval or 200K events, not per event), measured to size that cost.
 * Lives in the engine's processor package (in the bench module) because the partition state is package-private.
 * Run: {@code java -jar bench/target/benchmarks.jar HotCustomer}.
 */
@State(Scope.Thread)
@Fork(1)
public class HotCustomerBenchmark {

    private static final String HOT = "hot-customer";
    /** Events between commits while preloading lots (bounds the pending write batch). */
    private static final int PRELOAD_COMMIT = 100_000;

    @Param({"0", "10000", "100000", "1000000"})
    public int lots;

    private Path dir;
    private PartitionStore store;
    private PartitionState state;
    private Event pointAdd;
    private long seq;
    private long ingestMs = Fixtures.T0;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("hot-customer-bench");
        store = PartitionStore.open(dir, null, false);
        state = new PartitionState(store, RulesJson::read, RulesJson.write(Fixtures.rules()), 4096,
                TimeUnit.DAYS.toMillis(7), ReplayHooks.NONE);
        pointAdd = Fixtures.pointAdd(HOT, 1);
        next(Fixtures.optIn(HOT));
        for (int i = 0; i < lots; i++) {
            next(pointAdd);
            if (i % PRELOAD_COMMIT == PRELOAD_COMMIT - 1) {
                state.commit();
            }
        }
        state.commit();
    }

    /** Commits what the last iteration applied (outside the measurement: the write batch stays bounded). */
    @Setup(Level.Iteration)
    public void commitPending() {
        state.commit();
    }

    @TearDown(Level.Trial)
    public void close() {
        state.close();
        store.close();
        Fixtures.deleteTree(dir);
    }

    /** One journaled point_add to the hot customer, as the processor applies it (a new ms: a new lot). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Warmup(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
    @Measurement(iterations = 5, time = 300, timeUnit = TimeUnit.MILLISECONDS)
    public Object pointAdd() {
        return next(pointAdd);
    }

    /** One point_add and the commit that writes the hot row (O(lots): the whole row is encoded). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 1)
    public void commit() {
        next(pointAdd);
        state.commit();
        state.awaitLanded(); // the whole commit, landing included, as before the committer thread
    }

    private Object next(Event e) {
        seq++;
        ingestMs++;
        state.clock.advance(ingestMs, seq);
        int slot = state.load(e.customer());
        Object outcome = state.apply(slot, e, seq, ingestMs);
        state.recordRead(seq, seq);
        state.runDueWork(); // as at the end of each journal batch (a sync request is a batch of its own)
        return outcome;
    }
}
