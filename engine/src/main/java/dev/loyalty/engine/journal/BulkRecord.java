package dev.loyalty.engine.journal;

import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.BulkRead;
import dev.loyalty.engine.event.BulkSlots;
import dev.loyalty.engine.event.CheckedEvent;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.event.ReadEvent;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.event.ValidationError;
import net.openhft.chronicle.bytes.Bytes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A bulk request's valid events already in their journal record's encoding, written while the body is read
 * ({@link dev.loyalty.engine.event.EventReader#readBulk(byte[], long, int, BulkSlots)}): per event its
 * partition hash, length and {@link EventCodec} bytes, exactly what {@link ChronicleJournal#appendEvents}
 * writes after the event count, so {@link ChronicleJournal#appendBulk} copies them as they are. Keeps the few
 * attributes the submit path reads (customer, action, id, body hash) and each invalid slot's error. No
 * {@link Event} per slot. One per thread, reused for every bulk it reads; not thread-safe.
 */
public final class BulkRecord implements BulkSlots {

    private final Bytes<byte[]> bytes = Bytes.allocateElasticOnHeap(16 * 1024);
    /** Valid events. */
    private int count;
    /** Slots read (valid and invalid). */
    private int slots;
    private int invalid;
    private String[] customers = new String[128];
    private String[] actions = new String[128];
    private String[] ids = new String[128];
    private long[] bodyHashes = new long[128];
    /** Each id's {@link #idHash}, 0 until asked for. */
    private long[] idHashes = new long[128];
    private int[] hashes = new int[128];
    /** Where each event's entry (hash, length, encoding) starts in {@link #bytes}. */
    private int[] starts = new int[128];
    /** Each slot's error, null for a valid slot. */
    private ValidationError[] errors = new ValidationError[128];
    /** The seq of the first event once the engine journaled them; -1 before. */
    private long firstSeq = -1;

    @Override
    public void clear() {
        bytes.clear();
        Arrays.fill(customers, 0, count, null);
        Arrays.fill(ids, 0, count, null);
        Arrays.fill(idHashes, 0, count, 0L);
        Arrays.fill(errors, 0, slots, null);
        count = 0;
        slots = 0;
        invalid = 0;
        firstSeq = -1;
    }

    @Override
    public void valid(CheckedEvent e) {
        room();
        int start = (int) bytes.writePosition();
        int hash = PartitionHash.of(e.customer());
        bytes.writeInt(hash);
        bytes.writeInt(0);
        EventCodec.write(bytes, e);
        bytes.writeInt(start + Integer.BYTES, (int) (bytes.writePosition() - start - 2 * Integer.BYTES));
        starts[count] = start;
        hashes[count] = hash;
        customers[count] = e.customer();
        actions[count] = e.action();
        ids[count] = e.id();
        bodyHashes[count] = e.bodyHash();
        count++;
        slots++;
    }

    @Override
    public void invalid(ValidationError error) {
        room();
        errors[slots++] = error;
        invalid++;
    }

    private void room() {
        if (slots < errors.length) {
            return;
        }
        int n = errors.length * 2;
        customers = Arrays.copyOf(customers, n);
        actions = Arrays.copyOf(actions, n);
        ids = Arrays.copyOf(ids, n);
        bodyHashes = Arrays.copyOf(bodyHashes, n);
        idHashes = Arrays.copyOf(idHashes, n);
        hashes = Arrays.copyOf(hashes, n);
        starts = Arrays.copyOf(starts, n);
        errors = Arrays.copyOf(errors, n);
    }

    /** Every event's entry, {@code [0, writePosition)}. */
    Bytes<byte[]> bytes() {
        return bytes;
    }

    /** Valid events, the ones to journal. */
    public int count() {
        return count;
    }

    /** Slots read, valid or not. */
    public int slots() {
        return slots;
    }

    /** Slots that failed validation. */
    public int invalidSlots() {
        return invalid;
    }

    /** The error of slot {@code i}, null when it is valid. */
    public ValidationError error(int i) {
        return errors[i];
    }

    /** Each slot's error (null for a valid slot) as a new array, or null when every slot is valid. */
    public ValidationError[] errorsCopy() {
        return invalid == 0 ? null : Arrays.copyOf(errors, slots);
    }

    public String customer(int event) {
        return customers[event];
    }

    public String action(int event) {
        return actions[event];
    }

    /** The idempotency id of an event, or null. */
    public String id(int event) {
        return ids[event];
    }

    /**
     * {@code hash} of the event's id (not null), computed on the first call for this bulk and kept: the id
     * index's hint, lookup and put of one id hash it once. {@code hash} is the same function on every call
     * (the id index's); an id it hashes to 0 is hashed again each time.
     */
    public long idHash(int event, ToLongFunction<String> hash) {
        long h = idHashes[event];
        if (h == 0) {
            h = hash.applyAsLong(ids[event]);
            idHashes[event] = h;
        }
        return h;
    }

    public long bodyHash(int event) {
        return bodyHashes[event];
    }

    /** {@link PartitionHash#of} the event's customer. */
    public int partitionHash(int event) {
        return hashes[event];
    }

    /** The seq of the first event, set by the engine that journaled them (event {@code j}: this plus j); -1 before. */
    public long firstSeq() {
        return firstSeq;
    }

    public void firstSeq(long journaled) {
        this.firstSeq = journaled;
    }

    /** The event decoded again (the rare paths that need an {@link Event}). */
    public Event decode(int event) {
        Bytes<byte[]> in = bytes;
        long read = in.readPosition();
        try {
            in.readPosition(starts[event] + 2L * Integer.BYTES);
            return EventCodec.read(in);
        } finally {
            in.readPosition(read);
        }
    }

    /** The events as the general submit takes them (duplicates, an id index on disk, engines without the lean path). */
    public List<Submitted> toSubmitted() {
        List<Submitted> out = new ArrayList<>(count);
        for (int j = 0; j < count; j++) {
            out.add(new Submitted(decode(j), bodyHashes[j]));
        }
        return out;
    }

    /** The slots as {@link dev.loyalty.engine.event.EventReader#readBulk(byte[], long, int)} reads them. */
    public BulkRead toRead() {
        List<ReadEvent> read = new ArrayList<>(slots);
        for (int i = 0, j = 0; i < slots; i++) {
            read.add(errors[i] != null ? new ReadEvent(Validated.fail(errors[i]), 0)
                    : new ReadEvent(Validated.ok(decode(j)), bodyHashes[j++]));
        }
        return new BulkRead(null, read);
    }
}
