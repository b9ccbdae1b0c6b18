package dev.loyalty.engine.processor;

import dev.loyalty.engine.core.CustomerTable;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commit's sort of dirty slots orders them as the ids' natural order would, whatever the count, with ids that
 * tie on their packed first chars, ids shorter than the prefix, a NUL char, and chars past a byte (wide prefixes).
 */
class SlotsByIdTest {

    @Test
    void shouldSortNarrowIdsLikeAStringSort() {
        // a first char past 0x7F makes the packed prefix negative as a signed long: it must compare unsigned
        check(i -> (i % 19 == 0 ? "é" : "") + (i % 5 == 0 ? "c-1234" : "c-") + (i % 11) + "-" + i + (i % 7 == 0 ? "é" : "")
                + (i % 13 == 0 ? "\u0000" : ""));
    }

    @Test
    void shouldSortWideIdsLikeAStringSort() {
        check(i -> (i % 23 == 0 ? "\uFF01" : "") + (i % 9 == 0 ? "\u4e2d" : "c") + (i % 17) + "-" + i + (i % 4 == 0 ? "\uD83D\uDE00" : ""));
    }

    private static void check(java.util.function.IntFunction<String> ids) {
        SplittableRandom random = new SplittableRandom(3);
        CustomerTable table = new CustomerTable(4096, 1);
        int[] slots = new int[3000];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = table.create(ids.apply(i));
        }
        SlotsById sorter = new SlotsById();
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
            sorter.sort(shuffled, n, table);
            assertThat(Arrays.copyOf(shuffled, n)).as("n=%d", n)
                    .containsExactly(Arrays.stream(expected).mapToInt(Integer::intValue).toArray());
            assertThat(Arrays.copyOfRange(shuffled, n, shuffled.length)).as("past n untouched").containsExactly(tail);
        }
    }
}
