package dev.loyalty.api.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link JsonWriter}'s times are ISO_INSTANT's text, whether written through {@code time} or {@code appendTime} and
 * whether the writer's last day ({@code yyyy-mm-dd} kept from the time before) is the day of the next time or not:
 * runs of times within one day, across midnight and back, years apart, with and without milliseconds, and {@code none}.
 */
class JsonWriterTimeTest {

    private static final long DAY_MS = 86_400_000L;
    private static final long NONE = Long.MIN_VALUE;

    @Test
    void shouldWriteTimesAsIsoInstantWhateverTheDayBefore() {
        SplittableRandom random = new SplittableRandom(11);
        List<Long> times = new ArrayList<>();
        for (int run = 0; run < 20_000; run++) {
            long day = random.nextLong(2_932_896); // 1970-01-01 to 9999-12-31
            int length = random.nextInt(1, 5);
            for (int i = 0; i < length; i++) {
                long ms = switch (random.nextInt(5)) {
                    case 0 -> 0;
                    case 1 -> DAY_MS - 1;
                    case 2 -> random.nextLong(DAY_MS) / 1000 * 1000;
                    default -> random.nextLong(DAY_MS);
                };
                times.add(day * DAY_MS + ms);
                if (random.nextInt(8) == 0) {
                    times.add(day * DAY_MS + ms + DAY_MS * (random.nextBoolean() ? 1 : -1)); // next or day before
                }
                if (random.nextInt(20) == 0) {
                    times.add(NONE);
                }
            }
        }
        times.add(0L);
        times.add(253_402_300_799_999L); // 9999-12-31T23:59:59.999Z
        times.add(1L);
        for (int i = 0; i < times.size(); i += 50) {
            JsonWriter w = JsonWriter.acquire();
            StringBuilder expected = new StringBuilder("[");
            w.beginArray();
            for (int j = i; j < Math.min(times.size(), i + 50); j++) {
                long t = times.get(j);
                String text = t == NONE ? "null"
                        : '"' + DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(t)) + '"';
                expected.append(j == i ? "" : ",").append(text).append(',').append(text);
                w.time(t, NONE).append(',').appendTime(t, NONE);
            }
            w.endArray();
            assertThat(new String(w.toBytes(), StandardCharsets.US_ASCII)).as("times from %d", i)
                    .isEqualTo(expected.append(']').toString());
        }
    }
}
