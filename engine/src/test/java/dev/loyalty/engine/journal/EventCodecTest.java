package dev.loyalty.engine.journal;

import dev.loyalty.engine.event.Event;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The write side of the event wire form: byte for byte the format-1 layout, whatever the strings hold. */
class EventCodecTest {

    /** The layout as first written: every string through {@code getBytes(UTF_8)}. */
    private static void reference(Bytes<?> out, String s) {
        if (s == null) {
            out.writeStopBit(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeStopBit(b.length);
        out.write(b);
    }

    private static byte[] referenceEvent(Event e, long hash) {
        Bytes<?> out = Bytes.allocateElasticOnHeap(256);
        out.writeByte((byte) 1);
        reference(out, e.customer());
        reference(out, e.action());
        reference(out, e.id());
        reference(out, e.account());
        out.writeLong(e.effectiveTimeMs());
        out.writeLong(e.points());
        reference(out, e.transactionId());
        out.writeLong(e.totalCents());
        out.writeStopBit(e.items().size());
        for (Event.Item item : e.items()) {
            reference(out, item.productId());
            out.writeLong(item.priceCents());
            out.writeLong(item.quantity());
            out.writeLong(item.discountCents());
        }
        out.writeLong(e.pointsBurned());
        out.writeLong(e.amountCents());
        reference(out, e.reason());
        reference(out, e.attributesJson());
        out.writeLong(hash);
        return out.toByteArray();
    }

    private static byte[] written(Event e, long hash) {
        Bytes<?> out = Bytes.allocateElasticOnHeap(256);
        EventCodec.write(out, e, hash);
        return out.toByteArray();
    }

    @Test
    void shouldWriteAsciiAndNonAsciiStringsAsTheirUtf8Bytes() {
        // Two-byte, three-byte and surrogate-pair characters, an ASCII DEL and a long ASCII id (stop-bit length > 127).
        String longId = "x".repeat(300);
        Event e = new Event("kundé-ø", "checkout", longId, "points", 5, Event.ABSENT, "t-€-1", 1234,
                List.of(new Event.Item("sku-\uD83D\uDE00", 1999, 2, 0), new Event.Item("plain\u007F", 1, 1, 0)),
                Event.ABSENT, Event.ABSENT, null, "{\"city\":\"Zürich\"}");
        assertThat(written(e, 42)).isEqualTo(referenceEvent(e, 42));
        assertThat(EventCodec.read(Bytes.wrapForRead(written(e, 42)))).isEqualTo(e);
    }

    @Test
    void shouldWriteAnAllAsciiEventAsBefore() {
        Event e = new Event("c-17", "checkout", "b-e1", "points", Event.ABSENT, Event.ABSENT, "b-t1", Event.ABSENT,
                List.of(new Event.Item("sku-1", 1999, 2, 0)), Event.ABSENT, Event.ABSENT, "", "");
        assertThat(written(e, -7)).isEqualTo(referenceEvent(e, -7));
    }
}
