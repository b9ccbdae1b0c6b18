package dev.loyalty.engine.journal;

import dev.loyalty.engine.core.EventInput;
import dev.loyalty.engine.core.RuleInput;
import dev.loyalty.engine.event.Event;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The processor's view of a journaled event ({@link JournalEvent}) reads exactly what {@link EventCodec#read} reads
 * for everything the rules see, over random events: absent strings and numbers, items absent, empty, negative or
 * overflowing, non-ASCII ids, long reasons, and strings repeating through its cache of recent values.
 */
class JournalEventTest {

    private static final String[] ACTIONS = {"checkout", "point_add", "opt_in", "review_written", "point_spend"};
    private static final String[] TEXT = {"goodwill", "ünïcødé", "x".repeat(60), "", "points", "bonus", "Aa", "BB"};

    @Test
    void shouldGiveTheRulesWhatTheEventObjectGivesThem() {
        SplittableRandom random = new SplittableRandom(5);
        JournalEvent view = new JournalEvent();
        EventInput expected = new EventInput();
        Bytes<?> bytes = Bytes.allocateElasticOnHeap(1024);
        for (int n = 0; n < 20_000; n++) {
            Event e = event(random, n);
            bytes.clear();
            EventCodec.write(bytes, e, random.nextLong());
            long end = bytes.writePosition();
            Event decoded = EventCodec.read(bytes);
            bytes.readPosition(0);
            view.read(bytes);

            assertThat(bytes.readPosition()).as("read past the event %s", e).isEqualTo(end);
            assertSame(view, expected.of(decoded), e);
            byte[] id = e.customer().getBytes(StandardCharsets.UTF_8);
            assertThat(view.customerLength()).isEqualTo(id.length);
            assertThat(java.util.Arrays.copyOf(view.customerBytes(), id.length)).isEqualTo(id);
            boolean ascii = e.customer().chars().allMatch(c -> c < 0x80);
            assertThat(view.customerAscii()).isEqualTo(ascii);
            if (ascii) {
                assertThat(view.customerHash()).isEqualTo(e.customer().hashCode());
            }
        }
    }

    private static void assertSame(RuleInput got, RuleInput want, Event e) {
        String what = e.toString();
        // the views first: once the strings are made, they give those
        assertThat(chars(got.transactionIdChars())).as(what).isEqualTo(want.transactionId());
        assertThat(chars(got.attributesChars())).as(what).isEqualTo(want.attributesJson());
        assertThat(got.customer()).as(what).isEqualTo(want.customer());
        assertThat(got.action()).as(what).isEqualTo(want.action());
        assertThat(got.account()).as(what).isEqualTo(want.account());
        assertThat(got.effectiveTimeMs()).as(what).isEqualTo(want.effectiveTimeMs());
        assertThat(got.eventTimeMs(42)).as(what).isEqualTo(want.eventTimeMs(42));
        assertThat(got.points()).as(what).isEqualTo(want.points());
        assertThat(got.transactionId()).as(what).isEqualTo(want.transactionId());
        assertThat(got.eligibleCents()).as(what).isEqualTo(want.eligibleCents());
        assertThat(got.pointsBurned()).as(what).isEqualTo(want.pointsBurned());
        assertThat(got.amountCents()).as(what).isEqualTo(want.amountCents());
        assertThat(got.reason()).as(what).isEqualTo(want.reason());
        assertThat(got.attributesJson()).as(what).isEqualTo(want.attributesJson());
    }

    /** The chars read one by one (as the rules read a view), or null. */
    private static String chars(CharSequence s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            b.append(s.charAt(i));
        }
        assertThat(s.toString()).isEqualTo(b.toString());
        return b.toString();
    }

    private static Event event(SplittableRandom r, int n) {
        String customer = r.nextInt(10) == 0 ? "kundé-" + n : "c-" + r.nextInt(1000);
        List<Event.Item> items = null;
        int shape = r.nextInt(6);
        if (shape == 1) {
            items = List.of();
        } else if (shape >= 2) {
            items = new ArrayList<>();
            for (int i = 0; i < 1 + r.nextInt(4); i++) {
                long price = shape == 5 && i == 0 ? Long.MAX_VALUE / 2 : r.nextLong(-10, 100_000);
                items.add(new Event.Item(text(r), price, r.nextLong(0, 4), r.nextInt(3) == 0 ? r.nextLong(0, 500) : 0));
            }
        }
        return new Event(customer, ACTIONS[r.nextInt(ACTIONS.length)], r.nextBoolean() ? "id-" + n : null,
                r.nextInt(8) == 0 ? null : text(r), number(r), number(r),
                r.nextBoolean() ? (r.nextInt(8) == 0 ? "Tü-" : "T-") + n : null, number(r),
                items, number(r), number(r), r.nextInt(3) == 0 ? null : text(r),
                r.nextBoolean() ? "{\"country\":\"" + (r.nextInt(8) == 0 ? "DÉ" : "DE") + "\",\"n\":" + n + "}" : null);
    }

    private static String text(SplittableRandom r) {
        return r.nextInt(4) == 0 ? "free text " + r.nextInt(5000) : TEXT[r.nextInt(TEXT.length)];
    }

    private static long number(SplittableRandom r) {
        return r.nextInt(3) == 0 ? Event.ABSENT : r.nextLong(-1000, 1_000_000_000_000L);
    }
}
