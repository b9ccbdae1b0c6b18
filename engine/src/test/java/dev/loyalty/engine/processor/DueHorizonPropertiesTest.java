package dev.loyalty.engine.processor;

import dev.loyalty.engine.RulesJson;
import dev.loyalty.engine.config.ExpiryPolicy;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.rules.ApplyContext;
import dev.loyalty.engine.rules.Customer;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.rules.Rules;
import dev.loyalty.engine.rules.TestConfigs;
import dev.loyalty.engine.state.PartitionStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random journals over months through a {@link PartitionState} whose due queue holds only the near horizon, with
 * a table of a few rows (evictions, dirty rows written into the pending batch), due windows of a few keys, clock
 * steps from milliseconds to 200 days (many across the hour the queue holds), commits, batch ends, restarts from
 * the last commit and journaled rules changes that move expiries and reshape the table, against today's object rules ({@link Rules})
 * driven as a processor drives them: every record first runs the work of every customer due by the clock, in
 * customer order. Every ledger entry (in order: derived-log order), every outcome and every customer must agree.
 */
@Timeout(120)
class DueHorizonPropertiesTest {
    private static final long T0 = 1_767_225_600_000L;
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    /** Over all seeds: a run that never reached due work or never restarted would prove little. */
    private static final AtomicLong dueEntries = new AtomicLong();
    private static final AtomicLong restartsTotal = new AtomicLong();

    @TempDir
    Path dir;

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 40);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void shouldRunEveryDueWorkAsTheReferenceDoes(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        ExpiryPolicy policy = ExpiryPolicy.values()[r.nextInt(ExpiryPolicy.values().length)];
        int days = r.nextBoolean() ? 30 : 90;
        int pendingDays = r.nextBoolean() ? 0 : 14;
        RulesConfig[] variants = {TestConfigs.with(policy, days, pendingDays),
            withSurvey(TestConfigs.with(policy, days * 2, pendingDays))};
        int rows = 2 + r.nextInt(6);
        int window = 1 + r.nextInt(4);
        int customers = 3 + r.nextInt(14);
        int steps = 150 + r.nextInt(250);
        // every other seed through a warm tier of 32 KiB (4 KiB segments: rows moved and dropped all the time),
        // without drawing from r (the seeds' journals stay as they were)
        long warm = (seed & 1) == 0 ? 32 << 10 : 0;

        Reference ref = new Reference(variants[0]);
        Observed seen = new Observed();
        String json = RulesJson.write(variants[0]);
        int variant = 0;
        long wall = T0;
        long seq = 0;
        int restarts = 0;
        try (PartitionStore store = PartitionStore.open(dir.resolve("p"), null, false)) {
            PartitionState state = PartitionState.withTableRows(store, RulesJson::read, json, 400 * DAY, seen,
                    window, rows, warm);
            for (int step = 0; step < steps; step++) {
                wall += advance(r);
                // now and then a record ingested a little before the clock (another producer's): the clock stays
                long ingest = r.nextInt(20) == 0 ? wall - r.nextInt(10_000) : wall;
                long first = seq + 1;
                // as PartitionProcessor.onRecord: the clock moves, the record applies, then due work runs
                state.clock.advance(ingest, first);
                ref.advance(ingest, first);
                int kind = r.nextInt(100);
                if (kind < 3) {
                    // a journaled rules change moving every expiry (the partition recounts and reindexes)
                    seq++;
                    variant = 1 - variant;
                    state.putInForce(RulesJson.write(variants[variant]), seq);
                    ref.putInForce(variants[variant], seq);
                } else if (kind < 12) {
                    seq++; // a heartbeat
                } else {
                    // an events record: one event, or a bulk of a few
                    int n = r.nextInt(4) == 0 ? 2 + r.nextInt(3) : 1;
                    for (int i = 0; i < n; i++) {
                        seq++;
                        Event e = event(r, "c-" + (10 + r.nextInt(customers)), ingest, days);
                        state.apply(state.load(e.customer()), e, seq, ingest);
                        ref.apply(e, seq, ingest);
                    }
                }
                state.runDueWork();
                ref.runDue();
                state.recordRead(first, seq);
                if (r.nextInt(5) == 0) {
                    state.clock.newBatch();
                }
                if (r.nextInt(8) == 0) {
                    state.commit();
                    state.clock.newBatch();
                }
                if (r.nextInt(40) == 0) {
                    state.commit();
                    state.close();
                    restarts++;
                    state = PartitionState.withTableRows(store, RulesJson::read, json, 400 * DAY, seen, window,
                            rows, warm);
                }
                assertSameLedger(seen.ledger, ref.ledger, "after seq " + seq + " (seed " + seed + ")");
            }
            assertThat(seen.outcomes).as("outcomes (seed %s)", seed).isEqualTo(ref.outcomes);
            assertCustomers(state, ref, "end", seed);
            state.commit();
            state.close();
            state = PartitionState.withTableRows(store, RulesJson::read, json, 400 * DAY, seen, window, rows, warm);
            assertCustomers(state, ref, "reopened", seed);
            state.close();
        }
        assertThat(ref.ledger).as("entries compared (seed %s)", seed).isNotEmpty();
        dueEntries.addAndGet(ref.dueEntries);
        restartsTotal.addAndGet(restarts);
    }

    @AfterAll
    static void shouldHaveComparedDueWorkAndRestarts() {
        assertThat(dueEntries.get()).as("ledger entries written by due work, all seeds").isGreaterThan(500);
        assertThat(restartsTotal.get()).as("restarts, all seeds").isGreaterThan(40);
    }

    /** From their first difference, a few entries of each (a whole ledger in a message hides where it is). */
    private static void assertSameLedger(List<LedgerEntry> actual, List<LedgerEntry> expected, String where) {
        int i = 0;
        while (i < actual.size() && i < expected.size() && actual.get(i).equals(expected.get(i))) {
            i++;
        }
        assertThat(actual.subList(i, Math.min(actual.size(), i + 6)))
                .as("ledger entries from #%s of %s/%s, %s", i, actual.size(), expected.size(), where)
                .isEqualTo(expected.subList(i, Math.min(expected.size(), i + 6)));
    }

    /** The same rules plus a custom action: a change to or from them also reshapes the partition's table. */
    private static RulesConfig withSurvey(RulesConfig base) {
        List<RulesConfig.CustomAction> actions = new ArrayList<>(base.customActions());
        actions.add(new RulesConfig.CustomAction("survey_answered", 20, "bonus", false));
        return new RulesConfig(base.defaultAccount(), base.accounts(), base.maxBackdateDays(),
                base.maxFutureSeconds(), base.earnRate(), base.pendingDays(), base.tiers(), base.activityActions(),
                actions);
    }

    private static void assertCustomers(PartitionState state, Reference ref, String when, long seed) {
        for (Map.Entry<String, Customer> c : ref.customers.entrySet()) {
            CustomerView expected = c.getValue().exists() ? ref.rules.view(c.getValue(), ref.clockMs) : null;
            assertThat(state.view(state.load(c.getKey()))).as("%s at %s (seed %s)", c.getKey(), when, seed)
                    .isEqualTo(expected);
        }
    }

    /** Milliseconds, minutes, around the hour the queue holds, days, months. */
    private static long advance(SplittableRandom r) {
        int k = r.nextInt(100);
        if (k < 35) {
            return 0;
        } else if (k < 55) {
            return r.nextLong(1, 60_000);
        } else if (k < 75) {
            return r.nextLong(1, 2 * HOUR);
        } else if (k < 92) {
            return r.nextLong(1, 3 * DAY);
        }
        return r.nextLong(1, 200 * DAY);
    }

    /** A random event of that customer; points often backdated, so that some expire within the hour. */
    private static Event event(SplittableRandom r, String customer, long ingest, int days) {
        String txn = "T-" + r.nextInt(4);
        long points = r.nextLong(1, 500);
        int k = r.nextInt(100);
        if (k < 12) {
            return event(customer, "opt_in", Event.ABSENT, Event.ABSENT, null, null);
        } else if (k < 45) {
            long effective = r.nextInt(3) == 0 ? Event.ABSENT : ingest - r.nextLong(0, days * DAY + HOUR);
            return event(customer, "point_add", effective, points, null, null);
        } else if (k < 55) {
            return event(customer, "point_spend", Event.ABSENT, points / 2 + 1, null, null);
        } else if (k < 60) {
            return event(customer, "point_sub", Event.ABSENT, points / 3 + 1, null, null);
        } else if (k < 75) {
            return event(customer, "checkout", Event.ABSENT, Event.ABSENT, txn,
                    List.of(new Event.Item("sku-1", r.nextLong(100, 20_000), 1, 0)));
        } else if (k < 82) {
            return event(customer, "checkout_accept", Event.ABSENT, Event.ABSENT, txn, null);
        } else if (k < 86) {
            return event(customer, "checkout_reject", Event.ABSENT, Event.ABSENT, txn, null);
        } else if (k < 93) {
            return event(customer, "reserve_points", Event.ABSENT, points / 4 + 1, "R-" + txn, null);
        }
        return event(customer, "release_points", Event.ABSENT, Event.ABSENT, "R-" + txn, null);
    }

    private static Event event(String customer, String action, long effective, long points, String txn,
                               List<Event.Item> items) {
        return new Event(customer, action, null, "points", effective, points, txn, Event.ABSENT, items,
                Event.ABSENT, Event.ABSENT, null, null);
    }

    /** What the partition wrote, through its replay hooks (kept across restarts). */
    private static final class Observed implements ReplayHooks {
        final List<LedgerEntry> ledger = new ArrayList<>();
        final List<EventOutcome> outcomes = new ArrayList<>();

        @Override
        public void ledger(LedgerEntry entry) {
            ledger.add(entry);
        }

        @Override
        public void outcome(EventOutcome outcome) {
            outcomes.add(outcome);
        }
    }

    /**
     * Today's rules driven as a processor drives them: the clock is the largest ingest time, due work runs for
     * every customer due by it in customer order, attributed to the first record whose clock reached it.
     */
    private static final class Reference {
        Rules rules;
        final TreeMap<String, Customer> customers = new TreeMap<>();
        final List<LedgerEntry> ledger = new ArrayList<>();
        final List<EventOutcome> outcomes = new ArrayList<>();
        long clockMs = Long.MIN_VALUE;
        long clockSeq;
        /** Ledger entries written by due work (not by events). */
        long dueEntries;
        /** {seq, clock} of every record that moved the clock. */
        private final List<long[]> steps = new ArrayList<>();

        Reference(RulesConfig config) {
            rules = new Rules(config);
        }

        void advance(long ingestMs, long seq) {
            if (ingestMs > clockMs) {
                clockMs = ingestMs;
                clockSeq = seq;
                steps.add(new long[] {seq, ingestMs});
            }
        }

        void runDue() {
            runDue(context(clockSeq, clockMs, false));
        }

        private void runDue(ApplyContext ctx) {
            int before = ledger.size();
            for (Customer c : customers.values()) {
                if (rules.nextDueMs(c) <= clockMs) {
                    rules.runDue(c, ctx, ledger);
                }
            }
            dueEntries += ledger.size() - before;
        }

        void apply(Event e, long seq, long ingestMs) {
            Customer c = customers.computeIfAbsent(e.customer(),
                    id -> new Customer(id, rules.config().accounts().size()));
            outcomes.add(rules.apply(c, e, context(seq, ingestMs, false), ledger));
        }

        /**
         * New rules from that record on: work due under the old ones runs under them first; work the new ones make
         * overdue runs at once, attributed to the rules record.
         */
        void putInForce(RulesConfig config, long seq) {
            runDue();
            rules = new Rules(config);
            runDue(context(seq, clockMs, true));
        }

        private ApplyContext context(long seq, long ingestMs, boolean seqFixed) {
            long now = clockMs;
            return new ApplyContext() {
                @Override
                public long seq() {
                    return seq;
                }

                @Override
                public long ingestTimeMs() {
                    return ingestMs;
                }

                @Override
                public long clockMs() {
                    return now;
                }

                @Override
                public long seqWhenDue(long dueMs) {
                    if (seqFixed) {
                        return seq;
                    }
                    for (long[] s : steps) {
                        if (s[1] >= dueMs) {
                            return s[0];
                        }
                    }
                    return clockSeq;
                }
            };
        }
    }
}
