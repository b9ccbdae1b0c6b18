package dev.loyalty.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.idempotency.IdempotencyIndex;
import dev.loyalty.engine.journal.ChronicleJournal;
import dev.loyalty.engine.journal.IngestClock;
import dev.loyalty.engine.processor.DerivedFiles;
import dev.loyalty.engine.state.PartitionCheckpoint;
import dev.loyalty.engine.state.PartitionStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A backup of a data folder: a consistent RocksDB checkpoint of every partition's state and of the
 * idempotency index, the folder's fixed facts, and a manifest ({@value #MANIFEST}) with the journal
 * position each partition had applied. The journal is not copied: it is the source of truth, kept (and
 * retained) in the data folder, and a restored state resumes from the manifest's positions in it.
 *
 * <p>Offline ({@link #run}) with the data folder locked, or online ({@link #take}): when an engine holds
 * the folder, the tool leaves a request in {@value BackupRequests#FOLDER} and the engine, which holds the
 * stores and their memtables, writes the checkpoints itself ({@link #online}). Either way the checkpoints
 * hard-link the table files, so a backup takes seconds. The backup is registered in the data folder, so
 * that journal retention keeps every file it needs while the backup folder exists.
 */
public final class Backup {

    /** File name of the manifest; written last, so a folder without it is an incomplete backup. */
    public static final String MANIFEST = "backup.json";
    private static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Backup() {
    }

    /**
     * Where one partition's state stands in the journal.
     *
     * @param position journal position of the last record applied, -1 if none
     * @param lastSeq  seq of the last record applied, 0 if none
     * @param clockMs  the partition clock
     */
    public record PartitionPosition(int partition, long position, long lastSeq, long clockMs) {
    }

    /**
     * The manifest of a backup.
     *
     * @param source          the data folder it was taken from
     * @param journalLastSeq  the journal's last seq when it was taken
     */
    public record Manifest(Instant createdAt, Path source, int partitions, long journalLastSeq,
                           List<PartitionPosition> state) {

        /** Oldest journal position a restore needs, or -1 when a partition had applied nothing (the whole journal). */
        public long oldestPosition() {
            long oldest = Long.MAX_VALUE;
            for (PartitionPosition p : state) {
                if (p.position() < 0) {
                    return -1;
                }
                oldest = Math.min(oldest, p.position());
            }
            return oldest == Long.MAX_VALUE ? -1 : oldest;
        }

        /** Lowest seq every partition has applied. */
        public long appliedSeq() {
            long min = Long.MAX_VALUE;
            for (PartitionPosition p : state) {
                min = Math.min(min, p.lastSeq());
            }
            return min == Long.MAX_VALUE ? 0 : min;
        }
    }

    /**
     * Backs up the data folder of {@code config} into {@code into} (absent or empty), offline when no
     * process holds the folder, else by asking the engine that holds it ({@link #online}).
     *
     * @param takeTimeout how long a request may wait for a holder to take it; a holder that does not (an
     *                    offline tool, not an engine) leaves the folder refused as in use
     * @throws DataFolderInUseException when another tool (not an engine) uses the data folder
     * @throws ConfigException when the data folder holds no engine state or {@code into} is not empty
     */
    public static Manifest take(EngineConfig config, Path into, java.time.Duration takeTimeout) {
        try {
            return run(config, into);
        } catch (DataFolderInUseException inUse) {
            Manifest online = BackupRequests.request(config.dataDir(), into, takeTimeout);
            // null: the engine stopped before it took the request, so the folder is free for an offline one
            return online != null ? online : run(config, into);
        }
    }

    /**
     * Backs up the data folder of {@code config} into {@code into} (absent or empty), offline.
     *
     * @throws DataFolderInUseException while an engine (or another tool) uses the data folder
     * @throws ConfigException when the data folder holds no engine state or {@code into} is not empty
     */
    public static Manifest run(EngineConfig config, Path into) {
        DataFolder live = new DataFolder(config.dataDir());
        int partitions = live.storedPartitions();
        if (partitions <= 0 || !Files.isDirectory(live.journal())) {
            throw new ConfigException("data-dir: " + config.dataDir() + " holds no engine data (no "
                    + live.properties().getFileName() + " or journal)");
        }
        requireEmpty(into, "--into");
        FolderLock lock = FolderLock.acquire(config.dataDir(), "backup");
        try {
            DataFolder target = new DataFolder(into);
            Files.createDirectories(into.resolve("state"));
            List<PartitionPosition> positions = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                if (!Files.isDirectory(live.state(p))) {
                    throw new ConfigException("data-dir: no state for partition " + p + " in " + config.dataDir());
                }
                try (PartitionStore store = PartitionStore.open(live.state(p), null, false)) {
                    PartitionCheckpoint cp = PartitionCheckpoint.read(store);
                    store.checkpointTo(target.state(p));
                    DerivedFiles.copy(live.state(p), target.state(p));
                    positions.add(cp == null ? new PartitionPosition(p, -1, 0, 0)
                            : new PartitionPosition(p, cp.position(), cp.lastSeq(), cp.clockMs()));
                }
            }
            if (Files.isDirectory(live.ingest())) {
                try (IdempotencyIndex ids = IdempotencyIndex.open(live.ingest())) {
                    ids.checkpointTo(target.ingest());
                }
            }
            Files.copy(live.properties(), target.properties());
            if (Files.exists(live.lastRules())) {
                Files.copy(live.lastRules(), target.lastRules());
            }
            long journalLastSeq;
            try (ChronicleJournal journal = ChronicleJournal.open(live.journal(), IngestClock.systemWall())) {
                journalLastSeq = journal.lastSeq();
            }
            Manifest manifest = new Manifest(Instant.ofEpochMilli(IngestClock.systemWall().getAsLong()), config.dataDir().toAbsolutePath().normalize(),
                    partitions, journalLastSeq, List.copyOf(positions));
            write(manifest, into.resolve(MANIFEST), false, -1);
            live.registerBackup(into);
            return manifest;
        } catch (IOException e) {
            throw new UncheckedIOException("backup into " + into + " failed: " + e.getMessage(), e);
        } finally {
            lock.close();
        }
    }

    /**
     * The online backup, run by the engine that holds the data folder {@code live} while it serves: a
     * checkpoint of each partition's last commit (each consistent with the journal position in it, read
     * back from the checkpoint), then of the idempotency index after recording it complete up to one
     * journal position ({@code idsCheckpoint}; a restore re-reads the journal after it). The caller keeps
     * journal retention from running meanwhile, so that no file the backup needs is dropped before it is
     * registered.
     *
     * @param idsCheckpoint checkpoints the index at the journal's end and returns that position (-1: empty)
     */
    static Manifest online(DataFolder live, PartitionStore[] stores, IdempotencyIndex ids,
                           java.util.function.LongSupplier idsCheckpoint, java.util.function.LongSupplier journalLastSeq,
                           Path into) {
        requireEmpty(into, "--into");
        try {
            DataFolder target = new DataFolder(into);
            Files.createDirectories(into.resolve("state"));
            List<PartitionPosition> positions = new ArrayList<>();
            for (int p = 0; p < stores.length; p++) {
                stores[p].checkpointTo(target.state(p));
                // after the checkpoint: the logs only grow, so the copy reaches the checkpoint's mark
                DerivedFiles.copy(live.state(p), target.state(p));
                PartitionCheckpoint cp;
                try (PartitionStore copy = PartitionStore.openReadOnly(target.state(p))) {
                    cp = PartitionCheckpoint.read(copy);
                }
                positions.add(cp == null ? new PartitionPosition(p, -1, 0, 0)
                        : new PartitionPosition(p, cp.position(), cp.lastSeq(), cp.clockMs()));
            }
            long idsPosition = idsCheckpoint.getAsLong();
            ids.checkpointTo(target.ingest());
            Files.copy(live.properties(), target.properties());
            if (Files.exists(live.lastRules())) {
                Files.copy(live.lastRules(), target.lastRules());
            }
            Manifest manifest = new Manifest(Instant.ofEpochMilli(IngestClock.systemWall().getAsLong()),
                    live.root().toAbsolutePath().normalize(), stores.length, journalLastSeq.getAsLong(),
                    List.copyOf(positions));
            write(manifest, into.resolve(MANIFEST), true, idsPosition);
            live.registerBackup(into);
            return manifest;
        } catch (IOException e) {
            throw new UncheckedIOException("backup into " + into + " failed: " + e.getMessage(), e);
        }
    }

    /** Reads the manifest of a backup folder. */
    public static Manifest read(Path backup) {
        Path file = backup.resolve(MANIFEST);
        if (!Files.exists(file)) {
            throw new ConfigException("--from-backup: " + backup + " is not a complete backup (no " + MANIFEST + ")");
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root.path("format").asInt() != FORMAT) {
                throw new ConfigException("--from-backup: " + file + " has an unknown format "
                        + root.path("format"));
            }
            List<PartitionPosition> state = new ArrayList<>();
            for (JsonNode p : root.path("state")) {
                state.add(new PartitionPosition(p.path("partition").asInt(), p.path("position").asLong(),
                        p.path("seq").asLong(), p.path("clock_ms").asLong()));
            }
            return new Manifest(Instant.parse(root.path("created_at").asText()), Path.of(root.path("source").asText()),
                    root.path("partitions").asInt(), root.path("journal_last_seq").asLong(), List.copyOf(state));
        } catch (IOException | RuntimeException e) {
            if (e instanceof ConfigException ce) {
                throw ce;
            }
            throw new ConfigException("--from-backup: cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * Why this backup cannot start a rebuild from {@code journal} of a data folder with that partition count,
     * or null when it can: the partition counts differ, or the journal no longer holds what it needs.
     */
    public static String unusable(Manifest manifest, ChronicleJournal journal, int partitions) {
        if (manifest.partitions() != partitions) {
            return "the backup has " + manifest.partitions() + " partitions, the data folder " + partitions;
        }
        long oldest = manifest.oldestPosition();
        long first = journal.firstPosition();
        if (first >= 0 && (oldest < 0 ? journal.firstSeq() > 1 : oldest < first)) {
            return "the journal no longer holds what the backup of " + manifest.createdAt()
                    + " needs (it was dropped by journal.retention); use a newer backup";
        }
        return null;
    }

    /** Copies the partition states of a backup into the data folder {@code root} (the backup is only read). */
    public static void restoreState(Path backup, int partitions, Path root) {
        new DataFolder(backup).requireCurrentFormat("--from-backup");
        DataFolder target = new DataFolder(root);
        for (int p = 0; p < partitions; p++) {
            copyTree(backup.resolve("state").resolve("p" + p), target.state(p),
                    StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    /** The backups registered in the data folder {@code dataDir} by {@link #run} that still exist. */
    public static List<Path> registered(Path dataDir) {
        return new DataFolder(dataDir).keptBackups();
    }

    /** The backups in {@code folder}: the folder itself when it is one, else its subfolders that are, by name. */
    public static List<Path> in(Path folder) {
        if (Files.exists(folder.resolve(MANIFEST))) {
            return List.of(folder);
        }
        if (!Files.isDirectory(folder)) {
            throw new ConfigException("--backups: no folder " + folder);
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(d -> Files.exists(d.resolve(MANIFEST))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    /**
     * Writes the manifest; an online one also says up to which journal position its idempotency index was
     * complete (for the reader: a restore finds it in the index itself).
     */
    private static void write(Manifest m, Path file, boolean online, long idsPosition) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("created_at", m.createdAt().toString());
        root.put("online", online);
        if (online) {
            root.put("ingest_position", idsPosition);
        }
        root.put("source", m.source().toString());
        root.put("partitions", m.partitions());
        root.put("journal_last_seq", m.journalLastSeq());
        ArrayNode state = root.putArray("state");
        for (PartitionPosition p : m.state()) {
            ObjectNode n = state.addObject();
            n.put("partition", p.partition());
            n.put("position", p.position());
            n.put("seq", p.lastSeq());
            n.put("clock_ms", p.clockMs());
        }
        Path tmp = file.resolveSibling(MANIFEST + ".tmp");
        JSON.writeValue(tmp.toFile(), root);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Refuses a folder that exists and holds anything. */
    static void requireEmpty(Path dir, String option) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isPresent()) {
                throw new ConfigException(option + ": " + dir + " is not empty; give a new or empty folder");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Copies a folder tree (a backup's state into a data folder; tests set folders up with it too), files
     * copied with {@code options}.
     */
    public static void copyTree(Path from, Path to, CopyOption... options) {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, options);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }
}
