package dev.loyalty.api;

import dev.loyalty.engine.JournalUpgrade;
import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.journal.FormatUpgrade;
import dev.loyalty.engine.journal.JournalCorruptException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code journal-upgrade}: copies a stopped folder's format-1 journal into a new folder in journal format 2. */
@Command(name = "journal-upgrade", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Migrate a data folder written before journal format 2 into a new folder.",
        description = {
                "Copies the journal of a stopped data folder written in journal format 1 (engines before journal "
                        + "format 2 refuse nothing, this one refuses those folders at start) into a new folder, "
                        + "record by record: seqs, ingest times, clock offsets, events and rules kept, each record "
                        + "under a format-2 header with its CRC32C. The partition count and the journaled rules "
                        + "are kept; state and the idempotency index are rebuilt from the copy at the new "
                        + "folder's first start (like a replay from empty). Backups of the old folder do not apply "
                        + "to the new one. The old folder is only read.",
                "",
                "Exit codes: 0 copied, 1 failed (a damaged journal, a folder in use), 2 bad command line or folder."})
final class JournalUpgradeCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", required = true, description = "Stopped data folder (format 1).")
    Path dataDir;

    @Option(names = "--into", paramLabel = "DIR", required = true, description = "New or empty folder to serve from.")
    Path intoDir;

    @Override
    public Integer call() {
        FormatUpgrade.Copied copied;
        try {
            copied = JournalUpgrade.run(dataDir, intoDir);
        } catch (ConfigException e) {
            System.err.println("journal-upgrade: " + e.getMessage());
            return Main.EXIT_CONFIG;
        } catch (JournalCorruptException | IllegalStateException e) {
            System.err.println("journal-upgrade: " + e.getMessage());
            return Main.EXIT_FAILED;
        }
        System.out.printf("copied %d records (seqs 1..%d) into %s; serve --data %s rebuilds the state from them%n",
                copied.records(), copied.lastSeq(), intoDir, intoDir);
        return 0;
    }
}
