package dev.loyalty.bench;

import dev.loyalty.bench.Fixtures.BenchContext;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.core.CoreCustomerCodec;
import dev.loyalty.engine.core.CoreRules;
import dev.loyalty.engine.core.CustomerTable;
import dev.loyalty.engine.core.EffectSink;
import dev.loyalty.engine.core.TransactionArchive;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.rules.Customer;
import dev.loyalty.engine.rules.CustomerCodec;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.rules.Rules;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Today's rules ({@code core=v1}: {@link Rules} on {@link Customer} objects) against the processor core v2
 * ({@code core=v2}: {@link CoreRules} on a {@link CustomerTable}) on the same workload as {@link RulesBenchmark}:
 * {@value #POOL} typical customers visited in turn while the clock moves about a day per round, per action and
 * on the realistic mix. Both build the same events per call (that allocation is common to both), so
 * {@code -prof gc}'s {@code gc.alloc.rate.norm} difference is what the rules themselves allocate. A v2 opt_in
 * creates a table row and drops it after the call (as a flushed, evicted customer); v1 creates a new Customer.
 * Run: {@code java -jar bench/target/benchmarks.jar CoreRules -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class CoreRulesBenchmark {

    static final int POOL = 8192;
    private static final long STEP_MS = Fixtures.DAY_MS / POOL;

    /** {@code events} builds the events only: the allocation both cores share, to subtract. */
    @Param({"v1", "v2", "events"})
    public String core;

    /** {@code hot_point_add}: every call a point_add to the same customer, whose lots and window keep growing. */
    @Param({"checkout", "point_spend", "point_add", "review_written", "opt_in", "mix", "hot_point_add"})
    public String action;

    private RulesConfig config;
    private Rules rules;
    private byte[][] v1Snapshots;
    private byte[][] v2Snapshots;
    private Customer[] pool;
    private CustomerTable table;
    private CoreRules coreRules;
    private CoreCustomerCodec codec;
    private int[] slots;
    private String[] ids;
    private final EffectSink sink = new EffectSink();
    private final List<LedgerEntry> ledger = new ArrayList<>();
    private BenchContext ctx;
    private final EventMix mix = new EventMix(POOL);
    private int cursor;
    private long counter;

    @Setup(Level.Trial)
    public void customers() {
        config = Fixtures.rules();
        rules = new Rules(config);
        codec = new CoreCustomerCodec(config.customActions());
        v1Snapshots = new byte[POOL][];
        v2Snapshots = new byte[POOL][];
        CustomerTable built = new CustomerTable(POOL, config.accounts().size());
        CoreRules builder = new CoreRules(config, built, TransactionArchive.NONE);
        for (int i = 0; i < POOL; i++) {
            String id = "c-" + i;
            v1Snapshots[i] = CustomerCodec.encode(Fixtures.typicalCustomer(rules, id, new BenchContext()));
            v2Snapshots[i] = codec.encode(built, typicalCustomer(builder, built, id, new BenchContext()));
        }
        reset();
    }

    /** The same history as {@link Fixtures#typicalCustomer}, through the core v2. */
    private int typicalCustomer(CoreRules r, CustomerTable t, String id, BenchContext c) {
        int slot = t.create(id);
        long start = Fixtures.T0 - 60 * Fixtures.DAY_MS;
        r.apply(slot, Fixtures.optIn(id), c.at(start), sink);
        r.apply(slot, Fixtures.pointAdd(id, 5000), c.at(start + 1000), sink);
        for (int week = 0; week < 8; week++) {
            r.apply(slot, Fixtures.checkout(id, "W" + week), c.at(start + (week + 1) * 7 * Fixtures.DAY_MS), sink);
        }
        r.runDue(slot, c.at(Fixtures.T0), sink);
        sink.clear();
        return slot;
    }

    /**
     * Once per trial, not per iteration: JMH's gc profiler counts what an iteration's setup allocates, which
     * would drown the per-event figure. State builds up over the trial (as it does in a processor).
     */
    private void reset() {
        ids = new String[POOL];
        if ("v1".equals(core)) {
            pool = new Customer[POOL];
            for (int i = 0; i < POOL; i++) {
                pool[i] = CustomerCodec.decode(v1Snapshots[i]);
                ids[i] = pool[i].id();
            }
        } else {
            table = new CustomerTable(POOL + 1, config.accounts().size());
            coreRules = new CoreRules(config, table, TransactionArchive.NONE);
            slots = new int[POOL];
            for (int i = 0; i < POOL; i++) {
                slots[i] = codec.decode(v2Snapshots[i], table);
                ids[i] = table.id(slots[i]);
            }
        }
        mix.reset();
        ctx = new BenchContext().at(Fixtures.T0);
        cursor = 0;
    }

    /** One event applied; returns something derived from the result so that nothing is optimised away. */
    @Benchmark
    public long apply() {
        int i = "hot_point_add".equals(action) ? 0 : cursor++ & (POOL - 1);
        long n = ++counter;
        ctx.step(STEP_MS);
        String kind = "mix".equals(action) ? mix.kind(i) : action;
        boolean optIn = kind.equals("opt_in");
        if ("events".equals(core)) {
            Event e = optIn ? Fixtures.optIn("n-" + n) : mix.event(kind, i, ids[i], n);
            return e.hashCode();
        }
        if ("v1".equals(core)) {
            ledger.clear();
            Customer c = optIn ? new Customer("n-" + n, config.accounts().size()) : pool[i];
            Event e = optIn ? Fixtures.optIn(c.id()) : mix.event(kind, i, c.id(), n);
            return rules.apply(c, e, ctx, ledger).effects().size();
        }
        sink.clear();
        if (optIn) {
            String id = "n-" + n;
            int slot = table.create(id);
            boolean applied = coreRules.apply(slot, Fixtures.optIn(id), ctx, sink) == null;
            table.remove(slot);
            return applied ? 1 : 0;
        }
        boolean applied = coreRules.apply(slots[i], mix.event(kind, i, ids[i], n), ctx, sink) == null;
        return applied ? sink.size() : -1;
    }
}
