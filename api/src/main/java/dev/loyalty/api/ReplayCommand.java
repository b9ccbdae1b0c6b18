package dev.loyalty.api;

import dev.loyalty.engine.Replay;
import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.EngineConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code replay}: rebuilds state from the journal of {@code --data} into {@code --into} and compares it
 * with the live state. Exit 0 when identical, 1 when not, 2 for a bad configuration or folder.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Rebuild state from a journal into an empty folder and compare it with the live state.")
final class ReplayCommand implements Callable<Integer> {

    /** Least time between two progress lines. */
    private static final long PROGRESS_INTERVAL_NS = 1_000_000_000L;

    @Option(names = "--data", paramLabel = "DIR", required = true, description = "Data folder holding the journal.")
    Path dataDir;

    @Option(names = "--into", paramLabel = "DIR", required = true, description = "Empty folder for the rebuilt state.")
    Path intoDir;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration merged over the shipped defaults.")
    Path configFile;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        Replay.Report report;
        try {
            EngineConfig config = ProgramConfig.load(configFile, System.getenv(),
                    new ProgramConfig.Overrides().put("data-dir", dataDir).toMap());
            out.printf("replaying the journal of %s into %s%n", dataDir, intoDir);
            long[] lastPrintNs = {System.nanoTime()};
            report = Replay.run(config, intoDir, records -> {
                long now = System.nanoTime();
                if (now - lastPrintNs[0] >= PROGRESS_INTERVAL_NS) {
                    lastPrintNs[0] = now;
                    out.printf("  %,d records%n", records);
                }
            });
        } catch (ConfigException e) {
            System.err.println("configuration error: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        double seconds = Math.max(report.millis(), 1) / 1000.0;
        out.printf(Locale.ROOT, "records:   %d%n", report.records());
        out.printf(Locale.ROOT, "events:    %d%n", report.events());
        out.printf(Locale.ROOT, "time:      %.3f s%n", report.millis() / 1000.0);
        out.printf(Locale.ROOT, "rate:      %.0f records/s%n", report.records() / seconds);
        out.printf(Locale.ROOT, "identical: %s%n", report.identical() ? "yes" : "no");
        if (!report.identical()) {
            out.printf("first difference: %s%n", report.firstDifference());
            return Main.EXIT_FAILED;
        }
        return 0;
    }
}
