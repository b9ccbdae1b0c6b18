package dev.loyalty.engine.journal;

import dev.loyalty.engine.event.CheckedEvent;
import dev.loyalty.engine.event.Event;
import net.openhft.chronicle.bytes.Bytes;

/**
 * One checked request event already in its journal encoding ({@link EventCodec}, body hash included), with
 * the few attributes the submit path reads (customer, action, id, body hash): the single-event request path
 * journals these bytes as they are ({@link ChronicleJournal#appendEvent}), so no {@link Event} is built.
 * One per thread, reused for every request it reads; not thread-safe.
 */
public final class EventRecord {

    private final Bytes<byte[]> bytes = Bytes.allocateElasticOnHeap(256);
    private String customer;
    private String action;
    private String id;
    private long bodyHash;
    /** The seq the engine journaled it under, or -1. */
    private long seq = -1;

    /** Encodes {@code e} (valid until the reader's next read: its strings are kept, nothing else). */
    public void encode(CheckedEvent e) {
        bytes.clear();
        EventCodec.write(bytes, e);
        customer = e.customer();
        action = e.action();
        id = e.id();
        bodyHash = e.bodyHash();
        seq = -1;
    }

    /** The encoded event, {@code [0, writePosition)}. */
    Bytes<byte[]> bytes() {
        return bytes;
    }

    public String customer() {
        return customer;
    }

    public String action() {
        return action;
    }

    /** The idempotency id, or null. */
    public String id() {
        return id;
    }

    public long bodyHash() {
        return bodyHash;
    }

    /** The seq it was journaled under, set by the engine that journaled it; -1 before. */
    public long seq() {
        return seq;
    }

    public void seq(long journaled) {
        this.seq = journaled;
    }

    /** The event decoded again (the rare paths that need an {@link Event}: a worker-thread submit). */
    public Event decode() {
        bytes.readPosition(0); // the buffer's own read position: no view to create and release
        return EventCodec.read(bytes);
    }
}
