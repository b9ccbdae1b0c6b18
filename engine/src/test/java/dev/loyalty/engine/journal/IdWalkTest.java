package dev.loyalty.engine.journal;

import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EventCodec#forEachWithId} reads only an event's customer, id and body hash and skips the rest by the event's
 * length: on random records (ids or none, items, attributes, non-ASCII strings) it must tell exactly what a full
 * decode of each event finds.
 */
@Timeout(120)
class IdWalkTest {

    @TempDir
    Path dir;

    /** seq, id, customer, body hash of one event, as a comparable row. */
    private record Seen(long seq, String id, String customer, long bodyHash) {
    }

    @Test
    void shouldTellEveryIdentifiedEventAsAFullDecodeDoes() throws Exception {
        SplittableRandom random = new SplittableRandom(20261207);
        int withIds = 0;
        try (ChronicleJournal j = ChronicleJournal.open(dir.resolve("j"), new AtomicLong(1_000_000)::get,
                DiskSpaceGuard.off(dir.resolve("j")), 2)) {
            for (int r = 0; r < 400; r++) {
                List<Submitted> record = new ArrayList<>();
                for (int i = random.nextInt(1, 6); i > 0; i--) {
                    Event e = event(random);
                    withIds += e.id() == null ? 0 : 1;
                    record.add(new Submitted(e, random.nextLong()));
                }
                j.appendEvents(record, null);
                if (random.nextInt(10) == 0) {
                    j.appendHeartbeat();
                }
            }
            List<Seen> walked = new ArrayList<>();
            List<Seen> decoded = new ArrayList<>();
            try (JournalReader r = j.reader()) {
                while (r.next((pos, h, payload) -> {
                    long start = payload.readPosition();
                    int told = EventCodec.forEachWithId(h, payload,
                            (seq, id, customer, hash) -> walked.add(new Seen(seq, id, customer, hash)));
                    payload.readPosition(start);
                    int found = 0;
                    if (h.type() == RecordType.EVENTS) {
                        int n = (int) payload.readStopBit();
                        for (int i = 0; i < n; i++) {
                            payload.readInt();
                            payload.readInt();
                            Event e = EventCodec.read(payload);
                            long hash = payload.readLong(payload.readPosition() - Long.BYTES);
                            if (e.id() != null) {
                                decoded.add(new Seen(h.firstSeq() + i, e.id(), e.customer(), hash));
                                found++;
                            }
                        }
                    }
                    assertThat(told).isEqualTo(found);
                })) {
                    // read on
                }
            }
            assertThat(withIds).isGreaterThan(100);
            assertThat(walked).hasSize(withIds).isEqualTo(decoded);
        }
    }

    private static Event event(SplittableRandom random) {
        String customer = text(random, "c");
        String id = random.nextInt(4) == 0 ? null : text(random, "id");
        List<Event.Item> items = null;
        if (random.nextBoolean()) {
            items = new ArrayList<>();
            for (int i = random.nextInt(0, 4); i > 0; i--) {
                items.add(new Event.Item(text(random, "sku"), random.nextLong(1, 10_000), random.nextLong(1, 5), 0));
            }
        }
        String attributes = random.nextBoolean() ? null : "{\"name\":\"" + text(random, "n") + "\"}";
        return new Event(customer, random.nextBoolean() ? "checkout" : "point_add", id, "points", Event.ABSENT,
                random.nextLong(0, 1_000), random.nextBoolean() ? null : text(random, "t"), random.nextLong(0, 100_000),
                items, Event.ABSENT, Event.ABSENT, random.nextBoolean() ? null : "r", attributes);
    }

    private static String text(SplittableRandom random, String prefix) {
        String[] tails = {"", "-é", "-日本", "-\uD83D\uDE00", "-" + "x".repeat(random.nextInt(0, 300))};
        return prefix + "-" + random.nextInt(1_000_000) + tails[random.nextInt(tails.length)];
    }
}
