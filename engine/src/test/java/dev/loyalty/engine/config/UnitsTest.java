package dev.loyalty.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UnitsTest {

    @Test
    void shouldParseDurationsWithEveryUnit() {
        assertThat(Units.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Units.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Units.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Units.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Units.parseDuration(" 7d ")).isEqualTo(Duration.ofDays(7));
        assertThat(Units.parseDuration("0s")).isEqualTo(Duration.ZERO);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "", "s", "-5s", "1.5s", "5 sec", "5S", "PT5S", "99999999999999999d"})
    void shouldRejectMalformedDurations(String text) {
        assertThatThrownBy(() -> Units.parseDuration(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text.trim());
    }

    @Test
    void shouldParseSizesInBinaryUnitsAndPlainBytes() {
        assertThat(Units.parseSize("1048576")).isEqualTo(1_048_576L);
        assertThat(Units.parseSize("100B")).isEqualTo(100L);
        assertThat(Units.parseSize("512KiB")).isEqualTo(512L * 1024);
        assertThat(Units.parseSize("1MiB")).isEqualTo(1024L * 1024);
        assertThat(Units.parseSize("256 MiB")).isEqualTo(256L * 1024 * 1024);
        assertThat(Units.parseSize("1GiB")).isEqualTo(1024L * 1024 * 1024);
    }

    @Test
    void shouldRejectDecimalUnitsWithAHint() {
        assertThatThrownBy(() -> Units.parseSize("1MB"))
                .hasMessageContaining("'1MB'")
                .hasMessageContaining("KiB, MiB, GiB");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "1.5MiB", "MiB", "1 mib", "9999999999999999TiB"})
    void shouldRejectMalformedSizes(String text) {
        assertThatThrownBy(() -> Units.parseSize(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
