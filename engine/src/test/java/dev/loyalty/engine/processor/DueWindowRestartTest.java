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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A partition reads its due keys by windows of time as the clock reaches them ({@link PartitionState#loadDueThrough}),
 * not all at start, and commits leave work past the loaded window to the store: both a partition that never
 * stopped and one restarted from its commit must expire every lot once, and end in the same state (customers,
 * due keys, statistics, checkpoint), with windows of a few keys so that many windows are read, some after
 * commits moved due times.
 */
@Timeout(120)
class DueWindowRestartTest {
    private static final long DAY_MS = 86_400_000L;
    private static final long T0 = 1_767_225_600_000L;
    private static final int CUSTOMERS = 300;

    @TempDir
    Path dir;

    private long seq;
    /** Customers whose 7-point lot of {@link #expire} is still there at the end. */
    private int toppedUp;

    @Test
    void aRestartedPartitionRunsTheSameDueWorkAsOneThatNeverStopped() {
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of("data-dir", dir.toString()));
        String rules = RulesJson.write(config.rules());

        seq = 0;
        try (PartitionStore store = PartitionStore.open(dir.resolve("straight"), null, false)) {
            PartitionState state = open(store, rules);
            history(state, true);
            assertEveryLotExpired(state);
            state.close();
        }
        seq = 0;
        toppedUp = 0;
        try (PartitionStore store = PartitionStore.open(dir.resolve("restarted"), null, false)) {
            PartitionState state = open(store, rules);
            history(state, false);
            state.close();
            PartitionState again = open(store, rules);
            expire(again);
            assertEveryLotExpired(again);
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
        acceptOneOfTwo(state);
        if (andExpire) {
            expire(state);
        }
    }

    /**
     * A customer with two pending checkouts a minute apart; half an hour before their automatic acceptance (both
     * inside the loaded window then) the first is accepted by hand, which moves the customer's due time later,
     * to the second's: the commit must keep an entry for it, as no window will read that key again.
     */
    private void acceptOneOfTwo(PartitionState state) {
        long accept = T0 + 14 * DAY_MS;
        record(state, T0, "k", "opt_in", Event.ABSENT);
        checkout(state, T0 + 1000, "checkout", "K1");
        checkout(state, T0 + 61_000, "checkout", "K2");
        state.commit();
        tick(state, accept - 1_800_000);
        state.commit();
        checkout(state, accept - 1_700_000, "checkout_accept", "K1");
        state.commit();
        tick(state, accept + 120_000);
        state.commit();
        assertThat(state.view(state.load("k")).accounts().get("points").pending())
                .as("the second checkout was accepted automatically").isZero();
    }

    private void checkout(PartitionState state, long ingestMs, String action, String txn) {
        seq++;
        state.clock.advance(ingestMs, seq);
        state.runDueWork();
        Event e = new Event("k", action, null, "points", Event.ABSENT, Event.ABSENT, txn, Event.ABSENT,
                action.equals("checkout") ? List.of(new Event.Item("sku-1", 1999, 1, 0)) : null,
                Event.ABSENT, Event.ABSENT, null, null);
        state.apply(state.load("k"), e, seq, ingestMs);
        state.runDueWork();
        state.recordRead(seq, seq);
    }

    /** A record without events (a heartbeat) at that ingest time: the clock moves, due work runs. */
    private void tick(PartitionState state, long ingestMs) {
        seq++;
        state.clock.advance(ingestMs, seq);
        state.runDueWork();
        state.recordRead(seq, seq);
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
                toppedUp += step * 10 + 5 < CUSTOMERS ? 1 : 0;
            } else {
                tick(state, at);
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

    /** Every customer's first lot (100 points) expired; the top-ups (7 points, a year younger) are there. */
    private void assertEveryLotExpired(PartitionState state) {
        long total = 0;
        for (int i = 0; i < CUSTOMERS; i++) {
            long b = balance(state, "c-" + i);
            assertThat(b).as("balance of c-" + i).isIn(0L, 7L);
            total += b;
        }
        assertThat(total).isEqualTo(7L * toppedUp);
    }

    private static long balance(PartitionState state, String customer) {
        return state.view(state.load(customer)).accounts().get("points").balance();
    }
}
