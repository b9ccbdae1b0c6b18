package dev.loyalty.engine.core;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lookup by the id's bytes ({@link CustomerTable#findAscii}) finds what a lookup by string finds, across creates
 * and removes (backward-shift deletion moves entries) and ids of equal {@code hashCode} ("Aa" and "BB").
 */
class CustomerTableBytesTest {

    @Test
    void shouldFindByBytesWhatItFindsByString() {
        SplittableRandom r = new SplittableRandom(9);
        CustomerTable table = new CustomerTable(512, 1);
        Map<String, Integer> held = new HashMap<>();
        for (int step = 0; step < 50_000; step++) {
            String id = id(r);
            if (held.containsKey(id)) {
                if (r.nextInt(3) == 0) {
                    table.remove(held.remove(id));
                }
            } else if (held.size() < 500) {
                held.put(id, table.create(id));
            }
            String probe = r.nextBoolean() ? id : id(r);
            byte[] b = (probe + "junk").getBytes(StandardCharsets.US_ASCII);
            int byString = table.find(probe);
            assertThat(table.findAscii(b, probe.length(), probe.hashCode())).as(probe).isEqualTo(byString);
            assertThat(byString).isEqualTo(held.getOrDefault(probe, -1));
        }
    }

    /** Short ids from a tiny alphabet, with many collisions of String.hashCode ("Aa"/"BB" blocks). */
    private static String id(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
            sb.append(switch (r.nextInt(4)) {
                case 0 -> "Aa";
                case 1 -> "BB";
                case 2 -> "c";
                default -> Integer.toString(r.nextInt(40));
            });
        }
        return sb.toString();
    }
}
