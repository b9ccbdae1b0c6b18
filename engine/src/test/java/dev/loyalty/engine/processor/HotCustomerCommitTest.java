package dev.loyalty.engine.processor;

import dev.loyalty.engine.RulesJson;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.rules.TestConfigs;
import dev.loyalty.engine.state.PartitionStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.loyalty.engine.processor.PartitionProcessor.COMMIT_EVENTS;
import static dev.loyalty.engine.processor.PartitionProcessor.HEAVY_WAIT_NS;
import static dev.loyalty.engine.processor.PartitionProcessor.IDLE_COMMIT_GAP_NS;
import static dev.loyalty.engine.processor.PartitionProcessor.WAL_COMMIT_NS;
import static dev.loyalty.engine.processor.PartitionProcessor.commitDue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One customer receiving point_adds (a lot each) while the timed commit is due at every look (a machine where each
 * drained batch takes the whole commit interval): the bytes committed per event stay bounded as its lots grow, where
 * a commit per interval re-encoded the whole row each time (work per event growing with the lots: issue 11's
 * hot-customer row). Without a heavy row the commit is not held back; with one, an idle or timed commit waits at
 * most {@link PartitionProcessor#HEAVY_WAIT_NS}.
 */
@Timeout(120)
class HotCustomerCommitTest {
    private static final long T0 = 1_767_225_600_000L;
    private static final int EVENTS = 150_000;
    private static final int BATCH = 100;

    @TempDir
    Path dir;

    @Test
    void theBytesCommittedPerEventStayBoundedAsTheHotCustomersLotsGrow() {
        // each drained batch of 100 is followed by a look at the commit, as if the journal then stayed drained
        // and the commit interval had passed (the worst case: both triggers at every look)
        try (PartitionStore store = PartitionStore.open(dir.resolve("p"), null, false)) {
            PartitionState state = PartitionState.withTableRows(store, RulesJson::read,
                    RulesJson.write(TestConfigs.defaults()), 30L * 86_400_000, ReplayHooks.NONE,
                    PartitionState.DUE_WINDOW, 64);
            apply(state, 1, event("opt_in", Event.ABSENT));
            long bytesLaterHalf = 0;
            int commitsLaterHalf = 0;
            for (int seq = 2; seq <= EVENTS; seq++) {
                apply(state, seq, event("point_add", 1));
                if (seq % BATCH == 0 && commitDue(true, state.eventsSinceCommit(), state.pendingBytes(),
                        state.heavyRowBytes(), WAL_COMMIT_NS, COMMIT_EVENTS, WAL_COMMIT_NS)) {
                    state.commit();
                    state.awaitLanded();
                    if (seq > EVENTS / 2) {
                        bytesLaterHalf += state.lastCommitBytes();
                        commitsLaterHalf++;
                    }
                }
            }
            long perEvent = bytesLaterHalf / (EVENTS / 2);
            // A row of 75K-150K lots is ~0.5-1 MB: committed every batch that would be thousands of bytes per event.
            assertThat(commitsLaterHalf).as("commits while the lots went from 75K to 150K").isPositive();
            assertThat(perEvent).as("bytes committed per event, lots 75K-150K (%d commits)", commitsLaterHalf)
                    .isLessThanOrEqualTo(256);
            state.commit();
            state.close();
        }
    }

    @Test
    void onlyATimedCommitOfHeavyRowsWaitsAndNotForever() {
        long heavy = 10L << 20;
        assertThat(commitDue(false, 100, 0, 0, WAL_COMMIT_NS, COMMIT_EVENTS, WAL_COMMIT_NS))
                .as("ordinary rows: timed commit").isTrue();
        assertThat(commitDue(false, 100, 0, heavy, WAL_COMMIT_NS, COMMIT_EVENTS, WAL_COMMIT_NS))
                .as("a heavy row changed by 100 events waits").isFalse();
        assertThat(commitDue(false, heavy / PartitionProcessor.HEAVY_BYTES_PER_EVENT, 0, heavy, WAL_COMMIT_NS,
                COMMIT_EVENTS, WAL_COMMIT_NS)).as("enough events pay for it").isTrue();
        assertThat(commitDue(false, 100, 0, heavy, HEAVY_WAIT_NS, COMMIT_EVENTS, WAL_COMMIT_NS))
                .as("waits no longer than HEAVY_WAIT_NS").isTrue();
        assertThat(commitDue(true, 100, 0, 0, IDLE_COMMIT_GAP_NS, COMMIT_EVENTS, WAL_COMMIT_NS))
                .as("idle: commit").isTrue();
        assertThat(commitDue(true, 100, 0, 0, IDLE_COMMIT_GAP_NS - 1, COMMIT_EVENTS, WAL_COMMIT_NS))
                .as("idle, but the last commit is recent: waits").isFalse();
        assertThat(commitDue(true, 100, 0, 0, 10_000_000L, COMMIT_EVENTS, 10_000_000L))
                .as("idle, a commit interval below the gap: commits at it").isTrue();
        assertThat(commitDue(true, 100, 0, heavy, IDLE_COMMIT_GAP_NS, COMMIT_EVENTS, WAL_COMMIT_NS))
                .as("idle, a heavy row changed by 100 events: waits").isFalse();
        assertThat(commitDue(true, 100, 0, heavy, HEAVY_WAIT_NS, COMMIT_EVENTS, WAL_COMMIT_NS))
                .as("idle, a heavy row: waits no longer than HEAVY_WAIT_NS").isTrue();
        assertThat(commitDue(false, COMMIT_EVENTS, 0, heavy, 0, COMMIT_EVENTS, WAL_COMMIT_NS))
                .as("event bound").isTrue();
        assertThat(commitDue(false, 100, 0, 0, WAL_COMMIT_NS - 1, COMMIT_EVENTS, WAL_COMMIT_NS))
                .as("not yet due").isFalse();
    }

    private static void apply(PartitionState state, long seq, Event e) {
        long at = T0 + seq * 10;
        state.clock.advance(at, seq);
        state.runDueWork();
        state.apply(state.load(e.customer()), e, seq, at);
        state.runDueWork();
        state.recordRead(seq, seq);
    }

    private static Event event(String action, long points) {
        return new Event("hot", action, null, "points", Event.ABSENT, points, null, Event.ABSENT, null,
                Event.ABSENT, Event.ABSENT, null, null);
    }
}
