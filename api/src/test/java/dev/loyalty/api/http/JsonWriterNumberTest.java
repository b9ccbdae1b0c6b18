package dev.loyalty.api.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link JsonWriter}'s numbers are {@link Long#toString}'s digits, at every length and at the edges. */
class JsonWriterNumberTest {

    @Test
    void shouldWriteEveryLengthAndEdgeAsLongToString() {
        List<Long> values = new ArrayList<>(List.of(0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1));
        for (long p = 1; p > 0 && p <= Long.MAX_VALUE / 10 * 10; p *= 10) {
            for (long v : new long[] {p - 1, p, p + 1, 2 * p - 1, 9 * p, 99 * p / 10}) {
                values.add(v);
                values.add(-v);
            }
            if (p > Long.MAX_VALUE / 10) {
                break;
            }
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            long v = random.nextLong() >> random.nextInt(64);
            values.add(v);
        }
        for (long v : values) {
            JsonWriter w = JsonWriter.acquire();
            w.beginArray().value(v).value(v).endArray();
            assertThat(new String(w.toBytes(), StandardCharsets.US_ASCII)).as("%d", v)
                    .isEqualTo("[" + v + "," + v + "]");
        }
    }

    @Test
    void shouldCountDigits() {
        assertThat(JsonWriter.digitCount(0)).isEqualTo(1);
        assertThat(JsonWriter.digitCount(9)).isEqualTo(1);
        assertThat(JsonWriter.digitCount(10)).isEqualTo(2);
        assertThat(JsonWriter.digitCount(999_999_999_999_999_999L)).isEqualTo(18);
        assertThat(JsonWriter.digitCount(1_000_000_000_000_000_000L)).isEqualTo(19);
        assertThat(JsonWriter.digitCount(Long.MAX_VALUE)).isEqualTo(19);
    }
}
