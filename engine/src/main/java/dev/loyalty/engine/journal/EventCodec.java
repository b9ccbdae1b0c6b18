package dev.loyalty.engine.journal;

import dev.loyalty.engine.event.Event;
import net.openhft.chronicle.bytes.Bytes;

import java.util.ArrayList;
import java.util.List;

/**
 * Binary wire form of a validated {@link Event} inside a journal record: no JSON is parsed again by the
 * processors. Strings are UTF-8 with a stop-bit length (null allowed); numbers are fixed or stop-bit longs.
 * The layout is the on-disk format: extend it only by appending fields under a new version byte.
 */
public final class EventCodec {

    private static final byte VERSION = 1;

    private EventCodec() {
    }

    /** Writes the event and the hash of its request body (0 when it carries no idempotency id). */
    public static void write(Bytes<?> out, Event e, long bodyHash) {
        out.writeByte(VERSION);
        out.writeUtf8(e.customer());
        out.writeUtf8(e.action());
        out.writeUtf8(e.id());
        out.writeUtf8(e.account());
        out.writeLong(e.effectiveTimeMs());
        out.writeLong(e.points());
        out.writeUtf8(e.transactionId());
        out.writeLong(e.totalCents());
        List<Event.Item> items = e.items();
        if (items == null) {
            out.writeStopBit(-1);
        } else {
            out.writeStopBit(items.size());
            for (Event.Item item : items) {
                out.writeUtf8(item.productId());
                out.writeLong(item.priceCents());
                out.writeLong(item.quantity());
                out.writeLong(item.discountCents());
            }
        }
        out.writeLong(e.pointsBurned());
        out.writeLong(e.amountCents());
        out.writeUtf8(e.reason());
        out.writeUtf8(e.attributesJson());
        out.writeLong(bodyHash);
    }

    /** Reads an event written by {@link #write}. */
    public static Event read(Bytes<?> in) {
        byte version = in.readByte();
        if (version != VERSION) {
            throw new JournalCorruptException("unknown event encoding version " + version);
        }
        String customer = in.readUtf8();
        String action = in.readUtf8();
        String id = in.readUtf8();
        String account = in.readUtf8();
        long effective = in.readLong();
        long points = in.readLong();
        String transactionId = in.readUtf8();
        long total = in.readLong();
        int itemCount = (int) in.readStopBit();
        List<Event.Item> items = null;
        if (itemCount >= 0) {
            items = new ArrayList<>(itemCount);
            for (int i = 0; i < itemCount; i++) {
                items.add(new Event.Item(in.readUtf8(), in.readLong(), in.readLong(), in.readLong()));
            }
        }
        long burned = in.readLong();
        long amount = in.readLong();
        String reason = in.readUtf8();
        String attributes = in.readUtf8();
        in.readLong(); // body hash: read by the idempotency index, not the rules
        return new Event(customer, action, id, account, effective, points, transactionId, total,
                items == null ? null : List.copyOf(items), burned, amount, reason, attributes);
    }

    /** Reads an event and its body hash (for rebuilding the idempotency index). */
    public static WithHash readWithHash(Bytes<?> in) {
        Event e = read(in);
        in.readPosition(in.readPosition() - Long.BYTES);
        return new WithHash(e, in.readLong());
    }

    /** An event with the hash of its request body. */
    public record WithHash(Event event, long bodyHash) {
    }
}
