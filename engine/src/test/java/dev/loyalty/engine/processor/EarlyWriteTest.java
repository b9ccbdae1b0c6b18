package dev.loyalty.engine.processor;

import dev.loyalty.engine.RulesJson;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.rules.TestConfigs;
import dev.loyalty.engine.state.PartitionStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dirty rows encoded ahead of the commit ({@link PartitionState#writeEarly}) are not encoded again by it unless they
 * changed since, and what is stored is what a partition without early writes stores: rows changed after their early
 * write, evicted through a small table, or written while a commit is in flight included.
 */
@Timeout(120)
class EarlyWriteTest {
    private static final long T0 = 1_767_225_600_000L;

    @TempDir
    Path dir;

    private long seq;

    @Test
    void shouldEncodeAtTheCommitOnlyTheRowsChangedSinceTheirEarlyWrite() {
        try (PartitionStore early = PartitionStore.open(dir.resolve("early"), null, false);
             PartitionStore plain = PartitionStore.open(dir.resolve("plain"), null, false)) {
            PartitionState e = state(early, 10_000);
            PartitionState p = state(plain, 10_000);
            for (int i = 0; i < 100; i++) {
                both(e, p, event("c" + i, "opt_in", Event.ABSENT));
                both(e, p, event("c" + i, "point_add", 10 + i));
            }
            assertThat(e.writeEarly(64)).isEqualTo(64);
            assertThat(e.writeEarly(64)).isEqualTo(36);
            assertThat(e.writeEarly(64)).as("each row once").isZero();
            both(e, p, event("c3", "point_add", 5)); // changed after its early write: the commit encodes it again
            both(e, p, event("c200", "opt_in", Event.ABSENT)); // dirty after the early writes
            commit(e);
            commit(p);
            assertThat(e.lastCommitRows()).isEqualTo(2);
            assertThat(p.lastCommitRows()).isEqualTo(101);
            assertThat(early.firstDifference(plain)).as("stored state with and without early writes").isNull();
            e.close();
            p.close();
        }
    }

    @Test
    void shouldStoreWhatAPartitionWithoutEarlyWritesStoresUnderRandomTraffic() {
        Random random = new Random(11);
        try (PartitionStore small = PartitionStore.open(dir.resolve("small"), null, false);
             PartitionStore plain = PartitionStore.open(dir.resolve("plain"), null, false)) {
            PartitionState s = state(small, 40); // a few rows: early-written rows meet evictions' writes
            PartitionState p = state(plain, 10_000);
            long written = 0;
            for (int i = 0; i < 6_000; i++) {
                String id = "customer-" + random.nextInt(300);
                int k = random.nextInt(10);
                both(s, p, k < 2 ? event(id, "opt_in", Event.ABSENT)
                        : k < 8 ? event(id, "point_add", 1 + random.nextInt(500))
                        : event(id, "point_spend", 1 + random.nextInt(300)));
                if (random.nextInt(4) == 0) {
                    written += s.writeEarly(1 + random.nextInt(8));
                }
                if (random.nextInt(60) == 0) {
                    s.commit(); // left in flight: early writes go on into the next batch meanwhile
                    p.commit();
                }
            }
            commit(s);
            commit(p);
            assertThat(written).as("rows written early").isGreaterThan(500);
            assertThat(small.firstDifference(plain)).as("stored state with and without early writes").isNull();
            s.close();
            p.close();
        }
    }

    private static PartitionState state(PartitionStore store, int rows) {
        return PartitionState.withTableRows(store, RulesJson::read, RulesJson.write(TestConfigs.defaults()),
                30L * 86_400_000, ReplayHooks.NONE, PartitionState.DUE_WINDOW, rows, 0);
    }

    private static void commit(PartitionState state) {
        state.commit();
        state.awaitLanded();
    }

    /** The same record applied to both partitions. */
    private void both(PartitionState a, PartitionState b, Event e) {
        seq++;
        RecordFeed.applyRecord(a, e, seq, T0 + seq * 60_000);
        RecordFeed.applyRecord(b, e, seq, T0 + seq * 60_000);
    }

    private static Event event(String customer, String action, long points) {
        return RecordFeed.pointsEvent(customer, action, points);
    }
}
