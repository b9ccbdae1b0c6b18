package dev.loyalty.engine.processor;

import dev.loyalty.engine.RulesJson;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.rules.TestConfigs;
import dev.loyalty.engine.state.PartitionStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The due queue holds only the near horizon ({@link PartitionState#dueEntriesHeld}): work further out lives in
 * the committed due keys, and work of rows not committed yet must still run when the clock jumps past it before
 * their commit, whether the rows are held dirty or were written into the pending batch and evicted.
 */
@Timeout(120)
class DueHorizonTest {
    private static final long DAY_MS = 86_400_000L;
    private static final long T0 = 1_767_225_600_000L;
    /** The smallest table the engine makes: more customers than rows force the pending-batch path. */
    private static final int MIN_TABLE = 4096;

    @TempDir
    Path dir;

    private long seq;

    private PartitionState open(PartitionStore store) {
        return new PartitionState(store, RulesJson::read, RulesJson.write(TestConfigs.defaults()), 0, 30 * DAY_MS,
                ReplayHooks.NONE, 4);
    }

    @Test
    void holdsNoEntryPerCustomerForWorkAYearOut() {
        try (PartitionStore store = PartitionStore.open(dir, null, false)) {
            PartitionState state = open(store);
            for (int i = 0; i < 3000; i++) {
                earn(state, T0 + i, "c-" + i, 100);
                if (i % 100 == 99) {
                    state.commit();
                }
            }
            state.commit();
            // every customer has lots expiring in a year; none of that is due within the hour the queue holds
            assertThat(state.dueEntriesHeld()).as("due entries held after 3000 customers").isZero();
            tick(state, T0 + 366 * DAY_MS);
            for (int i = 0; i < 3000; i += 299) {
                assertThat(balance(state, "c-" + i)).as("balance of c-" + i + " after its lot expired").isZero();
            }
            state.close();
        }
    }

    @Test
    void runsFarWorkOfDirtyRowsWhenTheClockPassesItBeforeTheirCommit() {
        try (PartitionStore store = PartitionStore.open(dir, null, false)) {
            PartitionState state = open(store);
            tick(state, T0); // the window is read now: an hour past T0, the store empty
            for (int i = 0; i < 20; i++) {
                earn(state, T0 + 1000, "c-" + i, 100 + i);
            }
            // no commit: their due keys are not in the store when this record's window passes their expiry
            tick(state, T0 + 400 * DAY_MS);
            for (int i = 0; i < 20; i++) {
                assertThat(balance(state, "c-" + i)).as("balance of c-" + i).isZero();
            }
            state.commit();
            state.close();
        }
    }

    @Test
    void runsFarWorkOfRowsWrittenToMakeRoomBeforeTheirCommit() {
        int customers = MIN_TABLE + 500;
        try (PartitionStore store = PartitionStore.open(dir, null, false)) {
            PartitionState state = open(store);
            tick(state, T0);
            // more dirty customers than rows and no commit: rows are written into the pending batch and evicted
            for (int i = 0; i < customers; i++) {
                earn(state, T0 + 1000, "c-" + i, 100);
            }
            tick(state, T0 + 400 * DAY_MS);
            for (int i = 0; i < customers; i += 97) {
                assertThat(balance(state, "c-" + i)).as("balance of c-" + i).isZero();
            }
            assertThat(balance(state, "c-0")).as("the first customer, written to make room").isZero();
            state.commit();
            state.close();
        }
    }

    /** Opts the customer in and adds points at that ingest time (two records). */
    private void earn(PartitionState state, long ingestMs, String customer, long points) {
        record(state, ingestMs, customer, "opt_in", Event.ABSENT);
        record(state, ingestMs, customer, "point_add", points);
    }

    private void record(PartitionState state, long ingestMs, String customer, String action, long points) {
        seq++;
        RecordFeed.applyRecord(state, RecordFeed.pointsEvent(customer, action, points), seq, ingestMs);
    }

    private void tick(PartitionState state, long ingestMs) {
        seq++;
        state.clock.advance(ingestMs, seq);
        state.runDueWork();
        state.recordRead(seq, seq);
    }

    private static long balance(PartitionState state, String customer) {
        return state.view(state.load(customer)).accounts().get("points").balance();
    }
}
