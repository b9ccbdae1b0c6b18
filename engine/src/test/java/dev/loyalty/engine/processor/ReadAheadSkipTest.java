package dev.loyalty.engine.processor;

import dev.loyalty.engine.RulesJson;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.journal.EventCodec;
import dev.loyalty.engine.journal.JournalEvent;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.TestConfigs;
import dev.loyalty.engine.state.PartitionStore;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A record's read ahead ({@link PartitionState#wantCustomer}) reads from the store only customers whose newest row
 * can be there: not those held, nor those among the pending rows, nor those the commit in flight carries. Bytes
 * read ahead while that commit has not landed are older than it: a customer it wrote at the commit and the table
 * evicted since would be loaded from them (as not stored at all here) after the miss waited for the landing.
 */
@Timeout(120)
class ReadAheadSkipTest {
    private static final long T0 = 1_767_225_600_000L;

    @TempDir
    Path dir;

    private long seq;

    @Test
    void theReadAheadSkipsACustomerTheCommitInFlightWroteAndLoadsItsLandedRow() throws Exception {
        try (PartitionStore store = PartitionStore.open(dir.resolve("p"), null, false)) {
            PartitionState state = state(store, 2);
            apply(state, event("a", "opt_in", Event.ABSENT));
            apply(state, event("a", "point_add", 100));
            apply(state, event("b", "opt_in", Event.ABSENT));
            CountDownLatch release = new CountDownLatch(1);
            state.committer().beforeLanding = () -> HeldLandings.await(release);
            state.commit(); // a and b ride in the batch held in flight; the store has neither yet
            apply(state, event("c", "opt_in", Event.ABSENT));
            apply(state, event("d", "opt_in", Event.ABSENT)); // a and b (clean now) evicted

            // a record naming a: what the processor's read ahead does before applying it
            state.forgetWanted();
            state.wantCustomer(customerOf(event("a", "point_add", 5)));
            assertThat(state.wanted()).as("a is in the commit in flight: not read ahead").isZero();
            state.readWanted();
            Thread releaser = HeldLandings.releaseOnceWaiting(Thread.currentThread(), release);
            apply(state, event("a", "point_add", 5)); // the miss waits for the landing, then reads the store
            state.forgetWanted();
            releaser.join(TimeUnit.SECONDS.toMillis(30));

            assertThat(state.landingWaits()).as("the miss waited for the landing").isEqualTo(1);
            CustomerView a = state.view(state.load("a"));
            assertThat(a).as("a, loaded from its landed row").isNotNull();
            assertThat(a.accounts().get("points").balance()).isEqualTo(105);
            state.commit();
            state.close();
        }
    }

    @Test
    void theReadAheadSkipsHeldPendingAndInFlightRowsAndReadsTheOthers() throws Exception {
        try (PartitionStore store = PartitionStore.open(dir.resolve("p"), null, false)) {
            PartitionState state = state(store, 2);
            apply(state, event("s", "opt_in", Event.ABSENT));
            state.commit();
            state.awaitLanded();
            apply(state, event("a", "opt_in", Event.ABSENT));
            apply(state, event("b", "opt_in", Event.ABSENT)); // s (clean) evicted: stored, not held
            apply(state, event("c", "opt_in", Event.ABSENT)); // all dirty: a and b written to make room, a evicted
            assertThat(state.tableCounts[TableCounts.DIRTY_WRITES]).isEqualTo(1);

            state.forgetWanted();
            state.wantCustomer(customerOf(event("c", "point_add", 1)));
            assertThat(state.wanted()).as("c is held").isZero();
            state.wantCustomer(customerOf(event("a", "point_add", 1)));
            assertThat(state.wanted()).as("a is a pending row").isZero();
            state.wantCustomer(customerOf(event("s", "point_add", 1)));
            assertThat(state.wanted()).as("s is stored only").isEqualTo(1);
            state.forgetWanted();

            CountDownLatch release = new CountDownLatch(1);
            state.committer().beforeLanding = () -> HeldLandings.await(release);
            state.commit(); // a (written to make room) rides in flight among the batch's rows
            state.wantCustomer(customerOf(event("a", "point_add", 1)));
            assertThat(state.wanted()).as("a's row is in the commit in flight").isZero();
            state.forgetWanted();
            release.countDown();
            state.awaitLanded();
            state.wantCustomer(customerOf(event("a", "point_add", 1)));
            assertThat(state.wanted()).as("landed: a is read ahead from the store").isEqualTo(1);
            state.forgetWanted();
            state.close();
        }
    }

    private static PartitionState state(PartitionStore store, int rows) {
        return PartitionState.withTableRows(store, RulesJson::read, RulesJson.write(TestConfigs.defaults()),
                30L * 86_400_000, ReplayHooks.NONE, PartitionState.DUE_WINDOW, rows);
    }

    /** The event as the processor's read ahead sees it: only its customer, read from its journaled bytes. */
    private static JournalEvent customerOf(Event e) {
        Bytes<?> bytes = Bytes.allocateElasticOnHeap(256);
        EventCodec.write(bytes, e, 0);
        return new JournalEvent().readCustomerOnly(bytes);
    }

    private void apply(PartitionState state, Event e) {
        seq++;
        RecordFeed.applyRecord(state, e, seq, T0 + seq * 60_000);
    }

    private static Event event(String customer, String action, long points) {
        return RecordFeed.pointsEvent(customer, action, points);
    }
}
