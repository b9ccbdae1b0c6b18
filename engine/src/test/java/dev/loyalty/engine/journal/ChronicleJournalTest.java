package dev.loyalty.engine.journal;

import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(300)
class ChronicleJournalTest {

    @TempDir
    Path dir;

    private static Event event(String customer, long points) {
        return new Event(customer, "point_add", "id-" + customer, "points", Event.ABSENT, points, null,
                Event.ABSENT, List.of(new Event.Item("p-1", 1250, 2, 0)), Event.ABSENT, Event.ABSENT,
                "welcome", "{\"a\":1}");
    }

    /** What a reader saw: type, first seq, ingest time, events. */
    private record Seen(RecordType type, long firstSeq, long ingestMs, List<Event> events, long position) {
    }

    private static List<Seen> readAll(JournalReader r) {
        List<Seen> out = new ArrayList<>();
        while (r.next((pos, h, payload) -> {
            List<Event> events = new ArrayList<>();
            if (h.type() == RecordType.EVENTS) {
                int n = (int) payload.readStopBit();
                for (int i = 0; i < n; i++) {
                    payload.readInt();
                    payload.readInt();
                    events.add(EventCodec.read(payload));
                }
            }
            out.add(new Seen(h.type(), h.firstSeq(), h.ingestMs(), events, pos));
        })) {
            // read on
        }
        return out;
    }

    @Test
    void shouldNumberRecordsAndRoundTripEvents() {
        AtomicLong wall = new AtomicLong(1_000_000);
        try (ChronicleJournal j = ChronicleJournal.open(dir, wall::get)) {
            long first = j.appendEvents(List.of(new Submitted(event("a", 5), 7), new Submitted(event("b", 6), 0)),
                    null);
            long hb = j.appendHeartbeat();
            assertThat(first).isEqualTo(1);
            assertThat(hb).isEqualTo(3);
            assertThat(j.lastSeq()).isEqualTo(3);
            try (JournalReader r = j.reader()) {
                List<Seen> seen = readAll(r);
                assertThat(seen).hasSize(2);
                assertThat(seen.get(0).events()).containsExactly(event("a", 5), event("b", 6));
                assertThat(seen.get(1).type()).isEqualTo(RecordType.HEARTBEAT);
            }
        }
    }

    @Test
    void shouldNeverLetIngestTimeGoBackwardsAcrossWallClockStepsAndRestarts() {
        AtomicLong wall = new AtomicLong(5_000_000);
        try (ChronicleJournal j = ChronicleJournal.open(dir, wall::get)) {
            j.appendHeartbeat();
            wall.set(4_000_000);
            j.appendHeartbeat();
            j.appendClockAdvance(10_000, null);
        }
        wall.set(4_995_000);
        try (ChronicleJournal j = ChronicleJournal.open(dir, wall::get)) {
            assertThat(j.lastSeq()).isEqualTo(3);
            assertThat(j.clock().offsetMs()).isEqualTo(10_000);
            j.appendHeartbeat();
            try (JournalReader r = j.reader()) {
                List<Seen> seen = readAll(r);
                assertThat(seen).extracting(Seen::ingestMs).isSorted();
                assertThat(seen.get(3).ingestMs()).isEqualTo(5_005_000);
            }
        }
    }

    @Test
    void shouldResumeAfterAStoredPositionAndRefuseOneBeyondTheEnd() {
        try (ChronicleJournal j = ChronicleJournal.open(dir, () -> 1_000)) {
            for (int i = 0; i < 5; i++) {
                j.appendHeartbeat();
            }
            long third;
            try (JournalReader r = j.reader()) {
                third = readAll(r).get(2).position();
            }
            try (JournalReader r = j.reader()) {
                r.seekAfter(third);
                assertThat(readAll(r)).extracting(Seen::firstSeq).containsExactly(4L, 5L);
            }
            try (JournalReader r = j.reader()) {
                assertThatThrownBy(() -> r.seekAfter(j.lastPosition() + 10))
                        .isInstanceOf(JournalCorruptException.class)
                        .hasMessageContaining("backup");
            }
        }
    }

    @Test
    void shouldCountTheBytesOfEveryAppendedRecord() {
        try (ChronicleJournal j = ChronicleJournal.open(dir, new AtomicLong(1_000_000)::get)) {
            assertThat(j.bytesAppended()).isZero();
            j.appendHeartbeat();
            assertThat(j.bytesAppended()).isEqualTo(RecordHeader.BYTES);
            j.appendEvents(List.of(new Submitted(event("a", 5), 0)), null);
            long afterOne = j.bytesAppended();
            assertThat(afterOne).isGreaterThan(2L * RecordHeader.BYTES);
            j.appendEvents(List.of(new Submitted(event("a", 5), 0)), null);
            long afterTwo = j.bytesAppended();
            assertThat(afterTwo).isEqualTo(afterOne + (afterOne - RecordHeader.BYTES));
            assertThatThrownBy(() -> j.appendEvents(List.of(new Submitted(event("b", 1), 0)), (seq, t) -> {
                throw new IllegalStateException("refused");
            })).isInstanceOf(IllegalStateException.class);
            assertThat(j.bytesAppended()).as("a rolled-back record is not counted").isEqualTo(afterTwo);
        }
    }
}
