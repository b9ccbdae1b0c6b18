package dev.loyalty.engine.stats;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** An event's statistics update allocates nothing once the buckets have their days (architecture, property 4). */
class PartitionStatsAllocationTest {
    private static final int CHANGES = 200_000;

    @Test
    void shouldAllocateNothingPerChangeOfActivityDay() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        PartitionStats stats = new PartitionStats();
        CustomerFacts[] facts = new CustomerFacts[8];
        for (int i = 0; i < facts.length; i++) {
            facts[i] = facts(20_000 + i * 37L, i % 3, 100 + i);
        }
        stats.change(new CustomerFacts(), facts[0]);
        run(stats, facts, CHANGES); // warm up: buckets sized, code compiled
        stats.drainDirtyDays((day, count) -> { });

        long before = threads.getCurrentThreadAllocatedBytes();
        run(stats, facts, CHANGES);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(allocated).as("bytes allocated by %d stats changes", CHANGES).isLessThan(1024);
    }

    /** Moves one customer through the facts in turn, as events moving its last activity and balance would. */
    private static void run(PartitionStats stats, CustomerFacts[] facts, int changes) {
        for (int i = 0; i < changes; i++) {
            stats.change(facts[i % facts.length], facts[(i + 1) % facts.length]);
            stats.countApplied();
        }
    }

    private static CustomerFacts facts(long activityDay, int tier, long points) {
        CustomerFacts f = new CustomerFacts();
        f.exists = true;
        f.active = true;
        f.tier = tier;
        f.activityDay = activityDay;
        f.accounts = 1;
        f.balances[0] = points;
        return f;
    }
}
