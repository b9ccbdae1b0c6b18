package dev.loyalty.engine;

import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.journal.FormatUpgrade;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Migrates a stopped data folder written in journal format 1 into a new folder in format 2: the journal copied
 * record by record ({@link FormatUpgrade}), the partition count and the journaled rules kept. The state, the
 * idempotency index and backups are not carried over (they point at format-1 positions): the new folder's first
 * start rebuilds state and index from the copied journal, as a replay from empty would. The old folder is only
 * read, and stays usable by the engine version that wrote it.
 */
public final class JournalUpgrade {

    private JournalUpgrade() {
    }

    /**
     * Copies {@code data} into the new or empty folder {@code into}.
     *
     * @throws ConfigException when {@code data} holds no engine data or {@code into} is not empty
     * @throws DataFolderInUseException when an engine uses either folder
     */
    public static FormatUpgrade.Copied run(Path data, Path into) {
        DataFolder live = new DataFolder(data);
        if (!Files.isDirectory(live.journal())) {
            throw new ConfigException("--data: no journal in " + data);
        }
        int partitions = live.storedPartitions();
        if (partitions <= 0) {
            throw new ConfigException("--data: " + data + " holds no " + live.properties().getFileName());
        }
        Backup.requireEmpty(into, "--into");
        FolderLock liveLock = FolderLock.acquire(data, "journal-upgrade, reading");
        try {
            FolderLock targetLock = FolderLock.acquire(into, "journal-upgrade, writing");
            try {
                return copy(live, new DataFolder(into), partitions);
            } finally {
                targetLock.close();
            }
        } finally {
            liveLock.close();
        }
    }

    private static FormatUpgrade.Copied copy(DataFolder live, DataFolder target, int partitions) {
        FormatUpgrade.Copied copied;
        try {
            copied = FormatUpgrade.copy(live.journal(), target.journal(), partitions);
        } catch (RuntimeException e) {
            // A partial journal must not look like a folder to serve.
            deleteTree(target.journal());
            throw e;
        }
        target.checkPartitions(partitions);
        String rules = live.readLastRules();
        if (rules != null) {
            target.writeLastRules(rules);
        }
        return copied;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot delete the partial journal " + dir, e);
        }
    }
}
