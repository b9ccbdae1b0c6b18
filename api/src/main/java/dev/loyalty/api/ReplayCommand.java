package dev.loyalty.api;

import dev.loyalty.engine.Replay;
import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.journal.JournalCorruptException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code replay}: rebuilds state from the journal of {@code --data} into {@code --into} and compares it
 * with the live state. Exit 0 when identical, 1 when not (or failed), 2 for a bad configuration or folder.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        header = "Rebuild the state from the journal and compare it with the live state.", sortOptions = false,
        description = {
                "Rebuild the state from the journal into a new folder and compare it, byte for byte, with the "
                        + "live state of the (stopped) data folder: the check that state is a deterministic "
                        + "function of the journal. From an empty state while the whole journal is kept; once "
                        + "journal retention has dropped files, from a backup (--from-backup): its state, then "
                        + "the journal after its positions.",
                "",
                "Progress (records, rate, time left) goes to stderr, the result to stdout. The rebuilt folder "
                        + "is a complete data folder (copy the journal next to its state to serve from it).",
                "",
                "Exit codes: 0 identical, 1 different or failed (or the data folder is in use), 2 bad command "
                        + "line, configuration or folder (e.g. the journal no longer starts at seq 1)."})
final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", required = true, description = "Data folder holding the journal.")
    Path dataDir;

    @Option(names = "--into", paramLabel = "DIR", required = true, description = "New or empty folder for the rebuilt state.")
    Path intoDir;

    @Option(names = "--from-backup", paramLabel = "DIR",
            description = "Start from this backup (bin/engine backup) instead of an empty state.")
    Path fromBackup;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration merged over the shipped defaults.")
    Path configFile;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        Replay.Report report;
        try {
            EngineConfig config = ProgramConfig.loadForTool(configFile, dataDir);
            out.printf("replaying the journal of %s into %s%s%n", dataDir, intoDir,
                    fromBackup == null ? "" : ", starting from the backup " + fromBackup);
            ProgressLine[] progress = {null};
            long[] from = {-1};
            report = Replay.run(config, intoDir, fromBackup, (seq, total) -> {
                if (progress[0] == null) {
                    from[0] = seq;
                    progress[0] = new ProgressLine(System.err, "replay", "records", seq);
                }
                progress[0].update(seq, fraction(seq, from[0], total));
            });
            if (progress[0] != null) {
                progress[0].finish(report.records(), 1.0);
            }
        } catch (ConfigException e) {
            System.err.println("replay: " + e.getMessage());
            return Main.EXIT_CONFIG;
        } catch (IllegalStateException | JournalCorruptException e) {
            // A damaged journal names its seq and position: one line, no stack trace.
            System.err.println("replay: " + e.getMessage());
            return Main.EXIT_FAILED;
        }
        double seconds = Math.max(report.millis(), 1) / 1000.0;
        long replayed = report.records() - report.fromSeq();
        out.printf(Locale.ROOT, "records:   %d%n", report.records());
        if (report.fromSeq() > 0) {
            out.printf(Locale.ROOT, "from:      seq %d (the backup), %d records replayed%n", report.fromSeq(), replayed);
        }
        out.printf(Locale.ROOT, "events:    %d%n", report.events());
        out.printf(Locale.ROOT, "time:      %.3f s%n", report.millis() / 1000.0);
        out.printf(Locale.ROOT, "rate:      %.0f records/s%n", replayed / seconds);
        // Whether the partitions held every customer: a smaller table reads evicted ones back (RocksDB, decode).
        out.printf(Locale.ROOT, "table:     %d customers a partition; %d read back from the state (evicted, or cold "
                + "in the backup)%n",
                report.tableCustomers(), report.readBack());
        out.printf(Locale.ROOT, "identical: %s%n", report.identical() ? "yes" : "no");
        if (!report.identical()) {
            out.printf("first difference: %s%n", report.firstDifference());
            return Main.EXIT_FAILED;
        }
        return 0;
    }

    private static double fraction(long seq, long from, long total) {
        return total <= from ? 1.0 : (double) (seq - from) / (total - from);
    }
}
