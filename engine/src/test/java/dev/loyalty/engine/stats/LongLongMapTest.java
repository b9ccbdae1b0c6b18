package dev.loyalty.engine.stats;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The primitive map behind the expiring buckets behaves like a map that drops zero values. */
class LongLongMapTest {

    @Property(tries = 300)
    void shouldMatchAHashMapThatDropsZeros(@ForAll @Size(max = 400) List<@IntRange(min = -40, max = 40) Integer> keys,
                                           @ForAll @Size(max = 400) List<@IntRange(min = -3, max = 3) Integer> deltas) {
        LongLongMap map = new LongLongMap();
        Map<Long, Long> expected = new HashMap<>();
        for (int i = 0; i < Math.min(keys.size(), deltas.size()); i++) {
            // keys spread like epoch days far apart, clustered like the days of a year
            long key = keys.get(i) * 20_000L + (keys.get(i) & 3);
            long delta = deltas.get(i);
            long v = map.add(key, delta);
            expected.merge(key, delta, Long::sum);
            expected.values().removeIf(x -> x == 0);
            assertThat(v).isEqualTo(expected.getOrDefault(key, 0L));
        }
        assertThat(map.size()).isEqualTo(expected.size());
        for (Map.Entry<Long, Long> e : expected.entrySet()) {
            assertThat(map.get(e.getKey())).isEqualTo(e.getValue());
        }
        Map<Long, Long> seen = new HashMap<>();
        map.forEach(seen::put);
        assertThat(seen).isEqualTo(expected);
        long sum = expected.entrySet().stream().filter(e -> e.getKey() >= 0 && e.getKey() < 200_000)
                .mapToLong(Map.Entry::getValue).sum();
        assertThat(map.sumRange(0, 200_000)).isEqualTo(sum);
    }
}
