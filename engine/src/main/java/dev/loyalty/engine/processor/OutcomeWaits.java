package dev.loyalty.engine.processor;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The waiters of one partition's events, by seq, without an object per registration: a preallocated array
 * indexed by {@code seq & mask} (seqs are unique, so a slot holds the one waiter of its seq), and a map for the
 * rare seq whose slot another pending waiter holds (more waits open than slots, or seqs a multiple of the size
 * apart). Written by submitters (inside the journal append, before the record is visible) and by the processor
 * thread; the processor's per-event look-up is one array read while the overflow map is empty.
 */
public final class OutcomeWaits {

    private final AtomicReferenceArray<OutcomeWaiter> slots;
    private final int mask;
    private final ConcurrentHashMap<Long, OutcomeWaiter> overflow = new ConcurrentHashMap<>();
    /** Entries in {@link #overflow}: read per event instead of the map, which is nearly always empty. */
    private final AtomicInteger overflowed = new AtomicInteger();

    /** @param capacity slots to preallocate (rounded up to a power of two, at least 16, at most 2^16: 256 KiB) */
    public OutcomeWaits(int capacity) {
        int size = Integer.highestOneBit(Math.max(16, Math.min(1 << 16, capacity)) * 2 - 1);
        this.slots = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
    }

    /** Registers {@code w} for {@code seq}; no waiter may be registered for that seq yet. */
    public void put(long seq, OutcomeWaiter w) {
        w.seq = seq;
        if (!slots.compareAndSet((int) seq & mask, null, w)) {
            overflowed.incrementAndGet();
            overflow.put(seq, w);
        }
    }

    /** The waiter of {@code seq}, or null. */
    public OutcomeWaiter get(long seq) {
        OutcomeWaiter w = slots.get((int) seq & mask);
        if (w != null && w.seq == seq) {
            return w;
        }
        return overflowed.get() == 0 ? null : overflow.get(seq);
    }

    /** Removes {@code w} (registered for its seq); false when it was removed already. */
    public boolean remove(OutcomeWaiter w) {
        if (slots.compareAndSet((int) w.seq & mask, w, null)) {
            return true;
        }
        if (overflowed.get() != 0 && overflow.remove(w.seq, w)) {
            overflowed.decrementAndGet();
            return true;
        }
        return false;
    }

    /** Removes the waiter of {@code seq}, if any (its append failed); returns it or null. */
    public OutcomeWaiter remove(long seq) {
        OutcomeWaiter w = get(seq);
        return w != null && remove(w) ? w : null;
    }

    /** Removes every waiter, handing each to {@code each}. */
    public void drain(Consumer<OutcomeWaiter> each) {
        for (int i = 0; i <= mask; i++) {
            OutcomeWaiter w = slots.get(i);
            if (w != null && slots.compareAndSet(i, w, null)) {
                each.accept(w);
            }
        }
        for (Long seq : overflow.keySet()) {
            OutcomeWaiter w = overflow.remove(seq);
            if (w != null) {
                overflowed.decrementAndGet();
                each.accept(w);
            }
        }
    }
}
