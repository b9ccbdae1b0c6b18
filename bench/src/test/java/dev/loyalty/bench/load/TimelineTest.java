package dev.loyalty.bench.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The window's timeline: each answer counts in the slice it was due in and the slice it was answered in. */
class TimelineTest {
    private static final long MS = 1_000_000L;

    @TempDir
    Path dir;

    @Test
    void shouldKeepTheSlowestAnswerOfEachSliceAndCountByDueAndAnswerTime() throws Exception {
        long start = 1_000 * MS;
        Timeline t = new Timeline(start, 30 * MS, 10 * MS);
        t.record(start + 1 * MS, start + 2 * MS, start + 3 * MS);       // due slice 0, answered in 0: 2 ms
        t.record(start + 5 * MS, start + 20 * MS, start + 25 * MS);     // due slice 0, answered in 2: 20 ms, service 5
        t.record(start + 12 * MS, start + 12 * MS, start + 13 * MS);    // slice 1: 1 ms
        t.record(start - 1 * MS, start, start + 1 * MS);                // due before the window: answered only
        t.record(start + 40 * MS, start + 40 * MS, start + 41 * MS);    // after the window: nowhere

        Path file = dir.resolve("timeline.csv");
        t.write(file);
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).isEqualTo("wall_ms,due,answered,max_response_us,max_service_us");
        assertThat(lines).hasSize(1 + 4);
        assertThat(columns(lines.get(1))).isEqualTo("2,2,20000,5000");
        assertThat(columns(lines.get(2))).isEqualTo("1,1,1000,1000");
        assertThat(columns(lines.get(3))).isEqualTo("0,1,0,0");
        long wall0 = Long.parseLong(lines.get(1).split(",")[0]);
        long wall1 = Long.parseLong(lines.get(2).split(",")[0]);
        assertThat(wall1 - wall0).isEqualTo(10);
    }

    /** The line without its wall-clock column. */
    private static String columns(String line) {
        return line.substring(line.indexOf(',') + 1);
    }
}
