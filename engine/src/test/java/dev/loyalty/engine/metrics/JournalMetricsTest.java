package dev.loyalty.engine.metrics;

import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.journal.ChronicleJournal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(300)
class JournalMetricsTest {
    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static Submitted event(String action) {
        return new Submitted(new Event("c-1", action, null, "points", Event.ABSENT, 5, null, Event.ABSENT,
                List.of(), Event.ABSENT, Event.ABSENT, null, null), 0);
    }

    private double journaled(String action) {
        return registry.get("loyalty_events_journaled").tag("action", action).counter().count();
    }

    @Test
    void shouldCountJournaledEventsByActionAndTimeEachAppend() {
        try (ChronicleJournal journal = ChronicleJournal.open(dir, System::currentTimeMillis)) {
            JournalMetrics metrics = new JournalMetrics(new MeterSet(registry), journal, List.of("opt_in", "point_add"));
            assertThat(journaled("opt_in")).as("known actions exist before their first event").isZero();

            metrics.appended(List.of(event("point_add"), event("point_add"), event("opt_in"), event("point_add")),
                    2_000_000);
            metrics.appended(List.of(event("review_written")), 1_000_000);

            assertThat(journaled("point_add")).isEqualTo(3);
            assertThat(journaled("opt_in")).isEqualTo(1);
            assertThat(journaled("review_written")).isEqualTo(1);
            assertThat(registry.get("loyalty_journal_append").timer().count()).isEqualTo(2);
            assertThat(registry.get("loyalty_journal_append").timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3);
        }
    }

    @Test
    void shouldReadBytesAndSeqFromTheJournalAndCountFailuresByOperation() {
        try (ChronicleJournal journal = ChronicleJournal.open(dir, System::currentTimeMillis)) {
            JournalMetrics metrics = new JournalMetrics(new MeterSet(registry), journal, List.of());
            journal.appendHeartbeat();
            journal.appendEvents(List.of(event("opt_in")), null);

            assertThat(registry.get("loyalty_journal_appended").functionCounter().count())
                    .isEqualTo(journal.bytesAppended()).isPositive();
            assertThat(registry.get("loyalty_journal_last_seq").gauge().value()).isEqualTo(2);

            metrics.failed(JournalWrite.EVENTS);
            metrics.failed(JournalWrite.SYNC);
            metrics.failed(JournalWrite.SYNC);
            assertThat(registry.get("loyalty_journal_write_failures").tag("operation", "events").counter().count())
                    .isEqualTo(1);
            assertThat(registry.get("loyalty_journal_write_failures").tag("operation", "sync").counter().count())
                    .isEqualTo(2);
            assertThat(registry.get("loyalty_journal_write_failures").tag("operation", "heartbeat").counter().count())
                    .as("every operation's counter exists from the start").isZero();
        }
    }
}
