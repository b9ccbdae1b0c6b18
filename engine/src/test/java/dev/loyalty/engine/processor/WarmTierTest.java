package dev.loyalty.engine.processor;

import dev.loyalty.engine.RulesJson;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.TestConfigs;
import dev.loyalty.engine.state.PartitionStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A partition's warm tier ({@code WarmRows}) serves an evicted customer's row as last committed, written to make
 * room or loaded, never an older one: the customer changed and committed again is reloaded as changed, a row of the
 * commit in flight is served without waiting for its landing, and random traffic through a table of a few rows and a
 * tier that drops rows all the time stores exactly what a partition holding everyone stores.
 */
@Timeout(120)
class WarmTierTest {
    private static final long T0 = 1_767_225_600_000L;
    private static final long WARM = 64 << 10;

    @TempDir
    Path dir;

    private long seq;

    @Test
    void shouldReloadAnEvictedCustomerChangedAndCommittedAgainAsChanged() {
        try (PartitionStore store = PartitionStore.open(dir.resolve("p"), null, false)) {
            PartitionState state = state(store, 2, WARM);
            apply(state, event("a", "opt_in", Event.ABSENT));
            apply(state, event("a", "point_add", 100));
            commit(state); // v1
            apply(state, event("b", "opt_in", Event.ABSENT));
            apply(state, event("c", "opt_in", Event.ABSENT)); // a (clean) evicted
            assertThat(state.tableCounts[TableCounts.EVICTED]).isEqualTo(1);
            commit(state);

            apply(state, event("a", "point_add", 5)); // reloaded from the tier (v1), changed: v2
            assertThat(state.tableCounts[TableCounts.WARM]).isEqualTo(1);
            commit(state);
            apply(state, event("d", "opt_in", Event.ABSENT));
            apply(state, event("e", "opt_in", Event.ABSENT)); // a evicted again
            commit(state);

            CustomerView a = state.view(state.load("a"));
            assertThat(a.accounts().get("points").balance()).as("v2, not the v1 first loaded").isEqualTo(105);
            assertThat(state.tableCounts[TableCounts.WARM]).isEqualTo(2);
            assertThat(state.tableCounts[TableCounts.STORED]).as("no RocksDB read").isZero();
            state.close();
        }
    }

    @Test
    void shouldServeARowWrittenToMakeRoomAsWritten() {
        try (PartitionStore store = PartitionStore.open(dir.resolve("p"), null, false)) {
            PartitionState state = state(store, 2, WARM);
            apply(state, event("a", "opt_in", Event.ABSENT));
            apply(state, event("a", "point_add", 7));
            apply(state, event("b", "opt_in", Event.ABSENT));
            apply(state, event("c", "opt_in", Event.ABSENT)); // all dirty: a and b written to make room, a evicted
            assertThat(state.tableCounts[TableCounts.DIRTY_WRITES]).isEqualTo(1);
            apply(state, event("a", "point_add", 1));
            assertThat(state.tableCounts[TableCounts.WARM]).isEqualTo(1);
            assertThat(state.tableCounts[TableCounts.PENDING]).isZero();
            assertThat(state.view(state.load("a")).accounts().get("points").balance()).isEqualTo(8);
            commit(state);
            state.close();
        }
    }

    @Test
    void shouldServeARowOfTheCommitInFlightWithoutWaitingForItsLanding() throws Exception {
        try (PartitionStore store = PartitionStore.open(dir.resolve("p"), null, false)) {
            PartitionState state = state(store, 2, WARM);
            apply(state, event("a", "opt_in", Event.ABSENT));
            apply(state, event("a", "point_add", 100));
            apply(state, event("b", "opt_in", Event.ABSENT));
            CountDownLatch release = new CountDownLatch(1);
            state.committer().beforeLanding = () -> HeldLandings.await(release);
            state.commit(); // a and b ride in the batch held in flight; the store has neither yet
            apply(state, event("c", "opt_in", Event.ABSENT));
            apply(state, event("d", "opt_in", Event.ABSENT)); // a and b (clean now) evicted
            apply(state, event("a", "point_add", 5)); // the store would be empty for a: the tier has the batch's row
            assertThat(state.landingWaits()).isZero();
            assertThat(state.view(state.load("a")).accounts().get("points").balance()).isEqualTo(105);
            release.countDown();
            commit(state);
            state.close();
        }
    }

    @Test
    void shouldStoreWhatHoldingEveryoneStoresThroughAFewRowsAndADroppingTier() {
        Random random = new Random(7);
        Event[] events = new Event[6_000];
        boolean[] commitAfter = new boolean[events.length];
        for (int i = 0; i < events.length; i++) {
            String id = "customer-" + random.nextInt(400);
            int k = random.nextInt(10);
            events[i] = k < 2 ? event(id, "opt_in", Event.ABSENT)
                    : k < 8 ? event(id, "point_add", 1 + random.nextInt(500))
                    : event(id, "point_spend", 1 + random.nextInt(300));
            commitAfter[i] = random.nextInt(40) == 0;
        }
        long[] counts;
        try (PartitionStore small = PartitionStore.open(dir.resolve("small"), null, false);
             PartitionStore held = PartitionStore.open(dir.resolve("held"), null, false)) {
            // 32 KiB: seven segments of 4 KiB, a few dozen rows of these customers; the rest drop and read the store
            PartitionState s = state(small, 3, 32 << 10);
            PartitionState h = state(held, 10_000, 0);
            for (int i = 0; i < events.length; i++) {
                long before = seq;
                apply(s, events[i]);
                seq = before;
                apply(h, events[i]);
                if (commitAfter[i]) {
                    s.commit();
                    h.commit();
                }
            }
            commit(s);
            commit(h);
            counts = s.tableCounts.clone();
            s.close();
            h.close();
            assertThat(small.firstDifference(held)).as("stored state of the two partitions").isNull();
        }
        assertThat(counts[TableCounts.WARM]).as("served from the tier").isGreaterThan(500);
        assertThat(counts[TableCounts.STORED]).as("dropped rows read back from the store").isGreaterThan(100);
    }

    private static PartitionState state(PartitionStore store, int rows, long warmBytes) {
        return PartitionState.withTableRows(store, RulesJson::read, RulesJson.write(TestConfigs.defaults()),
                30L * 86_400_000, ReplayHooks.NONE, PartitionState.DUE_WINDOW, rows, warmBytes);
    }

    private static void commit(PartitionState state) {
        state.commit();
        state.awaitLanded();
    }

    private void apply(PartitionState state, Event e) {
        seq++;
        RecordFeed.applyRecord(state, e, seq, T0 + seq * 60_000);
    }

    private static Event event(String customer, String action, long points) {
        return RecordFeed.pointsEvent(customer, action, points);
    }
}
