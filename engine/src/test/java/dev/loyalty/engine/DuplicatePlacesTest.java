package dev.loyalty.engine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DuplicatePlacesTest {

    @Test
    void shouldPlaceEachDuplicateAfterItsCustomersLastEarlierEventElseBeforeTheNextElseNowhere() {
        // slots:            0 dup a  1 b     2 dup a  3 a     4 dup a  5 dup c  6 a
        List<String> customers = List.of("a", "b", "a", "a", "a", "c", "a");
        int[] journalSlots = {1, 3, 6};
        int[] duplicateSlots = {0, 2, 4, 5};
        boolean[] after = new boolean[duplicateSlots.length];

        int[] place = DuplicatePlaces.of(customers, journalSlots, journalSlots.length, duplicateSlots, after);

        assertThat(place).containsExactly(1, 1, 1, DuplicatePlaces.CURRENT);
        assertThat(after).containsExactly(false, false, true, false);
    }
}
