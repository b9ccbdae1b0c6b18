package dev.loyalty.engine;

import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.journal.FormatOneJournal;
import dev.loyalty.engine.journal.FormatUpgrade;
import dev.loyalty.engine.journal.JournalFormatException;
import dev.loyalty.engine.journal.RecordType;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.testing.Eventually;
import dev.loyalty.engine.testing.Folders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A folder of journal format 1: refused at start with the way out, and migrated by journal-upgrade. */
@Timeout(300)
class JournalUpgradeTest {

    @TempDir
    Path dir;

    private static EngineConfig config(Path data) {
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", data.toString(), "partitions", "2"));
    }

    private static Event event(String customer, String action, long points) {
        return new Event(customer, action, null, action.equals("point_add") ? "points" : null, Event.ABSENT, points,
                null, Event.ABSENT, null, Event.ABSENT, Event.ABSENT, null, null);
    }

    @Test
    void shouldRefuseAFormat1FolderAndServeItsUpgradedCopyWithTheSameSeqsAndBalances() throws Exception {
        Path old = dir.resolve("old");
        new DataFolder(old).checkPartitions(2);
        long now = System.currentTimeMillis();
        try (FormatOneJournal j = new FormatOneJournal(old.resolve("journal"))) {
            j.events(now - 5_000, List.of(event("c-1", "opt_in", Event.ABSENT), event("c-2", "opt_in", Event.ABSENT),
                    event("c-3", "opt_in", Event.ABSENT)));
            j.bare(RecordType.HEARTBEAT, now - 4_000, 0);
            j.events(now - 3_000, List.of(event("c-1", "point_add", 120)));
            j.events(now - 2_000, List.of(event("c-2", "point_add", 7), event("c-3", "point_add", 30)));
        }
        Map<String, String> oldFiles = Folders.fileDigests(old.resolve("journal"));
        assertThatThrownBy(() -> Engine.start(config(old), new SimpleMeterRegistry()).close())
                .isInstanceOf(JournalFormatException.class)
                .hasMessageContaining("bin/engine journal-upgrade --data DIR --into NEWDIR");

        Path upgraded = dir.resolve("new");
        FormatUpgrade.Copied copied = JournalUpgrade.run(old, upgraded);
        assertThat(copied.records()).isEqualTo(4);
        assertThat(copied.lastSeq()).isEqualTo(7);
        assertThat(Folders.fileDigests(old.resolve("journal")).keySet()).isEqualTo(oldFiles.keySet());
        assertThat(Folders.fileDigests(old.resolve("journal")).entrySet().stream()
                .filter(e -> e.getKey().endsWith(".cq4")).toList())
                .as("the old journal is only read")
                .isEqualTo(oldFiles.entrySet().stream().filter(e -> e.getKey().endsWith(".cq4")).toList());

        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config(upgraded), new SimpleMeterRegistry()))) {
            CustomerView c1 = engine.customer("c-1").get(5, TimeUnit.SECONDS);
            CustomerView c3 = engine.customer("c-3").get(5, TimeUnit.SECONDS);
            assertThat(c1.accounts().get("points").balance()).isEqualTo(120);
            assertThat(c3.accounts().get("points").balance()).isEqualTo(30);
            assertThat(engine.stats().membersTotal()).isEqualTo(3);
            LoyaltyEngine.EventStatus sixth = engine.event(6).get(5, TimeUnit.SECONDS);
            assertThat(sixth.kind()).isEqualTo(LoyaltyEngine.EventStatus.Kind.DONE);
            assertThat(sixth.outcome().customer()).as("seq 6 is c-2's point_add, as before").isEqualTo("c-2");
        }
        assertThatThrownBy(() -> JournalUpgrade.run(upgraded, dir.resolve("again")))
                .as("a format-2 journal is not upgraded again")
                .hasMessageContaining("not a format-1 record");
    }
}
