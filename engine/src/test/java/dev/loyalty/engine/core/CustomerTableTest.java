package dev.loyalty.engine.core;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The customer table's index, bounds and eviction. */
class CustomerTableTest {

    @Provide
    Arbitrary<List<Integer>> ids() {
        return Arbitraries.integers().between(0, 40).list().ofMaxSize(300);
    }

    @Property(tries = 300)
    void shouldFindExactlyTheCustomersHeldAcrossCreatesAndRemoves(@ForAll("ids") List<Integer> ids) {
        CustomerTable table = new CustomerTable(16, 2);
        Map<String, Integer> model = new HashMap<>();
        for (int n : ids) {
            String id = "c" + n;
            Integer slot = model.remove(id);
            if (slot != null) {
                assertThat(table.find(id)).isEqualTo(slot);
                table.remove(slot);
            } else if (model.size() < table.capacity()) {
                int created = table.create(id);
                table.counter(created, 1, CustomerTable.EARNED, n);
                model.put(id, created);
            }
            assertThat(table.size()).isEqualTo(model.size());
            for (int other = 0; other <= 40; other++) {
                Integer expected = model.get("c" + other);
                assertThat(table.find("c" + other)).isEqualTo(expected == null ? -1 : expected);
            }
            for (Map.Entry<String, Integer> e : model.entrySet()) {
                assertThat(table.counter(e.getValue(), 1, CustomerTable.EARNED))
                        .isEqualTo(Long.parseLong(e.getKey().substring(1)));
            }
        }
    }

    @Test
    void shouldEvictOnlyCleanCustomersWhenFull() {
        CustomerTable table = new CustomerTable(3, 1);
        for (int i = 0; i < 3; i++) {
            table.markDirty(table.create("c" + i));
        }
        assertThatThrownBy(() -> table.create("c3")).isInstanceOf(IllegalStateException.class);
        assertThat(table.size()).isEqualTo(3);
        int clean = table.find("c1");
        table.markClean(clean);
        int slot = table.create("c3");
        assertThat(slot).isEqualTo(clean);
        assertThat(table.find("c1")).isEqualTo(-1);
        assertThat(table.find("c0")).isNotNegative();
        assertThat(table.find("c2")).isNotNegative();
        assertThat(table.exists(slot)).isFalse();
        assertThat(table.lotPoints(slot, 0)).isZero();
    }

    @Test
    void shouldGiveAReusedSlotABlankRow() {
        CustomerTable table = new CustomerTable(1, 2);
        int slot = table.create("a");
        table.lots(slot, 1).insert(1, 1, 10);
        table.counter(slot, 0, CustomerTable.DEBT, 5);
        table.qualifying(slot).add(1, 1, 10);
        table.remove(slot);
        int again = table.create("b");
        assertThat(table.lotPoints(again, 1)).isZero();
        assertThat(table.counter(again, 0, CustomerTable.DEBT)).isZero();
        assertThat(table.qualifyingOrNull(again).size()).isZero();
        assertThat(table.nextEntryId(again)).isEqualTo(1);
    }
}
