package dev.loyalty.api;

import dev.loyalty.engine.Backup;
import dev.loyalty.engine.DataFolderInUseException;
import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.EngineConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code backup}: a consistent checkpoint of a data folder's state and its journal positions, online or offline. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        header = "Back up a data folder, running or stopped (state checkpoint + journal positions).", sortOptions = false,
        description = {
                "Back up the state of a data folder: a consistent RocksDB checkpoint of every partition "
                        + "(and of the idempotency index) plus backup.json, the journal position each partition "
                        + "had applied. The journal itself is not copied: it stays in the data folder, and "
                        + "journal retention keeps every file this backup needs for as long as its folder exists.",
                "",
                "With the server stopped the tool writes the backup itself. While a server (or an import) "
                        + "runs on the folder, the tool asks it through a request file in DIR/backup-requests "
                        + "and waits: the engine checkpoints each partition's last commit and the idempotency "
                        + "index without stopping. Table files are hard-linked where possible, so a backup takes "
                        + "seconds. Put backups on the same file system for speed, then copy them elsewhere.",
                "",
                "Restore: copy the backup's state/ and ingest/ (and, into a new folder, engine.properties and "
                        + "journaled-rules.json) into a data folder holding the journal, and start: the "
                        + "partitions resume from the backup's positions. Or rebuild and verify with "
                        + "replay --from-backup.",
                "",
                "Exit codes: 0 done, 1 failed or the data folder is in use by a tool (replay, export), 2 bad "
                        + "command line or configuration (--into not empty)."})
final class BackupCommand implements Callable<Integer> {
    /** A running engine picks a request up within a fraction of a second; an offline tool never does. */
    private static final Duration TAKE_TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "--data", paramLabel = "DIR", description = "Data folder to back up; default ./data.")
    Path dataDir;

    @Option(names = "--into", paramLabel = "DIR", required = true, description = "New or empty folder for the backup.")
    Path intoDir;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration merged over the shipped defaults.")
    Path configFile;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        EngineConfig config;
        Backup.Manifest manifest;
        long startNs = System.nanoTime();
        try {
            config = ProgramConfig.loadForTool(configFile, dataDir);
            manifest = Backup.take(config, intoDir, TAKE_TIMEOUT);
        } catch (ConfigException e) {
            System.err.println("backup: " + e.getMessage());
            return Main.EXIT_CONFIG;
        } catch (DataFolderInUseException e) {
            System.err.println("backup: " + e.getMessage());
            return Main.EXIT_FAILED;
        } catch (RuntimeException e) {
            System.err.println("backup: failed: " + e.getMessage());
            return Main.EXIT_FAILED;
        }
        out.printf(Locale.ROOT, "backup of %s into %s%n", manifest.source(), intoDir.toAbsolutePath().normalize());
        out.printf(Locale.ROOT, "partitions:        %d%n", manifest.partitions());
        out.printf(Locale.ROOT, "journal last seq:  %d%n", manifest.journalLastSeq());
        for (Backup.PartitionPosition p : manifest.state()) {
            out.printf(Locale.ROOT, "  partition %d applied up to seq %d%n", p.partition(), p.lastSeq());
        }
        out.printf(Locale.ROOT, "time:              %.1f s%n", (System.nanoTime() - startNs) / 1e9);
        return 0;
    }
}
