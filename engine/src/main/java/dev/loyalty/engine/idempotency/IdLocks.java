package dev.loyalty.engine.idempotency;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per shard of idempotency ids (by id hash): a request holds the locks of its ids' shards across
 * lookup, journal append and put, so that a second request with one of those ids sees the first one's
 * entry, while requests with ids in other shards go on in parallel. A set of shards is a bit mask; locks
 * are always taken in ascending shard order, so two requests (or a checkpoint taking {@link #ALL}) never
 * deadlock. Thread-safe.
 */
public final class IdLocks {

    /** Shards: one bit each of a {@code long}. More than the event loops by far, so contention is rare. */
    public static final int SHARDS = 64;
    /** Every shard: nobody is between an id's lookup and its put while these are held. */
    public static final long ALL = -1L;

    private final ReentrantLock[] locks = new ReentrantLock[SHARDS];

    public IdLocks() {
        for (int i = 0; i < SHARDS; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** The bit of that id's shard. */
    public static long shardOf(String id) {
        int h = id.hashCode();
        return 1L << ((h ^ (h >>> 16)) & (SHARDS - 1));
    }

    /** Locks every shard of the mask, lowest first. */
    public void lock(long shards) {
        for (long rest = shards; rest != 0; rest &= rest - 1) {
            locks[Long.numberOfTrailingZeros(rest)].lock();
        }
    }

    /**
     * Takes and releases each shard's lock in turn, holding one at a time: returns once every hold that had begun
     * before the call has ended, blocking each shard only for a moment (a barrier, not a section).
     */
    public void passAll() {
        for (ReentrantLock lock : locks) {
            lock.lock();
            lock.unlock();
        }
    }

    /** Unlocks every shard of the mask (held by this thread). */
    public void unlock(long shards) {
        for (long rest = shards; rest != 0; rest &= rest - 1) {
            locks[Long.numberOfTrailingZeros(rest)].unlock();
        }
    }
}
