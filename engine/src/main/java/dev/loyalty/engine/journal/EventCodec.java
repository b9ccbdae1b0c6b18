package dev.loyalty.engine.journal;

import dev.loyalty.engine.event.CheckedEvent;
import dev.loyalty.engine.event.Event;
import net.openhft.chronicle.bytes.Bytes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary wire form of a validated {@link Event} inside a journal record: no JSON is parsed again by the
 * processors. Strings are UTF-8 with a stop-bit length (null allowed); numbers are fixed or stop-bit longs.
 * The layout is the on-disk format: extend it only by appending fields under a new version byte.
 */
public final class EventCodec {

    static final byte VERSION = 1;

    private EventCodec() {
    }

    /** Writes the event and the hash of its request body (0 when it carries no idempotency id). */
    public static void write(Bytes<?> out, Event e, long bodyHash) {
        out.writeByte(VERSION);
        writeString(out, e.customer());
        writeString(out, e.action());
        writeString(out, e.id());
        writeString(out, e.account());
        out.writeLong(e.effectiveTimeMs());
        out.writeLong(e.points());
        writeString(out, e.transactionId());
        out.writeLong(e.totalCents());
        List<Event.Item> items = e.items();
        if (items == null) {
            out.writeStopBit(-1);
        } else {
            out.writeStopBit(items.size());
            for (Event.Item item : items) {
                writeString(out, item.productId());
                out.writeLong(item.priceCents());
                out.writeLong(item.quantity());
                out.writeLong(item.discountCents());
            }
        }
        out.writeLong(e.pointsBurned());
        out.writeLong(e.amountCents());
        writeString(out, e.reason());
        writeString(out, e.attributesJson());
        out.writeLong(bodyHash);
    }

    /**
     * Writes a checked event exactly as {@link #write} writes the same {@link Event} (same bytes), with no
     * {@code Event} built: the single-event request path ({@link EventRecord}).
     */
    public static void write(Bytes<?> out, CheckedEvent e) {
        out.writeByte(VERSION);
        writeString(out, e.customer());
        writeString(out, e.action());
        writeString(out, e.id());
        writeString(out, e.account());
        out.writeLong(e.effectiveTimeMs());
        out.writeLong(e.points());
        writeString(out, e.transactionId());
        out.writeLong(e.totalCents());
        int items = e.itemCount();
        out.writeStopBit(items);
        for (int i = 0; i < items; i++) {
            writeString(out, e.productId(i));
            out.writeLong(e.priceCents(i));
            out.writeLong(e.quantity(i));
            out.writeLong(e.discountCents(i));
        }
        out.writeLong(e.pointsBurned());
        out.writeLong(e.amountCents());
        writeString(out, e.reason());
        writeString(out, e.attributesJson());
        out.writeLong(e.bodyHash());
    }

    /** Strings are read through a reused per-thread array: the String's own copy is the only one made. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** A growable byte array, owned by one thread. */
    private static final class Scratch {
        byte[] bytes = new byte[256];

        byte[] atLeast(int n) {
            if (bytes.length < n) {
                bytes = new byte[Math.max(n, bytes.length * 2)];
            }
            return bytes;
        }
    }

    /** Reads an event written by {@link #write}, in place from the record's bytes. */
    public static Event read(Bytes<?> in) {
        Scratch scratch = SCRATCH.get();
        byte version = in.readByte();
        if (version != VERSION) {
            throw new JournalCorruptException("unknown event encoding version " + version);
        }
        String customer = readString(in, scratch);
        String action = readString(in, scratch);
        String id = readString(in, scratch);
        String account = readString(in, scratch);
        long effective = in.readLong();
        long points = in.readLong();
        String transactionId = readString(in, scratch);
        long total = in.readLong();
        int itemCount = (int) in.readStopBit();
        List<Event.Item> items = null;
        if (itemCount >= 0) {
            items = new ArrayList<>(itemCount);
            for (int i = 0; i < itemCount; i++) {
                items.add(new Event.Item(readString(in, scratch), in.readLong(), in.readLong(), in.readLong()));
            }
        }
        long burned = in.readLong();
        long amount = in.readLong();
        String reason = readString(in, scratch);
        String attributes = readString(in, scratch);
        in.readLong(); // body hash: read by the idempotency index, not the rules
        return new Event(customer, action, id, account, effective, points, transactionId, total,
                items == null ? null : List.copyOf(items), burned, amount, reason, attributes);
    }

    /** Told each event of a record that carries an idempotency id: its seq, id, customer and body hash. */
    @FunctionalInterface
    public interface IdentifiedEvent {
        void accept(long seq, String id, String customer, long bodyHash);
    }

    /**
     * Visits the events of an events record (any other record type: none) that carry an idempotency id, in
     * order; returns how many. The one walk of a record's ids: index rebuilds, the Kafka id tailer, tests.
     * Reads only what the index keeps (customer, id, and the body hash: an event's last 8 bytes, found from its
     * length) and skips the rest: a start after a crash re-registers tens of thousands of ids while its JIT is
     * cold, and decoding each whole event (items, strings, an {@code Event}) took ~30-50 us an id there.
     */
    public static int forEachWithId(RecordHeader h, Bytes<?> payload, IdentifiedEvent visitor) {
        if (h.type() != RecordType.EVENTS) {
            return 0;
        }
        Scratch scratch = SCRATCH.get();
        int count = (int) payload.readStopBit();
        int n = 0;
        for (int i = 0; i < count; i++) {
            payload.readInt(); // partition hash
            int length = payload.readInt();
            long end = payload.readPosition() + length;
            if (length < 1 + Long.BYTES || end > payload.readLimit()) {
                throw new JournalCorruptException("event length " + length + " beyond the record");
            }
            byte version = payload.readByte();
            if (version != VERSION) {
                throw new JournalCorruptException("unknown event encoding version " + version);
            }
            String customer = readString(payload, scratch);
            skipString(payload); // action
            String id = readString(payload, scratch);
            if (id != null) {
                visitor.accept(h.firstSeq() + i, id, customer, payload.readLong(end - Long.BYTES));
                n++;
            }
            payload.readPosition(end);
        }
        return n;
    }

    private static void skipString(Bytes<?> in) {
        long n = in.readStopBit();
        if (n > in.readRemaining()) {
            throw new JournalCorruptException("string length " + n + " beyond the record");
        }
        if (n > 0) {
            in.readSkip(n);
        }
    }

    /**
     * A nullable string as stop-bit length (-1 = null) and UTF-8 bytes. Chronicle's own readUtf8 interns
     * every string it reads, which costs more than decoding the few bytes of an id.
     */
    static void writeString(Bytes<?> out, String s) {
        if (s == null) {
            out.writeStopBit(-1);
            return;
        }
        if (isAscii(s)) {
            // Nearly every id, action and sku: its UTF-8 bytes are its chars, written with no byte[] copy.
            out.writeStopBit(s.length());
            out.append8bit(s);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeStopBit(b.length);
        out.write(b);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static String readString(Bytes<?> in, Scratch scratch) {
        long n = in.readStopBit();
        if (n < 0) {
            return null;
        }
        if (n > in.readRemaining()) {
            throw new JournalCorruptException("string length " + n + " beyond the record");
        }
        int len = (int) n;
        byte[] b = scratch.atLeast(len);
        in.read(b, 0, len);
        return new String(b, 0, len, StandardCharsets.UTF_8);
    }
}
