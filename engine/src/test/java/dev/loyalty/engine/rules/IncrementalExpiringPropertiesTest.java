package dev.loyalty.engine.rules;

import dev.loyalty.engine.config.ExpiryPolicy;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.core.CoreCustomerCodec;
import dev.loyalty.engine.core.CoreRules;
import dev.loyalty.engine.core.CustomerTable;
import dev.loyalty.engine.core.EffectSink;
import dev.loyalty.engine.core.TransactionArchive;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.rules.CoreDifferentialPropertiesTest.Setup;
import dev.loyalty.engine.rules.CoreDifferentialPropertiesTest.Step;
import dev.loyalty.engine.stats.CustomerFacts;
import dev.loyalty.engine.stats.PartitionStats;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;

import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static dev.loyalty.engine.rules.Harness.DAY;
import static dev.loyalty.engine.rules.Harness.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The /stats expiring buckets kept incrementally, as a partition keeps them (O(accounts) facts diffed around
 * each rules call plus the lot changes the rules report), equal a full recount of every customer's lots after
 * every record of random histories: earns, spends across lots, refunds, expiries, clock jumps of up to 200
 * days, snapshot reloads, and journaled rules changes of the expiry policies (which recount, as the partition
 * does, then go on incrementally).
 */
class IncrementalExpiringPropertiesTest {

    private static final String[] ACTIONS = {"opt_in", "opt_out", "profile", "point_add", "point_sub",
        "point_spend", "point_unspend", "checkout", "checkout_accept", "checkout_reject", "refund",
        "partial_refund", "reserve_points", "release_points", "review_written", "newsletter_signup",
        "no_such_action", "tick", "heartbeat", "batch_end", "reload"};
    private static final String[] CUSTOMERS = {"c1", "c2", "c3"};

    private final CoreDifferentialPropertiesTest generators = new CoreDifferentialPropertiesTest();
    private long bucketChecks;
    private long nonEmptyChecks;
    private long policyChanges;

    @Provide
    Arbitrary<List<Step>> journal() {
        return generators.journal();
    }

    @Provide
    Arbitrary<Setup> setups() {
        return generators.setups();
    }

    @Property(tries = 300)
    void incrementalBucketsEqualFullRecount(@ForAll("setups") Setup setup, @ForAll("journal") List<Step> steps) {
        Run run = new Run(CoreDifferentialPropertiesTest.config(setup));
        long now = T0;
        for (int i = 0; i < CUSTOMERS.length - 1; i++) {
            run.apply(now, CoreDifferentialPropertiesTest.event("opt_in", CUSTOMERS[i], 0, now,
                    new SplittableRandom(i)));
        }
        for (Step s : steps) {
            now += s.advanceMs();
            SplittableRandom random = new SplittableRandom(s.seed());
            String action = ACTIONS[s.action()];
            switch (action) {
                case "tick", "batch_end" -> run.tick(now);
                case "heartbeat" -> run.journal.next(now);
                case "reload" -> {
                    if (random.nextBoolean()) {
                        run.changePolicies(random, now);
                    } else {
                        run.reload();
                    }
                }
                default -> run.apply(now, CoreDifferentialPropertiesTest.event(action, CUSTOMERS[s.customer()],
                        s.txn(), now, random));
            }
        }
        run.tick(now + 500 * DAY);
    }

    @AfterProperty
    void theBucketsWereCompared() {
        assertThat(bucketChecks).as("records whose buckets were compared").isPositive();
        assertThat(nonEmptyChecks).as("comparisons with expiring points").isPositive();
        assertThat(policyChanges).as("policy changes").isPositive();
    }

    /** One table driven like a partition: facts around each call, lot deltas, recount at a policy change. */
    private final class Run {
        final CustomerTable table;
        CoreRules rules;
        final TestJournal journal = new TestJournal();
        final PartitionStats stats = new PartitionStats();
        final EffectSink sink = new EffectSink();
        final CustomerFacts before = new CustomerFacts();
        final CustomerFacts after = new CustomerFacts();
        /** The buckets as the commits would have written them: (account, day) → points. */
        final TreeMap<List<Long>, Long> written = new TreeMap<>(IncrementalExpiringPropertiesTest::compareKeys);

        Run(RulesConfig config) {
            table = new CustomerTable(8, config.accounts().size());
            rules = new CoreRules(config, table, TransactionArchive.NONE);
        }

        void apply(long ingestMs, Event event) {
            ApplyContext ctx = journal.next(ingestMs);
            int slot = table.find(event.customer());
            if (slot < 0) {
                slot = table.create(event.customer());
            }
            before.capture(rules, slot);
            sink.clear();
            rules.apply(slot, event, ctx, sink);
            changed(slot);
            compare("seq " + journal.seq + " " + event);
        }

        void tick(long ingestMs) {
            ApplyContext ctx = journal.next(ingestMs);
            for (String id : CUSTOMERS) {
                int slot = table.find(id);
                if (slot >= 0 && rules.nextDueMs(slot) <= ctx.clockMs()) {
                    runDue(slot, ctx);
                }
            }
            compare("tick at seq " + journal.seq);
        }

        /** Evicts every customer and reads it back from its snapshot (a cold load changes no bucket). */
        void reload() {
            CoreCustomerCodec codec = new CoreCustomerCodec(rules.config().customActions());
            for (String id : CUSTOMERS) {
                int slot = table.find(id);
                if (slot >= 0) {
                    byte[] bytes = codec.encode(table, slot);
                    table.remove(slot);
                    codec.decode(bytes, table);
                }
            }
            compare("reload at seq " + journal.seq);
        }

        /** A journaled rules change with other expiry policies: recount, then overdue work, as the partition. */
        void changePolicies(SplittableRandom random, long ingestMs) {
            ExpiryPolicy[] policies = ExpiryPolicy.values();
            Setup next = new Setup(policies[random.nextInt(policies.length)], policies[random.nextInt(policies.length)],
                    rules.config().pendingDays(), "1", rules.config().tiers().validityDays());
            RulesConfig config = CoreDifferentialPropertiesTest.config(next);
            ApplyContext ctx = journal.next(ingestMs);
            boolean moved = !config.accounts().equals(rules.config().accounts());
            rules = new CoreRules(config, table, TransactionArchive.NONE);
            if (moved) {
                policyChanges++;
                stats.clearExpiring();
                for (String id : CUSTOMERS) {
                    int slot = table.find(id);
                    if (slot >= 0) {
                        stats.addExpiring(before.captureWithLots(rules, slot));
                    }
                }
            }
            for (String id : CUSTOMERS) {
                int slot = table.find(id);
                if (slot >= 0 && rules.nextDueMs(slot) <= ctx.clockMs()) {
                    runDue(slot, ctx);
                }
            }
            compare("policy change at seq " + journal.seq + " to " + next);
        }

        private void runDue(int slot, ApplyContext ctx) {
            before.capture(rules, slot);
            sink.clear();
            rules.runDue(slot, ctx, sink);
            changed(slot);
        }

        private void changed(int slot) {
            after.capture(rules, slot);
            stats.change(before, after);
            stats.addExpiring(rules.lotExpiryDeltas());
        }

        private void compare(String where) {
            stats.drainDirtyExpiring((account, day, points) -> {
                if (points == 0) {
                    written.remove(List.of((long) account, day));
                } else {
                    written.put(List.of((long) account, day), points);
                }
            });
            TreeMap<List<Long>, Long> recount = new TreeMap<>(IncrementalExpiringPropertiesTest::compareKeys);
            for (String id : CUSTOMERS) {
                int slot = table.find(id);
                if (slot >= 0) {
                    rules.forEachExpiryDay(slot, (account, day, points) ->
                            recount.merge(List.of((long) account, day), points, Long::sum));
                }
            }
            assertThat(written).as("expiring buckets after %s", where).isEqualTo(recount);
            bucketChecks++;
            if (!recount.isEmpty()) {
                nonEmptyChecks++;
            }
        }
    }

    private static int compareKeys(List<Long> a, List<Long> b) {
        int c = Long.compare(a.get(0), b.get(0));
        return c != 0 ? c : Long.compare(a.get(1), b.get(1));
    }
}
