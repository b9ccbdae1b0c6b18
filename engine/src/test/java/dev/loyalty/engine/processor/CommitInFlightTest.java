package dev.loyalty.engine.processor;

import dev.loyalty.engine.RulesJson;
import dev.loyalty.engine.derived.DerivedLog;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.TestConfigs;
import dev.loyalty.engine.state.PartitionCheckpoint;
import dev.loyalty.engine.state.PartitionStore;
import dev.loyalty.engine.state.StateException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Commits land on the committer's thread while the partition goes on applying: with a landing held back, what the
 * batch in flight carries is still read as committed (rows written to make room from memory; a customer the
 * commit wrote and the table evicted since by waiting for the landing, never from the store before it), a failed
 * landing stops the partition, and a crash between hand-over and landing restarts from the commit before and
 * re-applies the journal to the same stored state and derived logs as a run that never crashed.
 */
@Timeout(120)
class CommitInFlightTest {
    private static final long T0 = 1_767_225_600_000L;

    @TempDir
    Path dir;

    private final List<Event> journal = new ArrayList<>();

    @Test
    void aCustomerTheCommitInFlightWroteAndTheTableEvictedIsReadOnceItLands() throws Exception {
        try (PartitionStore store = PartitionStore.open(dir.resolve("p"), null, false)) {
            PartitionState state = state(store, 2);
            apply(state, optIn("a"));
            apply(state, add("a", 100));
            apply(state, optIn("b"));
            CountDownLatch release = new CountDownLatch(1);
            state.committer().beforeLanding = () -> HeldLandings.await(release);
            state.commit();
            // a and b are clean now: two new customers evict both while their batch is still in flight
            apply(state, optIn("c"));
            apply(state, optIn("d"));
            Thread partitionThread = Thread.currentThread();
            Thread releaser = HeldLandings.releaseOnceWaiting(partitionThread, release);
            // read from the store before the landing, a would be unknown (no opt-in): its point_add rejected
            apply(state, add("a", 5));
            releaser.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(state.landingWaits()).as("the miss waited for the landing").isEqualTo(1);
            assertThat(view(state, "a")).isEqualTo(reference("a")).extracting(CustomerView::active).isEqualTo(true);
            state.commit();
            state.close();
        }
    }

    @Test
    void rowsWrittenToMakeRoomAreReadFromMemoryWhileTheirCommitIsInFlight() {
        try (PartitionStore store = PartitionStore.open(dir.resolve("p"), null, false)) {
            PartitionState state = state(store, 2);
            apply(state, optIn("a"));
            apply(state, add("a", 100));
            apply(state, optIn("b"));
            apply(state, optIn("c")); // the table is full of dirty rows: a and b go into the batch, one is evicted
            assertThat(state.tableCounts[TableCounts.DIRTY_WRITES]).isEqualTo(1);
            CountDownLatch release = new CountDownLatch(1);
            state.committer().beforeLanding = () -> HeldLandings.await(release);
            state.commit();
            long pendingBefore = state.tableCounts[TableCounts.PENDING];
            apply(state, add("a", 5));
            apply(state, add("b", 7));
            assertThat(state.tableCounts[TableCounts.PENDING] - pendingBefore)
                    .as("a evicted after being written to make room is read from the batch in flight").isPositive();
            assertThat(state.landingWaits()).as("no wait: the rows are in memory").isZero();
            assertThat(state.committedPosition()).as("not landed: the committed position stays").isEqualTo(-1);
            release.countDown();
            assertThat(view(state, "a")).isEqualTo(reference("a")).extracting(CustomerView::active).isEqualTo(true);
            assertThat(view(state, "b")).isEqualTo(reference("b"));
            state.awaitLanded();
            assertThat(state.committedPosition()).isEqualTo(4);
            assertThat(state.landedPosition()).isEqualTo(4);
            state.commit();
            state.close();
        }
    }

    @Test
    void aFailedLandingStopsThePartitionAndWritesNothing() {
        try (PartitionStore store = PartitionStore.open(dir.resolve("p"), null, false)) {
            PartitionState state = state(store, 16);
            apply(state, optIn("a"));
            state.committer().beforeLanding = () -> {
                throw new IllegalStateException("disk gone");
            };
            state.commit();
            assertThatThrownBy(state::awaitLanded).isInstanceOf(StateException.class).hasMessageContaining("disk gone");
            apply(state, add("a", 5));
            assertThatThrownBy(state::commit).as("no commit after a failed one")
                    .isInstanceOf(StateException.class).hasMessageContaining("disk gone");
            state.close();
            assertThat(PartitionCheckpoint.read(store)).as("nothing landed").isNull();
            assertThat(state.landedPosition()).isEqualTo(-1);
        }
    }

    @Test
    void aCrashBetweenHandOverAndLandingRestartsToTheSameStateAsNoCrash() {
        for (int i = 0; i < 400; i++) {
            String c = "c-" + (i % 37);
            journal.add(i < 37 ? optIn(c) : i % 5 == 0 ? spend(c, 3) : add(c, 1 + i % 11));
        }
        Path crashed = dir.resolve("crashed");
        Path reference = dir.resolve("reference");
        // the reference applies everything, commits every 50 records, landings as they come
        try (PartitionStore store = PartitionStore.open(reference, null, false)) {
            PartitionState state = state(store, 8);
            for (int i = 0; i < journal.size(); i++) {
                apply(state, journal.get(i), i + 1);
                if (i % 50 == 49) {
                    state.commit();
                }
            }
            state.commit();
            state.close();
        }
        long resumedFrom;
        try (PartitionStore store = PartitionStore.open(crashed, null, false)) {
            PartitionState state = state(store, 8);
            for (int i = 0; i < 250; i++) {
                apply(state, journal.get(i), i + 1);
                if (i % 50 == 49 && i < 249) {
                    state.commit();
                }
            }
            // the process dies after handing the commit of record 250 over, before it lands
            state.awaitLanded();
            state.committer().beforeLanding = () -> {
                throw new IllegalStateException("killed");
            };
            state.commit();
            state.close();
        }
        try (PartitionStore store = PartitionStore.open(crashed, null, false)) {
            PartitionState state = state(store, 8);
            resumedFrom = state.position();
            for (int i = (int) resumedFrom; i < journal.size(); i++) {
                apply(state, journal.get(i), i + 1);
                if (i % 50 == 49) {
                    state.commit();
                }
            }
            state.commit();
            state.close();
        }
        assertThat(resumedFrom).as("restarted from the commit before the one in flight").isEqualTo(200);
        try (PartitionStore a = PartitionStore.open(reference, null, false);
             PartitionStore b = PartitionStore.open(crashed, null, false);
             DerivedLog la = DerivedFiles.open(a);
             DerivedLog lb = DerivedFiles.open(b)) {
            assertThat(a.firstDifference(b)).as("stored state").isNull();
            assertThat(la.firstDifference(lb)).as("derived logs").isNull();
        }
    }

    private static PartitionState state(PartitionStore store, int rows) {
        return PartitionState.withTableRows(store, RulesJson::read, RulesJson.write(TestConfigs.defaults()),
                30L * 86_400_000, ReplayHooks.NONE, PartitionState.DUE_WINDOW, rows);
    }

    private static CustomerView view(PartitionState state, String customer) {
        return state.view(state.load(customer));
    }

    /** The customer's view after the events applied so far, by a state that holds everyone and waits for nothing. */
    private CustomerView reference(String customer) {
        try (PartitionStore store = PartitionStore.open(dir.resolve("reference-" + customer), null, false)) {
            PartitionState state = state(store, 64);
            for (int i = 0; i < journal.size(); i++) {
                apply(state, journal.get(i), i + 1);
            }
            CustomerView v = view(state, customer);
            state.close();
            return v;
        }
    }

    /** Applies the next event of the journal (which it joins). */
    private void apply(PartitionState state, Event e) {
        journal.add(e);
        apply(state, e, journal.size());
    }

    private static void apply(PartitionState state, Event e, long seq) {
        long at = T0 + seq * 60_000;
        state.clock.advance(at, seq);
        state.runDueWork();
        state.apply(state.load(e.customer()), e, seq, at);
        state.runDueWork();
        state.recordRead(seq, seq);
    }

    private static Event optIn(String customer) {
        return event(customer, "opt_in", Event.ABSENT);
    }

    private static Event add(String customer, long points) {
        return event(customer, "point_add", points);
    }

    private static Event spend(String customer, long points) {
        return event(customer, "point_spend", points);
    }

    private static Event event(String customer, String action, long points) {
        return new Event(customer, action, null, "points", Event.ABSENT, points, null, Event.ABSENT, null,
                Event.ABSENT, Event.ABSENT, null, null);
    }
}
