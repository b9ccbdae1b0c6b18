package dev.loyalty.api;

import dev.loyalty.api.importer.CustomerFile;
import dev.loyalty.api.importer.Importer;
import dev.loyalty.engine.DataFolderInUseException;
import dev.loyalty.engine.Engine;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.event.EventValidator;
import dev.loyalty.engine.journal.JournalCorruptException;
import dev.loyalty.engine.state.StateException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code import}: customers with their profile and opening balances, through the journal. */
@Command(name = "import", mixinStandardHelpOptions = true,
        header = "Import customers (profile, opening balances) from CSV or NDJSON.", sortOptions = false,
        description = {
                "Import customers with their profile and opening balances from a CSV or NDJSON file, through the "
                        + "journal (the result is replayable like any event). Runs its own engine on the data "
                        + "folder, so the server must be stopped (the folder is refused while in use).",
                "Each line becomes an opt_in with the profile, then a point_add (point_sub when negative) per "
                        + "non-zero opening balance, reason \"opening balance\". Ids derived from the line "
                        + "(import:<customer>:opt_in, import:<customer>:opening:<account>) make a second run "
                        + "harmless: its lines are reported as already imported. A customer that already exists "
                        + "otherwise is rejected, so that no balance is added twice.",
                "",
                "CSV: a header line; column 'customer'; 'balance.<account>' columns (whole points, empty = 0); "
                        + "every other column is a profile attribute. One record per line, RFC 4180 quotes.",
                "  customer,name,email,balance.points,balance.bonus",
                "  c-1001,Ann Lee,ann@example.com,1200,50",
                "NDJSON: one object per line:",
                "  {\"customer\":\"c-1001\",\"profile\":{\"name\":\"Ann Lee\"},\"balances\":{\"points\":1200}}",
                "",
                "Progress goes to stderr, the summary to stdout. Exit codes: 0 every line imported (or already "
                        + "imported), 3 done but some lines rejected (listed with their line numbers), 1 failed "
                        + "or the data folder is in use (what was journaled stays; run again to continue), 2 bad "
                        + "command line, configuration or file header."})
final class ImportCommand implements Callable<Integer> {

    /** Exit code of an import that finished with rejected lines. */
    static final int EXIT_REJECTED_LINES = 3;
    private static final Logger LOG = LoggerFactory.getLogger(ImportCommand.class);

    @Parameters(index = "0", paramLabel = "FILE", description = "The file to import; - reads stdin (then --format is needed).")
    String file;

    @Option(names = "--data", paramLabel = "DIR", description = "Data folder (journal and state); default ./data.")
    Path dataDir;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration merged over the shipped defaults.")
    Path configFile;

    @Option(names = "--format", paramLabel = "csv|ndjson",
            description = "File format; by default from the extension (.csv, .ndjson, .jsonl).")
    String format;

    @Option(names = "--chunk", paramLabel = "N", defaultValue = "1000",
            description = "Lines journaled per step (default ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--show-rejected", paramLabel = "N", defaultValue = "20",
            description = "Rejected lines listed in the summary (all are counted; default ${DEFAULT-VALUE}).")
    int showRejected;

    @Option(names = "--dry-run", description = "Read and validate only: no engine, nothing journaled.")
    boolean dryRun;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        CustomerFile.Format fileFormat;
        if (format != null) {
            try {
                fileFormat = CustomerFile.Format.valueOf(format.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                err.println("import: --format must be csv or ndjson, got '" + format + "'");
                return Main.EXIT_CONFIG;
            }
        } else {
            fileFormat = CustomerFile.formatOf(file);
            if (fileFormat == null) {
                err.println("import: cannot tell the format of '" + file + "' from its name; give --format csv|ndjson");
                return Main.EXIT_CONFIG;
            }
        }
        if (chunk < 1 || chunk > 10_000) {
            err.println("import: --chunk must be 1..10000, got " + chunk);
            return Main.EXIT_CONFIG;
        }
        EngineConfig config;
        try {
            config = ProgramConfig.loadForTool(configFile, dataDir);
        } catch (ConfigException e) {
            err.println("configuration error: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        long size = -1;
        InputStream in;
        try {
            if (file.equals("-")) {
                in = System.in;
            } else {
                Path path = Path.of(file);
                size = Files.size(path);
                in = Files.newInputStream(path);
            }
        } catch (NoSuchFileException e) {
            err.println("import: no such file: " + file);
            return Main.EXIT_CONFIG;
        } catch (IOException e) {
            err.println("import: cannot read " + file + ": " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        Set<String> accounts = new LinkedHashSet<>();
        for (RulesConfig.AccountRules a : config.rules().accounts()) {
            accounts.add(a.name());
        }
        try (CustomerFile customers = new CustomerFile(in, fileFormat)) {
            for (String account : customers.headerAccounts()) {
                if (!accounts.contains(account)) {
                    err.println("import: column '" + CustomerFile.BALANCE_COLUMN + account + "' names no configured "
                            + "account (rules.accounts: " + String.join(", ", accounts) + ")");
                    return Main.EXIT_CONFIG;
                }
            }
            return dryRun ? dryRun(config, customers, accounts, size, out, err)
                    : importInto(config, customers, accounts, size, out, err);
        } catch (IllegalArgumentException e) {
            err.println("import: " + file + ": " + e.getMessage());
            return Main.EXIT_CONFIG;
        } catch (IOException e) {
            err.println("import: reading " + file + " failed: " + e.getMessage());
            return Main.EXIT_FAILED;
        }
    }

    private int dryRun(EngineConfig config, CustomerFile customers, Set<String> accounts, long size,
                       PrintStream out, PrintStream err) throws IOException {
        out.printf("dry run of %s (%s): reading and validating only, nothing is journaled%n", file,
                format(customers));
        ProgressLine progress = new ProgressLine(err, "import (dry run)", "lines", 0);
        Importer importer = new Importer(null, new EventValidator(config.rules()), System::currentTimeMillis,
                accounts, chunk);
        Importer.Summary summary = importer.run(customers, showRejected,
                lines -> progress.update(lines, fraction(customers, size)));
        progress.finish(summary.lines(), fraction(customers, size));
        report(summary, progress, out, true);
        return summary.rejected() > 0 ? EXIT_REJECTED_LINES : 0;
    }

    private int importInto(EngineConfig config, CustomerFile customers, Set<String> accounts, long size,
                           PrintStream out, PrintStream err) throws IOException {
        LoyaltyEngine engine;
        try {
            engine = Engine.start(config, new SimpleMeterRegistry(), "import");
        } catch (DataFolderInUseException e) {
            err.println("import: " + e.getMessage());
            return Main.EXIT_FAILED;
        } catch (ConfigException e) {
            err.println("configuration error: " + e.getMessage());
            return Main.EXIT_CONFIG;
        } catch (JournalCorruptException | StateException e) {
            err.println("import: cannot start the engine: " + e.getMessage());
            return Main.EXIT_FAILED;
        }
        try {
            out.printf("importing %s (%s) into %s%n", file, format(customers),
                    config.dataDir().toAbsolutePath().normalize());
            if (!awaitReady(engine, err)) {
                return Main.EXIT_FAILED;
            }
            ProgressLine progress = new ProgressLine(err, "import", "lines", 0);
            Importer importer = new Importer(engine, engine.validator(), engine::nowMs, accounts, chunk);
            Importer.Summary summary;
            try {
                summary = importer.run(customers, showRejected,
                        lines -> progress.update(lines, fraction(customers, size)));
                if (summary.lastSeq() > 0) {
                    engine.durable(summary.lastSeq()).get(60, TimeUnit.SECONDS);
                }
            } catch (Importer.ImportFailedException e) {
                progress.breakLine();
                err.println("import: failed: " + e.getMessage());
                err.println("import: what was journaled before stays; run the same import again to continue");
                return Main.EXIT_FAILED;
            } catch (Exception e) {
                progress.breakLine();
                err.println("import: failed: " + e);
                return Main.EXIT_FAILED;
            }
            progress.finish(summary.lines(), fraction(customers, size));
            report(summary, progress, out, false);
            LOG.atInfo().setMessage("import finished")
                    .addKeyValue("event", "import_finished").addKeyValue("lines", summary.lines())
                    .addKeyValue("imported", summary.imported())
                    .addKeyValue("already_imported", summary.alreadyImported())
                    .addKeyValue("rejected", summary.rejected()).log();
            return summary.rejected() > 0 ? EXIT_REJECTED_LINES : 0;
        } finally {
            engine.close();
        }
    }

    /** Waits for the engine to catch up with the journal (recovery), saying so when it takes a while. */
    private static boolean awaitReady(LoyaltyEngine engine, PrintStream err) {
        long startNs = System.nanoTime();
        boolean said = false;
        while (!engine.ready()) {
            if (!said && System.nanoTime() - startNs > 1_000_000_000L) {
                err.println("import: waiting for the engine to catch up with the journal...");
                said = true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static double fraction(CustomerFile customers, long size) {
        return size > 0 ? (double) customers.bytesRead() / size : Double.NaN;
    }

    private String format(CustomerFile customers) {
        return format != null ? format.toLowerCase(Locale.ROOT) : CustomerFile.formatOf(file).name()
                .toLowerCase(Locale.ROOT);
    }

    private static void report(Importer.Summary s, ProgressLine progress, PrintStream out, boolean dryRun) {
        progress.breakLine();
        out.printf(Locale.ROOT, "lines read:        %,d%n", s.lines());
        out.printf(Locale.ROOT, "%s %,d%n", dryRun ? "valid:            " : "imported:         ", s.imported());
        if (!dryRun) {
            out.printf(Locale.ROOT, "already imported:  %,d (duplicates of an earlier run; nothing changed)%n",
                    s.alreadyImported());
        }
        out.printf(Locale.ROOT, "rejected:          %,d%n", s.rejected());
        for (Importer.Rejection r : s.rejections()) {
            out.printf(Locale.ROOT, "  line %d: %s%n", r.line(), r.reason());
        }
        if (s.rejected() > s.rejections().size()) {
            out.printf(Locale.ROOT, "  ... and %,d more (--show-rejected N lists more)%n",
                    s.rejected() - s.rejections().size());
        }
        if (!dryRun) {
            out.printf(Locale.ROOT, "events journaled:  %,d%s%n", s.eventsJournaled(),
                    s.eventsJournaled() > 0 ? " (seq " + s.firstSeq() + " to " + s.lastSeq() + ")" : "");
            if (s.retries() > 0) {
                out.printf(Locale.ROOT, "backpressure:      %,d chunks waited and retried%n", s.retries());
            }
        }
    }
}
