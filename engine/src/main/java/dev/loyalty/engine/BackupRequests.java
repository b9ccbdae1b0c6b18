package dev.loyalty.engine;

import dev.loyalty.engine.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Online backups on request, through files in the data folder ({@value #FOLDER}): {@code bin/engine backup}
 * finds the folder locked, writes {@code NAME.request} (the target folder, one line) and waits; the engine
 * holding the folder takes it ({@code NAME.taken}), writes the backup and answers {@code NAME.done} or
 * {@code NAME.failed} (the reason). Files rather than the management port: the tool needs nothing but
 * the data folder, and only who may write the data folder (who owns the data anyway) can ask, while the
 * management port takes no key. The engine side is one daemon thread polling the folder a few times a
 * second; it never touches the request path of events or the processors.
 */
final class BackupRequests implements AutoCloseable {
    /** The request folder inside the data folder. */
    static final String FOLDER = "backup-requests";
    private static final Logger LOG = LoggerFactory.getLogger(BackupRequests.class);
    private static final String REQUEST = ".request";
    private static final String TAKEN = ".taken";
    private static final String DONE = ".done";
    private static final String FAILED = ".failed";
    private static final long POLL_MS = 200;
    /** How often a waiting tool checks that the engine still holds the folder. */
    private static final long ALIVE_CHECK_MS = 1_000;
    /** Longest wait for a taken backup; checkpoints take seconds, a copy to another file system longer. */
    private static final Duration MAX_WAIT = Duration.ofHours(2);

    private final Path dir;
    private final Function<Path, Backup.Manifest> backup;
    private final Thread thread;
    private volatile boolean stopped;

    private BackupRequests(Path dir, Function<Path, Backup.Manifest> backup) {
        this.dir = dir;
        this.backup = backup;
        this.thread = new Thread(this::watch, "backup-requests");
        this.thread.setDaemon(true);
    }

    /**
     * Starts answering the requests in {@code dataDir} with {@code backup} (target folder → manifest), on
     * a thread of its own.
     */
    static BackupRequests start(Path dataDir, Function<Path, Backup.Manifest> backup) {
        BackupRequests r = new BackupRequests(dataDir.resolve(FOLDER), backup);
        r.thread.start();
        return r;
    }

    private void watch() {
        while (!stopped) {
            try {
                takeAll();
            } catch (RuntimeException | IOException e) {
                LOG.error("backup requests: cannot read {}: {}", dir, e.toString());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
        }
    }

    private void takeAll() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> requests = Files.newDirectoryStream(dir, "*" + REQUEST)) {
            for (Path request : requests) {
                if (stopped) {
                    return;
                }
                take(request);
            }
        }
    }

    private void take(Path request) throws IOException {
        String name = request.getFileName().toString();
        name = name.substring(0, name.length() - REQUEST.length());
        Path taken = dir.resolve(name + TAKEN);
        try {
            Files.move(request, taken, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException withdrawn) {
            return; // the tool gave up on it
        }
        Path into = Path.of(Files.readString(taken, StandardCharsets.UTF_8).trim());
        long startNs = System.nanoTime();
        try {
            Backup.Manifest m = backup.apply(into);
            LOG.atInfo().setMessage("online backup into {} done in {} ms ({} partitions, journal seq {})")
                    .addArgument(into).addArgument((System.nanoTime() - startNs) / 1_000_000)
                    .addArgument(m.partitions()).addArgument(m.journalLastSeq())
                    .addKeyValue("event", "backup_done").addKeyValue("into", into.toString()).log();
            answer(name, DONE, "done");
        } catch (RuntimeException e) {
            LOG.error("online backup into {} failed: {}", into, e.toString());
            answer(name, FAILED, e instanceof ConfigException ? e.getMessage() : e.toString());
        }
        Files.deleteIfExists(taken);
    }

    private void answer(String name, String suffix, String text) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(name + suffix), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Stops taking requests; waits for a backup under way to finish (its stores must stay open for it). */
    @Override
    public void close() {
        stopped = true;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The tool's side: asks the process holding {@code dataDir} for a backup into {@code into} and waits
     * for its answer.
     *
     * @param takeTimeout how long the holder may take to pick the request up
     * @return the backup's manifest, or null when the holder released the folder before taking the
     *         request (the caller may then back up offline)
     * @throws DataFolderInUseException when the holder does not take the request in time (an offline
     *         tool such as {@code replay} or {@code export}, not an engine)
     * @throws IllegalStateException when the engine failed to write the backup or stopped while writing it
     */
    static Backup.Manifest request(Path dataDir, Path into, Duration takeTimeout) {
        Path target = into.toAbsolutePath().normalize();
        Backup.requireEmpty(target, "--into");
        Path dir = dataDir.resolve(FOLDER);
        String name = "b-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Path request = dir.resolve(name + REQUEST);
        Path done = dir.resolve(name + DONE);
        Path failed = dir.resolve(name + FAILED);
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(name + ".tmp");
            Files.writeString(tmp, target + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, request, StandardCopyOption.ATOMIC_MOVE);
            long startNs = System.nanoTime();
            long nextAliveCheckNs = startNs + TimeUnit.MILLISECONDS.toNanos(ALIVE_CHECK_MS);
            while (true) {
                if (Files.exists(done)) {
                    Files.deleteIfExists(done);
                    return Backup.read(target);
                }
                if (Files.exists(failed)) {
                    String reason = Files.readString(failed, StandardCharsets.UTF_8).trim();
                    Files.deleteIfExists(failed);
                    throw new IllegalStateException("the engine could not write the backup: " + reason);
                }
                long nowNs = System.nanoTime();
                boolean untaken = Files.exists(request);
                if (untaken && nowNs - startNs > takeTimeout.toNanos() && withdraw(request)) {
                    throw new DataFolderInUseException(dataDir, holder(dataDir) + ", which takes no online backups");
                }
                if (nowNs - startNs > MAX_WAIT.toNanos()) {
                    throw new IllegalStateException("no answer from the engine within " + MAX_WAIT.toHours()
                            + " h; " + target + " may be incomplete");
                }
                if (nowNs >= nextAliveCheckNs) {
                    nextAliveCheckNs = nowNs + TimeUnit.MILLISECONDS.toNanos(ALIVE_CHECK_MS);
                    if (holderGone(dataDir) && !Files.exists(done) && !Files.exists(failed)) {
                        if (untaken && withdraw(request)) {
                            return null;
                        }
                        Files.deleteIfExists(dir.resolve(name + TAKEN));
                        throw new IllegalStateException("the engine stopped while writing the backup; " + target
                                + " is incomplete: delete it and run backup again");
                    }
                }
                Thread.sleep(50);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("backup request in " + dir + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the backup", e);
        }
    }

    /** Takes the request back; false when the engine took it meanwhile. */
    private static boolean withdraw(Path request) throws IOException {
        return Files.deleteIfExists(request);
    }

    private static boolean holderGone(Path dataDir) {
        try {
            FolderLock.acquire(dataDir, "backup, checking the holder").close();
            return true;
        } catch (DataFolderInUseException stillHeld) {
            return false;
        }
    }

    private static String holder(Path dataDir) {
        try {
            return Files.readString(dataDir.resolve(FolderLock.FILE), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "another process";
        }
    }
}
