package dev.loyalty.engine.stats;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The primitive activity buckets give the figures of the sorted boxed maps they replaced: the same window
 * counts at any clock, the same changed days (with the same counts) at every commit, also after a restore.
 */
class ActivityBucketsPropertiesTest {
    private static final long EPOCH_DAY = 20_000;
    private static final int[] WINDOWS = {1, 7, 30, 90, 365};

    /** One step: 0 = a customer moves between days, 1 = commit (drain), 2 = snapshot at a clock, 3 = restore. */
    record Step(int kind, long day, long otherDay, long clockDay) {
    }

    @Provide
    Arbitrary<Step> steps() {
        Arbitrary<Long> days = Arbitraries.longs().between(EPOCH_DAY - 800, EPOCH_DAY + 40);
        return Combinators.combine(Arbitraries.integers().between(0, 9), days, days,
                        Arbitraries.longs().between(EPOCH_DAY - 400, EPOCH_DAY + 400))
                .as((k, d, o, c) -> new Step(k < 6 ? 0 : k < 8 ? 1 : k < 9 ? 2 : 3, d, o, c));
    }

    @Property(tries = 300)
    void shouldGiveTheFiguresOfTheSortedMaps(@ForAll @Size(max = 600) List<@net.jqwik.api.From("steps") Step> steps) {
        ActivityBuckets buckets = new ActivityBuckets();
        SortedActivityBuckets reference = new SortedActivityBuckets();
        // Customers present per day, so that a move takes one from a day that has one, as the engine does.
        TreeMap<Long, Long> present = new TreeMap<>();
        for (Step s : steps) {
            switch (s.kind()) {
                case 0 -> {
                    Long from = present.ceilingKey(s.otherDay());
                    if (from != null) {
                        buckets.add(from, -1);
                        reference.add(from, -1);
                        present.merge(from, -1L, Long::sum);
                        present.values().removeIf(v -> v == 0);
                    }
                    buckets.add(s.day(), 1);
                    reference.add(s.day(), 1);
                    present.merge(s.day(), 1L, Long::sum);
                }
                case 1 -> assertThat(drained(buckets)).isEqualTo(drained(reference));
                case 2 -> assertThat(buckets.windows(s.clockDay(), WINDOWS))
                        .isEqualTo(reference.windows(s.clockDay(), WINDOWS));
                default -> {
                    // A restart: committed buckets are loaded into fresh ones.
                    Map<Long, Long> stored = drained(reference);
                    drained(buckets);
                    buckets = new ActivityBuckets();
                    reference = new SortedActivityBuckets();
                    for (Map.Entry<Long, Long> e : present.entrySet()) {
                        buckets.load(e.getKey(), e.getValue());
                        reference.load(e.getKey(), e.getValue());
                    }
                    assertThat(stored.keySet()).allMatch(d -> stored.get(d).equals(present.getOrDefault(d, 0L)));
                }
            }
        }
        assertThat(buckets.windows(EPOCH_DAY, WINDOWS)).isEqualTo(reference.windows(EPOCH_DAY, WINDOWS));
        assertThat(drained(buckets)).isEqualTo(drained(reference));
    }

    private static Map<Long, Long> drained(ActivityBuckets b) {
        Map<Long, Long> out = new TreeMap<>();
        b.drainDirty((day, count) -> assertThat(out.put(day, count)).as("day %d twice", day).isNull());
        return out;
    }

    private static Map<Long, Long> drained(SortedActivityBuckets b) {
        Map<Long, Long> out = new TreeMap<>();
        b.drainDirty(out::put);
        return out;
    }
}
