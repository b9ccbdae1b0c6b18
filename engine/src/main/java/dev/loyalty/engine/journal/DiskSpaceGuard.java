package dev.loyalty.engine.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keeps the journal off a full file system. Chronicle Queue writes through memory-mapped pages; on a full
 * file system (tmpfs, or any that allocates pages lazily) writing into a page that cannot be allocated
 * raises SIGBUS, which the JVM turns into an {@link InternalError} in the middle of a record. So appends
 * are refused while the usable space is below the configured minimum. The free space is read from the
 * file system at most every {@link #REFRESH_NS} nanoseconds (one {@code statfs}), often enough that the
 * appends of one interval cannot eat the margin. Thread-safe.
 */
public final class DiskSpaceGuard {

    /** How long a reading of the free space is trusted. */
    static final long REFRESH_NS = 10_000_000L;

    private final FileStore store;
    private final Path dir;
    private final long minFreeBytes;
    private volatile long checkedAtNs;
    private volatile long usableBytes = Long.MAX_VALUE;

    private DiskSpaceGuard(FileStore store, Path dir, long minFreeBytes) {
        this.store = store;
        this.dir = dir;
        this.minFreeBytes = minFreeBytes;
    }

    /** A guard for the file system holding {@code dir}; {@code minFreeBytes} 0 turns it off. */
    public static DiskSpaceGuard of(Path dir, long minFreeBytes) {
        try {
            Files.createDirectories(dir);
            return new DiskSpaceGuard(minFreeBytes > 0 ? Files.getFileStore(dir) : null, dir, minFreeBytes);
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
        if (store == null) {
            return;
        }
        long nowNs = System.nanoTime();
        if (nowNs - checkedAtNs > REFRESH_NS) {
            refresh(nowNs);
        }
        long usable = usableBytes;
        if (usable < minFreeBytes) {
            throw new JournalUnavailableException("the file system of " + dir + " has " + (usable >> 20)
                    + " MiB free, below journal.min-free (" + (minFreeBytes >> 20) + " MiB): appends refused"
                    + " until space is freed");
        }
    }

    private void refresh(long nowNs) {
        try {
            usableBytes = store.getUsableSpace();
        } catch (IOException e) {
            usableBytes = 0;
        }
        checkedAtNs = nowNs;
    }
}
