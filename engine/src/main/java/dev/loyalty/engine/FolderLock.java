package dev.loyalty.engine;

import dev.loyalty.engine.journal.IngestClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Exclusive use of a data folder by one process: an OS lock on {@code engine.lock}, which the OS releases
 * when the process dies (no stale lock after a crash). The file names the holder (pid, command, since when)
 * so that a refused process can say who has the folder. Held by the engine for its lifetime and by the
 * offline tools ({@code backup}, {@code export}, {@code replay}) while they run.
 */
final class FolderLock implements AutoCloseable {
    static final String FILE = "engine.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private FolderLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the folder (creating it if needed).
     *
     * @param purpose what this process does with it, for the message another process gets
     * @throws DataFolderInUseException when another process, or another engine in this one, holds it
     */
    static FolderLock acquire(Path root, String purpose) {
        Path file = root.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(root);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
                channel.close();
                throw new DataFolderInUseException(root, holder);
            }
            String holder = "pid " + ProcessHandle.current().pid() + " (" + purpose + ", since " + Instant.ofEpochMilli(IngestClock.systemWall().getAsLong()) + ")";
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            return new FolderLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock the data folder " + root + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    /** Releases the folder; the file stays (an unlocked file means nobody holds the folder). */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                channel.truncate(0);
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
