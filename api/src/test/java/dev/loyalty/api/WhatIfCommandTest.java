package dev.loyalty.api;

import dev.loyalty.engine.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The --from/--to readings of {@code whatif}: dates cover whole UTC days, instants are exact. */
class WhatIfCommandTest {

    @Test
    void shouldReadDatesAsWholeUtcDaysAndInstantsExactly() {
        assertThat(WhatIfCommand.parseTime("--from", "2026-03-01", false))
                .isEqualTo(Instant.parse("2026-03-01T00:00:00Z").toEpochMilli());
        assertThat(WhatIfCommand.parseTime("--to", "2026-03-01", true))
                .isEqualTo(Instant.parse("2026-03-01T23:59:59.999Z").toEpochMilli());
        assertThat(WhatIfCommand.parseTime("--from", "2026-03-01T12:30:00Z", false))
                .isEqualTo(Instant.parse("2026-03-01T12:30:00Z").toEpochMilli());
        assertThat(WhatIfCommand.parseTime("--to", "2026-03-01T12:30:00+02:00", true))
                .isEqualTo(Instant.parse("2026-03-01T10:30:00Z").toEpochMilli());
    }

    @Test
    void shouldRefuseAnythingElseNamingTheOption() {
        assertThatThrownBy(() -> WhatIfCommand.parseTime("--from", "March", false))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--from: 'March' is neither an ISO date (2026-03-01) nor an instant (2026-03-01T00:00:00Z)");
        assertThatThrownBy(() -> WhatIfCommand.parseTime("--to", "2026-02-30", true))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("--to: '2026-02-30'");
    }

    @Test
    void shouldRefuseABackupsFolderThatDoesNotExist(@TempDir Path dir) {
        WhatIfCommand command = new WhatIfCommand();
        command.dataDir = dir.resolve("data");
        command.rulesFile = dir.resolve("rules.yaml");
        command.outDir = dir.resolve("out");
        command.backupsDir = dir.resolve("no-such-folder");

        assertThatThrownBy(command::backups).isInstanceOf(ConfigException.class)
                .hasMessage("--backups: no folder " + dir.resolve("no-such-folder"));
    }
}
