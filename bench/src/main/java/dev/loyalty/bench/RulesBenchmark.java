package dev.loyalty.bench;

import dev.loyalty.bench.Fixtures.BenchContext;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.rules.Customer;
import dev.loyalty.engine.rules.CustomerCodec;
import dev.loyalty.engine.rules.EventOutcome;
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
 * {@link Rules#apply} per action, on in-memory customers, as a processor thread calls it (no journal, no
 * state store, no encoding): events per second. The customers are {@value #POOL} typical ones
 * ({@link Fixtures#typicalCustomer}: opted in, 5000 points, weekly checkouts, two pending), visited in
 * turn while the clock moves about one day per round, so that every customer sees about one event a day
 * and pending checkouts fall due (their acceptance runs inside {@code apply}, as in the engine). Each
 * iteration starts again from the same customers, so state does not pile up across iterations.
 * {@code opt_in} signs up a new customer per call; {@code mix} is the realistic mix (70% checkout, 10%
 * point_spend, 10% opt_in, 2.5% each point_add, review_written, profile and checkout_accept of that
 * customer's latest checkout). Building the event (and its transaction id) is part of each call, as the
 * processor also builds one per journaled event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class RulesBenchmark {

    static final int POOL = 8192;
    private static final long STEP_MS = Fixtures.DAY_MS / POOL;

    @Param({"checkout", "point_spend", "point_add", "review_written", "profile", "opt_in", "mix"})
    public String action;

    private Rules rules;
    private byte[][] snapshots;
    private Customer[] pool;
    private BenchContext ctx;
    private final List<LedgerEntry> ledger = new ArrayList<>();
    private final EventMix mix = new EventMix(POOL);
    private int accounts;
    private int cursor;
    private long counter;

    @Setup(Level.Trial)
    public void customers() {
        rules = new Rules(Fixtures.rules());
        accounts = rules.config().accounts().size();
        snapshots = new byte[POOL][];
        for (int i = 0; i < POOL; i++) {
            snapshots[i] = CustomerCodec.encode(Fixtures.typicalCustomer(rules, "c-" + i, new BenchContext()));
        }
    }

    @Setup(Level.Iteration)
    public void reset() {
        pool = new Customer[POOL];
        for (int i = 0; i < POOL; i++) {
            pool[i] = CustomerCodec.decode(snapshots[i]);
        }
        mix.reset();
        ctx = new BenchContext().at(Fixtures.T0);
        cursor = 0;
    }

    @Benchmark
    public EventOutcome apply() {
        int slot = cursor++ & (POOL - 1);
        Customer c = pool[slot];
        long n = ++counter;
        ctx.step(STEP_MS);
        ledger.clear();
        String kind = "mix".equals(action) ? mix.kind(slot) : action;
        Event e;
        if (kind.equals("opt_in")) {
            c = new Customer("n-" + n, accounts);
            e = Fixtures.optIn(c.id());
        } else {
            e = mix.event(kind, slot, c.id(), n);
        }
        return rules.apply(c, e, ctx, ledger);
    }
}
