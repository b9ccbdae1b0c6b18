package dev.loyalty.engine;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Idempotency ids on their way into the Kafka journal. The shard locks ({@code IdLocks}) are held only for the
 * lookup, which reserves the new ids under a ticket, and again for the puts after Kafka's acknowledgement: never
 * across the round trip (milliseconds, up to {@code api.sync-timeout} in an outage), which would stall every
 * request sharing a shard. A request meeting another's reservation waits for that ticket, off the locks, and
 * looks again. The tickets also say when a snapshot of the journal's end may become the index's checkpoint:
 * once every ticket opened before the snapshot was closed, which happens after its puts. Thread-safe, except
 * {@link #checkpointable}, called by the one checkpoint thread at a time.
 */
final class KafkaIdReservations {

    /** One request's reservations: {@link #done} completes when they are released. */
    static final class Ticket {
        final long number;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        private Ticket(long number) {
            this.number = number;
        }
    }

    private final ConcurrentHashMap<String, Ticket> reserved = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<Long> open = new ConcurrentSkipListSet<>();
    private final AtomicLong tickets = new AtomicLong();
    /** The snapshot waiting for the tickets opened before it (checkpoint thread only). */
    private long[] snapshot;
    private long snapshotTicket;

    /** Opens a ticket; opened before any of its records is sent, so a snapshot of offsets can wait for it. */
    Ticket open() {
        long n = tickets.incrementAndGet();
        open.add(n);
        return new Ticket(n);
    }

    /** Another request's ticket holding {@code id}, or null. Under the id's shard lock. */
    Ticket holder(String id, Ticket mine) {
        Ticket t = reserved.get(id);
        return t == mine ? null : t;
    }

    /** Reserves {@code id} for the ticket. Under the id's shard lock, after {@link #holder} found none. */
    void reserve(String id, Ticket t) {
        reserved.put(id, t);
    }

    /**
     * Drops the ticket's reservations of {@code ids} (their puts are done, or they were not journaled) and closes
     * it. Does not wake the requests waiting on it: call {@link #wake} once the shard locks are released, since
     * a waiter's look again may run on the completing thread and take other shards' locks (out of order, if
     * this thread still held some).
     */
    void release(List<String> ids, Ticket t) {
        for (String id : ids) {
            reserved.remove(id, t);
        }
        open.remove(t.number);
    }

    /** Wakes the requests waiting on a released ticket; with no shard lock held by this thread. */
    static void wake(Ticket t) {
        t.done.complete(null);
    }

    /**
     * The journal end to checkpoint the index at now, or null: {@code readEnd} is read first and becomes due
     * once every ticket opened before it was read is closed (its ids put: whatever was acknowledged by then
     * belongs to such a ticket). A due snapshot is handed over and a new one is taken.
     */
    long[] checkpointable(Supplier<long[]> readEnd) {
        long[] due = null;
        if (snapshot != null && isClosedUpTo(snapshotTicket)) {
            due = snapshot;
            snapshot = null;
        }
        if (snapshot == null) {
            // The end first, then the ticket counter: a record in the end was sent under a ticket opened before.
            snapshot = readEnd.get();
            snapshotTicket = tickets.get();
        }
        return due;
    }

    /** The journal end, read now, when no ticket is open (at close, once requests stopped), else null. */
    long[] endIfIdle(Supplier<long[]> readEnd) {
        long[] end = readEnd.get();
        return isClosedUpTo(tickets.get()) ? end : null;
    }

    private boolean isClosedUpTo(long ticket) {
        Long oldest = open.ceiling(0L); // null when none is open (first() would throw)
        return oldest == null || oldest > ticket;
    }
}
