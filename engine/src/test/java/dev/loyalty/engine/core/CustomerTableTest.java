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

    /** Every field and counter of every row is its own: a row layout whose words overlap fails here. */
    @Test
    void shouldKeepEveryFieldOfEveryRowApart() {
        int accounts = 3;
        CustomerTable table = new CustomerTable(5, accounts);
        int[] slots = new int[5];
        for (int i = 0; i < 5; i++) {
            slots[i] = table.create("c" + i);
        }
        for (int i = 0; i < 5; i++) {
            int s = slots[i];
            long base = 1000L * (i + 1);
            table.exists(s, true);
            table.active(s, i % 2 == 0);
            table.tierIndex(s, i + 1);
            table.optedInAtMs(s, base + 1);
            table.lastActivityAtMs(s, base + 2);
            table.tierValidUntilMs(s, base + 3);
            table.tierOrder(s, base + 4);
            table.nextEntryId(s, base + 5);
            table.nextOrder(s, base + 6);
            table.indexedDueMs(s, base + 7);
            table.ledgerHead(s, base + 8);
            table.onceDone(s, base + 9);
            table.scheduledMs(s, base + 10);
            for (int a = 0; a < accounts; a++) {
                for (int c = 0; c < CustomerTable.COUNTERS; c++) {
                    table.counter(s, a, c, base + 100 + a * 10 + c);
                }
            }
            if (i % 3 == 0) {
                table.markDirty(s);
            }
        }
        for (int i = 0; i < 5; i++) {
            int s = slots[i];
            long base = 1000L * (i + 1);
            assertThat(table.exists(s)).isTrue();
            assertThat(table.active(s)).isEqualTo(i % 2 == 0);
            assertThat(table.dirty(s)).isEqualTo(i % 3 == 0);
            assertThat(table.tierIndex(s)).isEqualTo(i + 1);
            assertThat(List.of(table.optedInAtMs(s), table.lastActivityAtMs(s), table.tierValidUntilMs(s),
                    table.tierOrder(s), table.nextEntryId(s), table.nextOrder(s), table.indexedDueMs(s),
                    table.ledgerHead(s), table.onceDone(s), table.scheduledMs(s)))
                    .containsExactly(base + 1, base + 2, base + 3, base + 4, base + 5, base + 6, base + 7, base + 8,
                            base + 9, base + 10);
            for (int a = 0; a < accounts; a++) {
                for (int c = 0; c < CustomerTable.COUNTERS; c++) {
                    assertThat(table.counter(s, a, c)).isEqualTo(base + 100 + a * 10 + c);
                }
            }
            assertThat(table.id(s)).isEqualTo("c" + i);
        }
    }

    /**
     * Ids of equal {@code String.hashCode} share the index's stored hash: the lookup must still compare the ids,
     * before and after the one first in the probe chain is removed (backward shift on stored hashes).
     */
    @Test
    void shouldTellApartIdsOfEqualHash() {
        CustomerTable table = new CustomerTable(8, 1);
        List<String> same = List.of("AaAa", "BBBB", "AaBB", "BBAa");
        assertThat(same.stream().mapToInt(String::hashCode).distinct().count()).isEqualTo(1);
        int first = table.create(same.get(0));
        int second = table.create(same.get(1));
        int third = table.create(same.get(2));
        assertThat(table.find("BBBB")).isEqualTo(second);
        assertThat(table.findAscii("AaBB".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 4, "AaBB".hashCode()))
                .isEqualTo(third);
        assertThat(table.find("BBAa")).as("same hash, not held").isEqualTo(-1);
        assertThat(table.findAscii("BBA".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 3, "AaAa".hashCode()))
                .as("same hash given, other length").isEqualTo(-1);
        table.remove(first);
        assertThat(table.find("AaAa")).isEqualTo(-1);
        assertThat(table.find("BBBB")).isEqualTo(second);
        assertThat(table.find("AaBB")).isEqualTo(third);
        table.remove(second);
        assertThat(table.find("AaBB")).isEqualTo(third);
        assertThat(table.size()).isEqualTo(1);
    }

    /** A new row has nothing scheduled, whatever the slot's former customer had. */
    @Test
    void shouldStartARowWithNothingScheduled() {
        CustomerTable table = new CustomerTable(1, 1);
        int slot = table.create("a");
        assertThat(table.scheduledMs(slot)).isEqualTo(Long.MAX_VALUE);
        table.scheduledMs(slot, 5);
        table.remove(slot);
        assertThat(table.scheduledMs(table.create("b"))).isEqualTo(Long.MAX_VALUE);
    }
}
