package dev.loyalty.engine;

import dev.loyalty.engine.config.ConfigException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * Layout of a data folder and the facts fixed for its lifetime.
 * <pre>
 *   journal/          Chronicle Queue (the source of truth)
 *   state/p0 .. pN    RocksDB per partition
 *   ingest/           idempotency index (RocksDB, derived from the journal)
 *   engine.properties partitions (fixed), last journaled rules hash
 *   engine.lock       held (OS file lock) by the one engine process using the folder
 * </pre>
 */
final class DataFolder {
    private final Path root;

    DataFolder(Path root) {
        this.root = root;
    }

    Path journal() {
        return root.resolve("journal");
    }

    Path state(int partition) {
        return root.resolve("state").resolve("p" + partition);
    }

    Path ingest() {
        return root.resolve("ingest");
    }

    Path lastRules() {
        return root.resolve("journaled-rules.json");
    }

    /**
     * Takes the folder for this process: a second engine on the same folder would append to the same
     * journal and fight over the state stores. The OS releases the lock when the process dies (SIGKILL too).
     *
     * @return the lock; closing it releases the folder
     * @throws IllegalStateException when another process (or this one) holds the folder
     */
    AutoCloseable lock() {
        Path f = root.resolve("engine.lock");
        try {
            Files.createDirectories(root);
            FileChannel channel = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("the data folder " + root.toAbsolutePath().normalize()
                        + " is in use by another engine process (" + f.getFileName() + " is locked)");
            }
            return channel;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock data folder " + root, e);
        }
    }

    /** Refuses a partition count other than the one the folder was created with; records it when new. */
    void checkPartitions(int partitions) {
        Path f = root.resolve("engine.properties");
        try {
            Files.createDirectories(root);
            Properties p = new Properties();
            if (Files.exists(f)) {
                try (var in = Files.newInputStream(f)) {
                    p.load(in);
                }
                int stored = Integer.parseInt(p.getProperty("partitions", "-1"));
                if (stored != partitions) {
                    throw new ConfigException("partitions: the data folder " + root + " was created with "
                            + stored + " partitions and cannot be started with " + partitions
                            + " (set partitions=" + stored + ", or rebuild into a new folder with replay)");
                }
                return;
            }
            p.setProperty("partitions", Integer.toString(partitions));
            Path tmp = root.resolve("engine.properties.tmp");
            try (var out = Files.newOutputStream(tmp)) {
                p.store(out, "fixed for the lifetime of this data folder");
            }
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use data folder " + root, e);
        }
    }

    /** The partition count recorded in the folder, or -1. */
    int storedPartitions() {
        Path f = root.resolve("engine.properties");
        if (!Files.exists(f)) {
            return -1;
        }
        Properties p = new Properties();
        try (var in = Files.newInputStream(f)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Integer.parseInt(p.getProperty("partitions", "-1"));
    }

    String readLastRules() {
        try {
            return Files.exists(lastRules()) ? Files.readString(lastRules(), StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void writeLastRules(String json) {
        try {
            Path tmp = root.resolve("journaled-rules.json.tmp");
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            Files.move(tmp, lastRules(), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
