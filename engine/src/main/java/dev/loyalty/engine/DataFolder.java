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
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Layout of a data folder and the facts fixed for its lifetime.
 * <pre>
 *   journal/          Chronicle Queue (the source of truth)
 *   state/p0 .. pN    RocksDB per partition, with its derived logs (outcomes, ledger) in {@code derived/}
 *   ingest/           idempotency index (RocksDB, derived from the journal)
 *   engine.properties partitions and journal (fixed), state-format (the layout of state/, {@link #STATE_FORMAT})
 *   journaled-rules.json the rules last journaled
 *   engine.lock       held by the process using the folder ({@link FolderLock})
 *   backups.list      backups taken of this folder, one folder per line (journal retention keeps what the
 *                     oldest one that still exists needs)
 *   backup-requests/  online backup requests of {@code bin/engine backup} and their answers ({@link BackupRequests})
 * </pre>
 * A backup folder has the same layout without the journal (plus its manifest, {@code backup.json}).
 */
final class DataFolder {
    /**
     * Layout of {@code state/} this engine reads and writes. 3: outcomes and ledger entries in each partition's
     * derived logs ({@code state/pN/derived}), the ledger head in the customer's record. 2: processor core v2
     * (compact customer records, write-behind commits; outcomes and ledger as RocksDB keys). A folder without the
     * key was written by format 1 (object customers). An engine would misread any other format: it is refused
     * with the way to migrate.
     */
    static final int STATE_FORMAT = 3;
    private static final String FORMAT_KEY = "state-format";

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

    Path root() {
        return root;
    }

    Path properties() {
        return root.resolve("engine.properties");
    }

    Path backupsList() {
        return root.resolve("backups.list");
    }

    /** Backup folders registered here whose manifest still exists (a deleted backup no longer counts). */
    List<Path> keptBackups() {
        List<Path> kept = new ArrayList<>();
        if (!Files.exists(backupsList())) {
            return kept;
        }
        try {
            for (String line : Files.readAllLines(backupsList(), StandardCharsets.UTF_8)) {
                if (!line.isBlank() && Files.exists(Path.of(line.trim()).resolve(Backup.MANIFEST))) {
                    kept.add(Path.of(line.trim()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + backupsList(), e);
        }
        return kept;
    }

    /** Adds a backup to {@link #keptBackups()}, dropping entries whose backup is gone. */
    void registerBackup(Path backup) {
        List<String> lines = new ArrayList<>();
        for (Path kept : keptBackups()) {
            lines.add(kept.toString());
        }
        String added = backup.toAbsolutePath().normalize().toString();
        if (!lines.contains(added)) {
            lines.add(added);
        }
        try {
            Path tmp = root.resolve("backups.list.tmp");
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, backupsList(), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + backupsList(), e);
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
                requireFormat(p, "data-dir");
                int stored = Integer.parseInt(p.getProperty("partitions", "-1"));
                if (stored != partitions) {
                    throw new ConfigException("partitions: the data folder " + root + " was created with "
                            + stored + " partitions and cannot be started with " + partitions
                            + " (set partitions=" + stored + ", or rebuild into a new folder with replay)");
                }
                return;
            }
            p.setProperty("partitions", Integer.toString(partitions));
            p.setProperty(FORMAT_KEY, Integer.toString(STATE_FORMAT));
            Path tmp = root.resolve("engine.properties.tmp");
            try (var out = Files.newOutputStream(tmp)) {
                p.store(out, "fixed for the lifetime of this data folder");
            }
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use data folder " + root, e);
        }
    }

    /**
     * Refuses a journal other than the one the folder's state was built from ({@code chronicle}, or
     * {@code kafka:TOPIC}): the state's positions mean nothing in another journal. Records it when new; a
     * folder from before this property was written used Chronicle. Call after {@link #checkPartitions}.
     */
    void checkJournal(String journal) {
        Path f = properties();
        try {
            Properties p = new Properties();
            try (var in = Files.newInputStream(f)) {
                p.load(in);
            }
            String stored = p.getProperty("journal");
            if (stored == null && !journal.equals("chronicle") && hasState()) {
                stored = "chronicle";
            }
            if (stored != null && !stored.equals(journal)) {
                throw new ConfigException("journal.kind: the data folder " + root + " holds state built from the "
                        + stored + " journal and cannot be started on " + journal + " (use a new data folder)");
            }
            if (stored == null) {
                p.setProperty("journal", journal);
                Path tmp = root.resolve("engine.properties.tmp");
                try (var out = Files.newOutputStream(tmp)) {
                    p.store(out, "fixed for the lifetime of this data folder");
                }
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use data folder " + root, e);
        }
    }

    /** Whether a partition store or a Chronicle journal exists here already. */
    private boolean hasState() throws IOException {
        if (Files.isDirectory(root.resolve("state"))) {
            return true;
        }
        if (!Files.isDirectory(journal())) {
            return false;
        }
        try (var files = Files.list(journal())) {
            return files.findAny().isPresent();
        }
    }

    /**
     * Refuses a folder (or backup) whose state was written in another format; a folder without engine.properties
     * (nothing written yet) passes.
     *
     * @param option the command-line option or key naming the folder, for the message
     */
    void requireCurrentFormat(String option) {
        Path f = properties();
        if (!Files.exists(f)) {
            return;
        }
        Properties p = new Properties();
        try (var in = Files.newInputStream(f)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
        requireFormat(p, option);
    }

    private void requireFormat(Properties p, String option) {
        String format = p.getProperty(FORMAT_KEY, "1");
        if (!format.equals(Integer.toString(STATE_FORMAT))) {
            throw new ConfigException(option + ": the state in " + root + " has format " + format
                    + " (written by an older engine); this engine reads format " + STATE_FORMAT
                    + " only and will not misread it. Migrate by rebuilding the state from the journal into a new "
                    + "folder: bin/engine replay --data " + root + " --into NEWDIR, copy the journal folder next to its state "
                    + "(README, Replay) and start on NEWDIR");
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
