package dev.loyalty.engine.processor;

import dev.loyalty.engine.RulesJson;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.state.PartitionStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A partition whose table holds a fraction of its customers (each event then loads its customer from the store
 * and evicts another, as the 1M-customer bulk row does) ends in the same stored state as one holding them all, and
 * its lookup counters ({@link PartitionState#tableCounts}, exported as {@code loyalty_customer_table_lookups_total})
 * say which lookups hit, were read from the store, or were new.
 */
@Timeout(120)
class TableMissTest {
    private static final long T0 = 1_767_225_600_000L;
    /** More than the smallest table (4,096), so that the small one evicts. */
    private static final int CUSTOMERS = 6_000;

    @TempDir
    Path dir;

    private long seq;

    @Test
    void aTableOfAFewCustomersEndsAsOneHoldingAllAndCountsItsMisses() {
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of("data-dir", dir.toString()));
        String rules = RulesJson.write(config.rules());
        long[] heldCounts;
        long[] smallCounts;
        try (PartitionStore store = PartitionStore.open(dir.resolve("held"), null, false)) {
            PartitionState state = new PartitionState(store, RulesJson::read, rules, 4 * CUSTOMERS, 0, ReplayHooks.NONE);
            history(state);
            heldCounts = state.tableCounts.clone();
            state.close();
        }
        seq = 0;
        try (PartitionStore store = PartitionStore.open(dir.resolve("small"), null, false)) {
            PartitionState state = new PartitionState(store, RulesJson::read, rules, 1, 0, ReplayHooks.NONE);
            history(state);
            smallCounts = state.tableCounts.clone();
            state.close();
        }
        try (PartitionStore a = PartitionStore.open(dir.resolve("held"), null, false);
             PartitionStore b = PartitionStore.open(dir.resolve("small"), null, false)) {
            assertThat(a.firstDifference(b)).as("stored state of the two partitions").isNull();
        }

        long lookups = 3L * CUSTOMERS; // opt_in, point_add, point_spend each; one lookup per event
        assertThat(heldCounts[TableCounts.NEW]).isEqualTo(CUSTOMERS);
        assertThat(heldCounts[TableCounts.HIT]).isEqualTo(lookups - CUSTOMERS);
        assertThat(heldCounts[TableCounts.STORED]).isZero();
        assertThat(heldCounts[TableCounts.EVICTED]).isZero();
        // at least the spends of the customers evicted by the first pass read them back; every load into the
        // full table evicts one, so the table ends holding its 4,096
        long loads = smallCounts[TableCounts.NEW] + smallCounts[TableCounts.STORED] + smallCounts[TableCounts.PENDING];
        assertThat(smallCounts[TableCounts.NEW]).isEqualTo(CUSTOMERS);
        assertThat(smallCounts[TableCounts.STORED]).isGreaterThanOrEqualTo(CUSTOMERS - 4096);
        assertThat(loads + smallCounts[TableCounts.HIT]).isEqualTo(lookups);
        assertThat(smallCounts[TableCounts.EVICTED]).isEqualTo(loads - 4096);
        assertThat(smallCounts[TableCounts.COMMITS]).isEqualTo(heldCounts[TableCounts.COMMITS]).isPositive();
    }

    @Test
    void aTableBoundedByBytesEvictsByItsHeapAndEndsAsOneHoldingAll() {
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(),
                Map.of("data-dir", dir.toString()));
        String rules = RulesJson.write(config.rules());
        long budget = 1L << 20; // ~2,500 of these customers: fewer than the 4,096 the count alone would allow
        long[] counts;
        try (PartitionStore store = PartitionStore.open(dir.resolve("bytes"), null, false)) {
            PartitionState state = PartitionState.bounded(store, RulesJson::read, rules, 4 * CUSTOMERS, budget, 0, 0,
                    ReplayHooks.NONE);
            long[] most = {0};
            historyWatching(state, most);
            counts = state.tableCounts.clone();
            assertThat(most[0]).as("table heap after each event").isLessThanOrEqualTo(budget + 4096);
            assertThat(state.tableSize()).isBetween(1_000, 4_095);
            state.close();
        }
        seq = 0;
        try (PartitionStore store = PartitionStore.open(dir.resolve("bytes-held"), null, false)) {
            PartitionState state = PartitionState.bounded(store, RulesJson::read, rules, 4 * CUSTOMERS, 64L << 20,
                    0, 0, ReplayHooks.NONE);
            historyWatching(state, new long[1]);
            assertThat(state.tableCounts[TableCounts.EVICTED]).as("64 MiB hold them all").isZero();
            assertThat(state.tableSize()).isEqualTo(CUSTOMERS);
            state.close();
        }
        try (PartitionStore a = PartitionStore.open(dir.resolve("bytes-held"), null, false);
             PartitionStore b = PartitionStore.open(dir.resolve("bytes"), null, false)) {
            assertThat(a.firstDifference(b)).as("stored state of the two partitions").isNull();
        }
        assertThat(counts[TableCounts.EVICTED]).isPositive();
        assertThat(counts[TableCounts.STORED]).isGreaterThanOrEqualTo(CUSTOMERS - 4096);
    }

    @Test
    void theEnginesTablesAreBoundedByAQuarterOfTheHeapNotByAGuessPerCustomer() {
        long gib = 1L << 30;
        assertThat(PartitionProcessor.tableBytes(2, gib)).isEqualTo(gib / 8);
        // at -Xmx1g the old 4 KiB-per-customer guess held 65,536 a partition; the count is now the setting's
        assertThat(PartitionProcessor.tableCapacity(250_000, 2, gib)).isEqualTo(250_000);
        assertThat(PartitionProcessor.tableCapacity(Integer.MAX_VALUE, 2, gib))
                .isEqualTo((int) (gib / 8 / PartitionProcessor.MIN_BYTES_PER_CUSTOMER));
    }

    private void historyWatching(PartitionState state, long[] most) {
        for (int i = 0; i < CUSTOMERS; i++) {
            record(state, "c-" + i, "opt_in", Event.ABSENT);
            record(state, "c-" + i, "point_add", 100);
            most[0] = Math.max(most[0], state.tableHeapBytes());
            if (i % 500 == 499) {
                state.commit();
            }
        }
        state.commit();
        for (int i = 0; i < CUSTOMERS; i++) {
            record(state, "c-" + i, "point_spend", 1);
            most[0] = Math.max(most[0], state.tableHeapBytes());
            if (i % 500 == 499) {
                state.commit();
            }
        }
        state.commit();
    }

    /** Every customer opts in and gets points (commits every 500), then every one spends a point. */
    private void history(PartitionState state) {
        for (int i = 0; i < CUSTOMERS; i++) {
            record(state, "c-" + i, "opt_in", Event.ABSENT);
            record(state, "c-" + i, "point_add", 100);
            if (i % 500 == 499) {
                state.commit();
            }
        }
        state.commit();
        for (int i = 0; i < CUSTOMERS; i++) {
            record(state, "c-" + i, "point_spend", 1);
            if (i % 500 == 499) {
                state.commit();
            }
        }
        state.commit();
    }

    private void record(PartitionState state, String customer, String action, long points) {
        seq++;
        Event e = new Event(customer, action, null, "points", Event.ABSENT, points, null, Event.ABSENT, null,
                Event.ABSENT, Event.ABSENT, action.equals("point_add") ? "welcome" : null, null);
        RecordFeed.applyRecord(state, e, seq, T0 + seq * 1000);
    }
}
