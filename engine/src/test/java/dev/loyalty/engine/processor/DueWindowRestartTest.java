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
 * A partition restarted from its commit reads its due keys by windows of time as the clock reaches them
 * ({@link PartitionState#loadDueThrough}), not all at start: its state after every lot expired must be the one
 * of a partition that never restarted (same customers, due keys, statistics, checkpoint), with windows of a few
 * keys so that many windows are read, some after commits moved due times.
 */
@Timeout(120)
class DueWindowRestartTest {
    private static final long DAY_MS = 86_400_000L;
    private static final long T0 = 1_767_225_600_000L;
    private static final int CUSTOMERS = 300;

    @TempDir
    Path dir;

    private long seq;

    @Test
    void aRestartedPartitionRunsTheSameDueWorkAsOneThatNeverStopped() {
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of("data-dir", dir.toString()));
        String rules = RulesJson.write(config.rules());

        seq = 0;
        try (PartitionStore store = PartitionStore.open(dir.resolve("straight"), null, false)) {
            PartitionState state = open(store, rules);
            history(state, true);
            state.close();
        }
        seq = 0;
        try (PartitionStore store = PartitionStore.open(dir.resolve("restarted"), null, false)) {
            PartitionState state = open(store, rules);
            history(state, false);
            state.close();
            PartitionState again = open(store, rules);
            expire(again);
            assertThat(balance(again, "c-0")).as("the first customer's lot expired after the restart").isZero();
            again.close();
        }
        try (PartitionStore a = PartitionStore.open(dir.resolve("straight"), null, false);
             PartitionStore b = PartitionStore.open(dir.resolve("restarted"), null, false)) {
            assertThat(a.firstDifference(b)).isNull();
        }
    }

    private static PartitionState open(PartitionStore store, String rules) {
        return new PartitionState(store, RulesJson::read, rules, 0, 30 * DAY_MS, ReplayHooks.NONE, 3);
    }

    /** Customers with lots expiring two at a time, a second apart (rolling expiry); with {@code andExpire}, then {@link #expire}. */
    private void history(PartitionState state, boolean andExpire) {
        for (int i = 0; i < CUSTOMERS; i++) {
            String id = "c-" + i;
            record(state, T0 + i / 2 * 1000L, id, "opt_in", Event.ABSENT);
            record(state, T0 + i / 2 * 1000L, id, "point_add", 100);
            if (i % 50 == 49) {
                state.commit();
            }
        }
        state.commit();
        if (andExpire) {
            expire(state);
        }
    }

    /**
     * Moves the clock through the expiries in steps, with point_adds that move some customers' due times later
     * (their old due keys go stale) and commits between, then commits.
     */
    private void expire(PartitionState state) {
        long from = T0 + 365 * DAY_MS - 10_000;
        for (int step = 0; step <= CUSTOMERS / 10 + 2; step++) {
            long at = from + step * 10_000L;
            if (step % 3 == 1) {
                record(state, at, "c-" + (step * 10 + 5), "point_add", 7);
            } else {
                seq++;
                state.clock.advance(at, seq);
                state.runDueWork();
                state.recordRead(seq, seq);
            }
            if (step % 4 == 0) {
                state.commit();
            }
        }
        state.commit();
    }

    private void record(PartitionState state, long ingestMs, String customer, String action, long points) {
        seq++;
        state.clock.advance(ingestMs, seq);
        state.runDueWork();
        Event e = new Event(customer, action, null, "points", Event.ABSENT, points, null, Event.ABSENT, null,
                Event.ABSENT, Event.ABSENT, null, null);
        state.apply(state.load(customer), e, seq, ingestMs);
        state.runDueWork();
        state.recordRead(seq, seq);
    }

    private static long balance(PartitionState state, String customer) {
        return state.view(state.load(customer)).accounts().get("points").balance();
    }
}
