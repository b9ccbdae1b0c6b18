package dev.loyalty.engine.processor;

import dev.loyalty.engine.core.CustomerTable;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The commit's sort of dirty slots orders them as the ids' natural order would, whatever the count. */
class SlotsByIdTest {

    @Test
    void shouldSortSlotsByIdLikeAStringSort() {
        SplittableRandom random = new SplittableRandom(3);
        CustomerTable table = new CustomerTable(4096, 1);
        int[] slots = new int[3000];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = table.create("c-" + random.nextInt(1_000_000) + "-" + i + (i % 7 == 0 ? "é" : ""));
        }
        int[] scratch = new int[0];
        for (int n : new int[] {0, 1, 2, 3, 17, 1024, 1025, 3000}) {
            int[] shuffled = slots.clone();
            for (int i = shuffled.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
            Integer[] expected = Arrays.stream(shuffled, 0, n).boxed().toArray(Integer[]::new);
            Arrays.sort(expected, Comparator.comparing(table::id));
            int[] tail = Arrays.copyOfRange(shuffled, n, shuffled.length);
            scratch = SlotsById.sort(shuffled, n, table, scratch);
            assertThat(Arrays.copyOf(shuffled, n)).as("n=%d", n)
                    .containsExactly(Arrays.stream(expected).mapToInt(Integer::intValue).toArray());
            assertThat(Arrays.copyOfRange(shuffled, n, shuffled.length)).as("past n untouched").containsExactly(tail);
        }
    }
}
