package dev.loyalty.engine.processor;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both due heaps ({@link DueQueue} by id, {@link DeferredDue} by slot) give their entries back earliest first, each
 * with its own payload, across growth, interleaved pushes and pops, repeated times and a clear.
 */
class TimeHeapTest {

    @Test
    void shouldGiveEveryEntryBackEarliestFirstWithItsPayload() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 50; round++) {
            DueQueue byId = new DueQueue();
            DeferredDue bySlot = new DeferredDue();
            List<long[]> expected = new ArrayList<>();
            List<long[]> gotById = new ArrayList<>();
            List<long[]> gotBySlot = new ArrayList<>();
            int n = random.nextInt(1, 500);
            for (int i = 0; i < n; i++) {
                long due = random.nextLong(-20, 40); // repeats and negative times
                byId.push(due, Integer.toString(i));
                bySlot.push(due, i);
                expected.add(new long[] {due, i});
                if (random.nextInt(4) == 0) { // interleaved pops take the earliest so far
                    take(byId, bySlot, gotById, gotBySlot);
                }
            }
            while (!byId.isEmpty()) {
                take(byId, bySlot, gotById, gotBySlot);
            }
            assertThat(bySlot.isEmpty()).isTrue();
            assertThat(byId.peekMs()).isEqualTo(Long.MAX_VALUE);
            // every entry exactly once, with its own time
            Comparator<long[]> byPayload = Comparator.comparingLong(e -> e[1]);
            expected.sort(byPayload);
            List<long[]> idsSorted = new ArrayList<>(gotById);
            idsSorted.sort(byPayload);
            List<long[]> slotsSorted = new ArrayList<>(gotBySlot);
            slotsSorted.sort(byPayload);
            assertThat(idsSorted).usingElementComparator(Comparator.comparingLong((long[] e) -> e[0])
                    .thenComparingLong(e -> e[1])).isEqualTo(expected);
            assertThat(slotsSorted).usingElementComparator(Comparator.comparingLong((long[] e) -> e[0])
                    .thenComparingLong(e -> e[1])).isEqualTo(expected);
            byId.push(5, "x");
            bySlot.push(5, 1);
            byId.clear();
            bySlot.clear();
            assertThat(byId.size() + bySlot.size()).isZero();
        }
    }

    /** Pops the earliest of both heaps; checks it is no earlier than what the last pop gave since the last push. */
    private static void take(DueQueue byId, DeferredDue bySlot, List<long[]> gotById, List<long[]> gotBySlot) {
        long due = byId.peekMs();
        assertThat(bySlot.peekMs()).isEqualTo(due);
        gotById.add(new long[] {due, Long.parseLong(byId.peekId())});
        gotBySlot.add(new long[] {due, bySlot.peekSlot()});
        byId.pop();
        bySlot.pop();
        if (!byId.isEmpty()) {
            assertThat(byId.peekMs()).as("earliest first").isGreaterThanOrEqualTo(due);
        }
    }
}
