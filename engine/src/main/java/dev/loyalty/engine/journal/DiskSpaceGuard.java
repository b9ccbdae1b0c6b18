package dev.loyalty.engine.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the journal off a full file system. Chronicle Queue writes through memory-mapped pages; on a full
 * file system (tmpfs, or any that allocates pages lazily) writing into a page that cannot be allocated
 * raises SIGBUS, which the JVM turns into an {@link InternalError} in the middle of a record. So appends
 * are refused while the usable space is below the configured minimum.
 *
 * <p>The free space is read ({@code statfs}) by one daemon timer thread shared by every guard of the JVM, never
 * by the appending thread: appends come from the HTTP event loops, which must not make a system call per
 * interval on behalf of the guard. A check reads the last value only. The timer reads again after
 * {@link #nextRefreshNs}: every {@link #REFRESH_NS} near the minimum, less often the more room is left, at most
 * {@link #MAX_REFRESH_NS} apart (the time appends at {@link #MAX_APPEND_BYTES_PER_S} need to eat the room above
 * the minimum): a guard with gigabytes to spare wakes a few times a second instead of a hundred, a wake-up
 * that competed with the event loops and processors for busy cores. Bound: the reading a check uses is at most
 * that delay old plus the timer's scheduling delay; should the timer fall more than {@link #STALE_NS} behind
 * (a starved or dead thread), the checking thread reads the file system itself, so the reading is never
 * older than that. Thread-safe.
 */
public final class DiskSpaceGuard implements AutoCloseable {

    /** How often the timer reads the free space near the minimum: the appends of one interval cannot eat the margin. */
    static final long REFRESH_NS = 10_000_000L;
    /** Longest time between readings, however much room is left (well under {@link #STALE_NS}). */
    static final long MAX_REFRESH_NS = 250_000_000L;
    /**
     * Append rate the refresh delay assumes: far above what the engine journals (a bulk load writes tens of MB a
     * second), so the room above the minimum cannot be used up between two readings.
     */
    static final long MAX_APPEND_BYTES_PER_S = 2L << 30;
    /** How old a reading may get before a check stops trusting the timer and reads the file system itself. */
    static final long STALE_NS = 1_000_000_000L;

    private static final ScheduledThreadPoolExecutor TIMER = timer();

    /** The free-space reading: {@link FileStore#getUsableSpace} in production. */
    interface FreeSpace {
        long usableBytes() throws IOException;
    }

    private final FreeSpace freeSpace;
    private final Path dir;
    private final long minFreeBytes;
    private volatile ScheduledFuture<?> refreshing;
    private volatile boolean closed;
    private volatile long checkedAtNs;
    private volatile long usableBytes = Long.MAX_VALUE;

    private DiskSpaceGuard(FreeSpace freeSpace, Path dir, long minFreeBytes) {
        this.freeSpace = freeSpace;
        this.dir = dir;
        this.minFreeBytes = minFreeBytes;
    }

    /** A guard reading {@code freeSpace}: once now (the first append has a real reading), then on the timer. */
    static DiskSpaceGuard watching(FreeSpace freeSpace, Path dir, long minFreeBytes) {
        DiskSpaceGuard guard = new DiskSpaceGuard(freeSpace, dir, minFreeBytes);
        long usable = guard.refresh();
        new Refresh(guard).scheduleAfter(nextRefreshNs(usable, minFreeBytes));
        return guard;
    }

    /**
     * Delay before the next reading, given the last one: the time appends at {@link #MAX_APPEND_BYTES_PER_S}
     * need to use up the room above the minimum, between {@link #REFRESH_NS} and {@link #MAX_REFRESH_NS}.
     */
    static long nextRefreshNs(long usableBytes, long minFreeBytes) {
        long room = usableBytes - minFreeBytes;
        if (room <= 0) {
            return REFRESH_NS;
        }
        double ns = room / (MAX_APPEND_BYTES_PER_S / 1e9); // in double: room * 1e9 would overflow a long
        return (long) Math.max(REFRESH_NS, Math.min(MAX_REFRESH_NS, ns));
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "journal-disk-space");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** A guard for the file system holding {@code dir}; {@code minFreeBytes} 0 turns it off. */
    public static DiskSpaceGuard of(Path dir, long minFreeBytes) {
        try {
            Files.createDirectories(dir);
            if (minFreeBytes <= 0) {
                return off(dir);
            }
            FileStore store = Files.getFileStore(dir);
            return watching(store::getUsableSpace, dir, minFreeBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect the file system of " + dir, e);
        }
    }

    /** A guard that never refuses (read-only uses such as replay). */
    public static DiskSpaceGuard off(Path dir) {
        return new DiskSpaceGuard(null, dir, 0);
    }

    /**
     * Returns when an append may go ahead.
     *
     * @throws JournalUnavailableException when less than the minimum is free
     */
    public void check() {
        if (freeSpace == null) {
            return;
        }
        if (System.nanoTime() - checkedAtNs > STALE_NS) {
            refresh();
        }
        long usable = usableBytes;
        if (usable < minFreeBytes) {
            throw new JournalUnavailableException("the file system of " + dir + " has " + (usable >> 20)
                    + " MiB free, below journal.min-free (" + (minFreeBytes >> 20) + " MiB): appends refused"
                    + " until space is freed");
        }
    }

    private long refresh() {
        long usable;
        try {
            usable = freeSpace.usableBytes();
        } catch (IOException e) {
            usable = 0;
        }
        usableBytes = usable;
        checkedAtNs = System.nanoTime();
        return usable;
    }

    /** Stops this guard's readings (the journal closed); checks after it use the last one. Idempotent. */
    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> r = refreshing;
        if (r != null) {
            r.cancel(false);
        }
    }

    /**
     * The timer's task, which schedules its own next run ({@link #nextRefreshNs}); holds its guard weakly, so a
     * guard dropped without {@link #close} stops being read.
     */
    private static final class Refresh implements Runnable {
        private final WeakReference<DiskSpaceGuard> guard;

        Refresh(DiskSpaceGuard guard) {
            this.guard = new WeakReference<>(guard);
        }

        void scheduleAfter(long delayNs) {
            DiskSpaceGuard g = guard.get();
            if (g == null || g.closed) {
                return;
            }
            g.refreshing = TIMER.schedule(this, delayNs, TimeUnit.NANOSECONDS);
            if (g.closed) {
                g.refreshing.cancel(false); // closed meanwhile: its cancel may have seen the previous run's future
            }
        }

        @Override
        public void run() {
            DiskSpaceGuard g = guard.get();
            if (g == null || g.closed) {
                return; // ends the readings: nothing more is scheduled
            }
            scheduleAfter(nextRefreshNs(g.refresh(), g.minFreeBytes));
        }
    }
}
