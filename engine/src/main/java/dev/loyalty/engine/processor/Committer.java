package dev.loyalty.engine.processor;

import dev.loyalty.engine.state.PartitionStore;
import dev.loyalty.engine.state.StateException;
import org.rocksdb.WriteBatch;

/**
 * Lands one partition's commits off its thread: with RocksDB's WAL on, forces the derived logs first (the batch
 * may reach the disk as soon as it is written, so the logs must already hold its mark), then writes the batch,
 * then starts a background flush when the partition asked for one. The partition thread encodes a batch, hands it
 * over and goes on applying; at most one commit is in flight (the partition's next commit, and any read of the
 * store that could see the batch's keys, waits for it to land first). A failed force or write is kept and thrown
 * on the partition thread at its next look ({@link #throwIfFailed}), which stops the partition as a failed commit
 * always did.
 */
final class Committer implements AutoCloseable {

    /** Told on the committer thread how long a landed commit spent forcing the derived logs and writing. */
    interface Landed {
        void landed(long syncNs, long writeNs);
    }

    private final PartitionStore store;
    /** Forces the derived logs up to every mark noted so far (safe from this thread). */
    private final Runnable forceLogs;
    private final String threadName;
    private final Object lock = new Object();
    /** The batch handed over and not taken yet (guarded by {@link #lock}), its position and flush request. */
    private WriteBatch handed;
    private long handedPosition;
    private boolean flushAfter;
    private boolean closing;
    private Thread thread;
    /** Commits handed over: written by the partition thread only (under the lock, read by it without). */
    private long handedCount;
    /** Commits landed (written, or failed): the committer thread's count, which the partition thread polls. */
    private volatile long landedCount;
    private volatile long landedPosition;
    private volatile Throwable failure;
    private volatile Landed listener = (syncNs, writeNs) -> { };
    /** Tests only: run on the committer thread before each landing (holds a commit in flight). */
    volatile Runnable beforeLanding;

    /** @param committedPosition journal position of the store's last commit as loaded (-1 for none) */
    Committer(PartitionStore store, Runnable forceLogs, long committedPosition, String threadName) {
        this.store = store;
        this.forceLogs = forceLogs;
        this.landedPosition = committedPosition;
        this.threadName = threadName;
    }

    void onLanded(Landed l) {
        listener = l;
    }

    /**
     * Hands a batch over (partition thread; the previous one must have landed): it is written, after the logs are
     * forced when the WAL is on, and closed.
     *
     * @param position journal position the batch commits
     * @param flush    start a background flush of the store once it is written
     */
    void handOver(WriteBatch batch, long position, boolean flush) {
        synchronized (lock) {
            if (closing || handed != null) {
                batch.close();
                throw new IllegalStateException(closing ? "committer closed" : "a commit is already waiting");
            }
            if (thread == null) {
                // started at the first commit: states that never commit (tools reading a store) need no thread
                thread = new Thread(this::run, threadName);
                thread.setDaemon(true);
                thread.start();
            }
            handed = batch;
            handedPosition = position;
            flushAfter = flush;
            handedCount++;
            lock.notifyAll();
        }
    }

    /** True when every commit handed over has landed (or failed). Partition thread. */
    boolean landed() {
        return landedCount == handedCount;
    }

    /** Waits until every commit handed over has landed (or failed); returns the nanoseconds waited. */
    long awaitLanded() {
        if (landedCount == handedCount) {
            return 0;
        }
        long start = System.nanoTime();
        boolean interrupted = false;
        synchronized (lock) {
            while (landedCount != handedCount) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    // the landing comes whatever happens: leaving before it would break what the caller relies on
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return System.nanoTime() - start;
    }

    /** Journal position of the last commit written to the store; any thread. */
    long landedPosition() {
        return landedPosition;
    }

    /** Throws when a commit failed to land: the partition must stop (the journal still holds what it lacked). */
    void throwIfFailed() {
        Throwable f = failure;
        if (f != null) {
            throw new StateException("state commit failed: " + f.getMessage(), f);
        }
    }

    private void run() {
        while (true) {
            WriteBatch batch;
            long position;
            boolean flush;
            synchronized (lock) {
                while (handed == null && !closing) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // only close() ends this thread: a batch handed over must land
                    }
                }
                if (handed == null) {
                    return;
                }
                batch = handed;
                position = handedPosition;
                flush = flushAfter;
                handed = null;
            }
            land(batch, position, flush);
            synchronized (lock) {
                landedCount++;
                lock.notifyAll();
            }
        }
    }

    private void land(WriteBatch batch, long position, boolean flush) {
        try {
            if (failure != null) {
                return; // the partition stops at its next look: write nothing after a failed commit
            }
            Runnable hook = beforeLanding;
            if (hook != null) {
                hook.run();
            }
            long start = System.nanoTime();
            if (store.wal()) {
                forceLogs.run();
            }
            long forced = System.nanoTime();
            store.commit(batch);
            long written = System.nanoTime();
            landedPosition = position;
            if (flush) {
                store.flushInBackground();
            }
            listener.landed(forced - start, written - forced);
        } catch (Throwable t) {
            failure = t;
        } finally {
            batch.close();
        }
    }

    /** Lets the commit in flight land, then ends the thread. */
    @Override
    public void close() {
        Thread t;
        synchronized (lock) {
            closing = true;
            lock.notifyAll();
            t = thread;
        }
        if (t == null) {
            return;
        }
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
