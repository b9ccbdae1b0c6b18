package dev.loyalty.engine.core;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warm tier serves, per id, exactly the bytes last put or nothing (never an older row, whatever its segments'
 * evacuations moved or dropped), and stays within its bytes.
 */
class WarmRowsTest {

    @Test
    void shouldReplaceTheRowOnAPutAndForgetItOnARemove() {
        WarmRows warm = new WarmRows(1 << 20);
        warm.put("c-1", bytes(1, 40), 0, 40);
        warm.put("c-1", bytes(2, 30), 0, 30);
        assertThat(read(warm, "c-1")).isEqualTo(bytes(2, 30));
        assertThat(warm.size()).isEqualTo(1);
        warm.remove("c-1");
        assertThat(warm.find("c-1")).isEqualTo(-1);
        assertThat(warm.liveBytes()).isZero();
    }

    @Test
    void shouldDropTheOlderRowWhenTheNewOneIsTooLargeToKeep() {
        WarmRows warm = new WarmRows(64 << 10); // 4 KiB segments: rows up to 2 KiB
        warm.put("big", bytes(1, 100), 0, 100);
        warm.put("big", bytes(2, 5000), 0, 5000);
        assertThat(warm.find("big")).as("an older row must not stay behind a newer one not kept").isEqualTo(-1);
    }

    @Test
    void shouldKeepNonAsciiIdsApart() {
        WarmRows warm = new WarmRows(1 << 20);
        warm.put("caf\u00e9", bytes(1, 10), 0, 10);
        warm.put("cafe", bytes(2, 10), 0, 10);
        assertThat(read(warm, "caf\u00e9")).isEqualTo(bytes(1, 10));
        assertThat(read(warm, "cafe")).isEqualTo(bytes(2, 10));
        assertThat(warm.find("caf\u00e8")).isEqualTo(-1);
    }

    @Test
    void shouldServeTheLastBytesOrNothingWithinTheBoundUnderRandomPuts() {
        long budget = 256 << 10;
        WarmRows warm = new WarmRows(budget);
        Map<String, byte[]> last = new HashMap<>();
        Random random = new Random(11);
        int served = 0;
        for (int i = 0; i < 200_000; i++) {
            String id = "c-" + random.nextInt(3_000);
            if (random.nextInt(20) == 0) {
                warm.remove(id);
                last.remove(id);
            } else if (random.nextInt(3) == 0) {
                int length = 1 + random.nextInt(random.nextInt(50) == 0 ? 3_000 : 400);
                byte[] row = bytes(i, length + 7);
                warm.put(id, row, 7, length);
                last.put(id, Arrays.copyOfRange(row, 7, 7 + length));
            } else {
                int ref = warm.find(id);
                if (ref >= 0) {
                    assertThat(read(warm, id)).as("row of %s at step %d", id, i).isEqualTo(last.get(id));
                    served++;
                }
            }
            assertThat(warm.allocatedBytes()).isLessThanOrEqualTo(warm.capacityBytes());
            if (i % 1_000 == 0) {
                assertCounts(warm, 3_000);
            }
        }
        assertCounts(warm, 3_000);
        assertThat(warm.capacityBytes()).isLessThanOrEqualTo(budget);
        assertThat(warm.liveBytes()).isLessThanOrEqualTo(warm.capacityBytes());
        for (Map.Entry<String, byte[]> e : last.entrySet()) {
            if (warm.find(e.getKey()) >= 0) {
                assertThat(read(warm, e.getKey())).isEqualTo(e.getValue());
            }
        }
        assertThat(served).as("the tier served rows (it is not empty)").isGreaterThan(10_000);
        assertThat(warm.size()).as("it also dropped rows (3,000 ids of ~220 B do not fit)").isLessThan(3_000);
    }

    /** Its size and live bytes are those of the rows it serves, ids {@code c-0} to {@code c-(ids-1)} (ASCII). */
    private static void assertCounts(WarmRows warm, int ids) {
        int held = 0;
        long bytes = 0;
        for (int k = 0; k < ids; k++) {
            String id = "c-" + k;
            int ref = warm.find(id);
            if (ref >= 0) {
                held++;
                bytes += 10 + id.length() + warm.length(ref); // a record's header, id and payload
            }
        }
        assertThat(warm.size()).as("rows held").isEqualTo(held);
        assertThat(warm.liveBytes()).as("live bytes").isEqualTo(bytes);
    }

    @Test
    void shouldBoundTinyRowsByTheIndexsShareOfTheBudget() {
        long budget = 32 << 10;
        WarmRows warm = new WarmRows(budget);
        Map<String, byte[]> last = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            String id = "t" + (i % 5_000);
            byte[] row = bytes(i, 1 + i % 3);
            warm.put(id, row, 0, row.length);
            last.put(id, row);
            assertThat(warm.allocatedBytes()).isLessThanOrEqualTo(warm.capacityBytes());
        }
        assertThat(warm.capacityBytes()).isLessThanOrEqualTo(budget);
        assertThat(warm.size()).isPositive();
        int served = 0;
        for (Map.Entry<String, byte[]> e : last.entrySet()) {
            if (warm.find(e.getKey()) >= 0) {
                assertThat(read(warm, e.getKey())).isEqualTo(e.getValue());
                served++;
            }
        }
        assertThat(served).isEqualTo(warm.size());
    }

    @Test
    void shouldKeepNothingInATierTooSmall() {
        WarmRows warm = new WarmRows(8 << 10);
        warm.put("c-1", bytes(1, 10), 0, 10);
        assertThat(warm.find("c-1")).isEqualTo(-1);
        assertThat(warm.capacityBytes()).isZero();
    }

    private static byte[] read(WarmRows warm, String id) {
        int ref = warm.find(id);
        assertThat(ref).as("%s held", id).isGreaterThanOrEqualTo(0);
        int from = warm.offset(ref);
        return Arrays.copyOfRange(warm.array(ref), from, from + warm.length(ref));
    }

    private static byte[] bytes(int seed, int length) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }
}
