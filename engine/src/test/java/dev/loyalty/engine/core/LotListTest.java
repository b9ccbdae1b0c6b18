package dev.loyalty.engine.core;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link LotList} against a plain sorted list of (event time, order, points) under random credits and takes. */
class LotListTest {

    @Provide
    Arbitrary<List<long[]>> operations() {
        // {kind (0 insert, 1 take, 2 remove), event time, order, points}
        return Arbitraries.longs().between(0, 9).list().ofSize(4).map(l -> new long[] {l.get(0) % 3,
            l.get(1) * 10, l.get(2), 1 + l.get(3)}).list().ofMaxSize(200);
    }

    @Property(tries = 300)
    void shouldStaySortedAndMergedLikeAPlainList(@ForAll("operations") List<long[]> ops) {
        LotList lots = new LotList(2);
        List<long[]> model = new ArrayList<>();
        PartBuffer parts = new PartBuffer();
        for (long[] op : ops) {
            if (op[0] == 0) {
                lots.insert(op[1], op[2], op[3]);
                insert(model, op[1], op[2], op[3]);
            } else if (op[0] == 1) {
                parts.clear();
                long taken = lots.take(op[3] * 7, parts);
                long left = op[3] * 7;
                int part = 0;
                while (left > 0 && !model.isEmpty()) {
                    long[] head = model.get(0);
                    long take = Math.min(left, head[2]);
                    assertThat(new long[] {parts.eventTimeMs[part], parts.order[part], parts.points[part]})
                            .containsExactly(head[0], head[1], take);
                    part++;
                    head[2] -= take;
                    left -= take;
                    if (head[2] == 0) {
                        model.remove(0);
                    }
                }
                assertThat(taken).isEqualTo(op[3] * 7 - left);
                assertThat(parts.size).isEqualTo(part);
            } else if (!model.isEmpty()) {
                int i = (int) (op[2] % model.size());
                assertThat(lots.removeAt(i)).isEqualTo(model.remove(i)[2]);
            }
            assertSame(lots, model);
        }
    }

    @Test
    void shouldInsertInTheMiddleWhenTheArrayIsFullAndTheHeadHasMoved() {
        // the case that once put a lot out of order: room made by sliding the head down moved the insert point
        LotList lots = new LotList(8);
        for (int i = 1; i <= 8; i++) {
            lots.insert(i * 10L, i, 5);
        }
        lots.take(20, null);
        lots.insert(65, 9, 1);
        assertThat(List.of(lots.eventTimeMs(0), lots.eventTimeMs(1), lots.eventTimeMs(2), lots.eventTimeMs(3),
                lots.eventTimeMs(4))).containsExactly(50L, 60L, 65L, 70L, 80L);
        assertThat(lots.total()).isEqualTo(21);
    }

    private static void insert(List<long[]> model, long t, long o, long p) {
        int i = 0;
        while (i < model.size() && LotList.compare(model.get(i)[0], model.get(i)[1], t, o) < 0) {
            i++;
        }
        if (i < model.size() && model.get(i)[0] == t && model.get(i)[1] == o) {
            model.get(i)[2] += p;
        } else {
            model.add(i, new long[] {t, o, p});
        }
    }

    private static void assertSame(LotList lots, List<long[]> model) {
        assertThat(lots.size()).isEqualTo(model.size());
        long total = 0;
        for (int i = 0; i < model.size(); i++) {
            assertThat(new long[] {lots.eventTimeMs(i), lots.order(i), lots.points(i)}).containsExactly(model.get(i));
            total += model.get(i)[2];
        }
        assertThat(lots.total()).isEqualTo(total);
    }
}
