package dev.loyalty.api;

import dev.loyalty.api.whatif.CustomersCsv;
import dev.loyalty.api.whatif.ReportHtml;
import dev.loyalty.api.whatif.SummaryJson;
import dev.loyalty.engine.Backup;
import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.whatif.ScenarioRules;
import dev.loyalty.engine.whatif.WhatIf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code whatif}: replays the journal of {@code --data} as journaled and under proposed rules, side by side,
 * and writes {@code summary.json}, {@code customers.csv} and {@code report.html} into {@code --out}.
 */
@Command(name = "whatif", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Replay history under proposed rules and compare with what happened.",
        description = {
                "Replays the journal of the data folder twice, side by side in scratch folders: as journaled "
                        + "(baseline) and with the rules of --rules in force from --from on (scenario; rule "
                        + "changes journaled later are not applied). Writes into --out: summary.json (figures "
                        + "at the end and per month), customers.csv (every customer whose balances or tier "
                        + "differ, largest change first) and report.html (one self-contained page).",
                "",
                "The data folder is only read: its journal read-only, without taking its lock (an engine may "
                        + "be running on it; what it appends after the start is left out), its state never. "
                        + "Partitions replay in parallel. Progress goes to stderr.",
                "",
                "Both replays start from the newest backup taken before --from (see --backups; its state is "
                        + "copied, never changed), else from the journal's first record; a journal whose "
                        + "oldest files were dropped by journal.retention needs such a backup.",
                "",
                "Exit codes: 0 done, 1 failed, 2 bad command line, rules, dates or folder."})
final class WhatIfCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", required = true, description = "Data folder holding the journal.")
    Path dataDir;

    @Option(names = "--rules", paramLabel = "FILE", required = true,
            description = "YAML in the layout of --config; only its rules: section is used, merged over the "
                    + "journaled rules in force at --from (e.g. rules: {earn: {rate: 2}}).")
    Path rulesFile;

    @Option(names = "--from", paramLabel = "DATE",
            description = "Ingest time from which the scenario rules apply: an ISO date (its start, UTC) or "
                    + "instant. Default: the start of the journal.")
    String from;

    @Option(names = "--to", paramLabel = "DATE",
            description = "Last ingest time replayed: an ISO date (its end, UTC) or instant. Default: the end "
                    + "of the journal when the run starts.")
    String to;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder for the three files (created).")
    Path outDir;

    @Option(names = "--backups", paramLabel = "DIR",
            description = "A backup (bin/engine backup --into) or a folder holding backups as subfolders. Both "
                    + "replays start from the newest backup, of these and of those registered in the data "
                    + "folder, taken before --from; without one, from the journal's start.")
    Path backupsDir;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration of the data folder (active-member windows, caches), as for serve.")
    Path configFile;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        Path scratch = null;
        try {
            long fromMs = from == null ? Long.MIN_VALUE : parseTime("--from", from, false);
            long toMs = to == null ? Long.MAX_VALUE : parseTime("--to", to, true);
            if (fromMs != Long.MIN_VALUE && toMs != Long.MAX_VALUE && fromMs > toMs) {
                throw new ConfigException("--from " + from + " is after --to " + to);
            }
            if (!Files.isRegularFile(rulesFile)) {
                throw new ConfigException("--rules: no file " + rulesFile);
            }
            EngineConfig config = ProgramConfig.loadForTool(configFile, dataDir);
            String home = System.getProperty("engine.home");
            String defaults = ConfigLoader.shippedDefaults(home == null ? null : Path.of(home));
            Files.createDirectories(outDir);
            scratch = Files.createTempDirectory(outDir, ".whatif-scratch-");
            out.printf("what-if on the journal of %s with %s%s%s%n", dataDir, rulesFile,
                    from == null ? "" : " from " + from, to == null ? "" : " to " + to);
            ProgressLine progress = new ProgressLine(System.err, "what-if", "records", 0);
            long[] total = {0};
            WhatIf.Result r = WhatIf.run(new WhatIf.Request(config,
                            base -> ScenarioRules.load(defaults, base, rulesFile), fromMs, toMs, scratch,
                            backups()),
                    (seq, all) -> {
                        total[0] = all;
                        progress.update(seq, all == 0 ? 1.0 : (double) seq / all);
                    });
            progress.finish(r.lastSeq(), 1.0);
            SummaryJson.write(r, outDir.resolve("summary.json"));
            CustomersCsv.write(r.customers(), outDir.resolve("customers.csv"));
            ReportHtml.write(r, "Journal of " + dataDir + " (up to seq " + r.lastSeq() + "), rules " + rulesFile
                    + (from == null ? ", from the start" : ", from " + from) + (to == null ? "" : " to " + to)
                    + (r.start().fromBackup() ? "; replayed from the backup " + r.start().backup() + " (after seq "
                    + r.start().seq() + "; months count the flow after it only)" : "")
                    + ".", outDir.resolve("report.html"));
            long events = r.baseline().events();
            double seconds = Math.max(r.millis(), 1) / 1000.0;
            out.printf("start:     %s%n", r.start().fromBackup()
                    ? "backup " + r.start().backup() + " (after seq " + r.start().seq() + ")" : "journal start");
            out.printf(Locale.ROOT, "records:   %d%n", r.lastSeq());
            out.printf(Locale.ROOT, "events:    %d per side%n", events);
            out.printf(Locale.ROOT, "time:      %.3f s (%.0f events/s per side)%n", seconds, events / seconds);
            out.printf(Locale.ROOT, "liability: baseline %d, scenario %d%n", r.baseline().end().totalLiability(),
                    r.scenario().end().totalLiability());
            out.printf(Locale.ROOT, "customers: %d differ%n", r.customers().size());
            out.printf("written:   %s, %s, %s%n", outDir.resolve("summary.json"), outDir.resolve("customers.csv"),
                    outDir.resolve("report.html"));
            return 0;
        } catch (ConfigException e) {
            System.err.println("whatif: " + e.getMessage());
            return Main.EXIT_CONFIG;
        } catch (IllegalStateException | UncheckedIOException | IOException e) {
            System.err.println("whatif: " + e.getMessage());
            return Main.EXIT_FAILED;
        } finally {
            if (scratch != null) {
                delete(scratch);
            }
        }
    }

    /** The backups registered in the data folder, then those of --backups, each once. */
    List<Path> backups() {
        Set<Path> all = new LinkedHashSet<>();
        for (Path b : Backup.registered(dataDir)) {
            all.add(b.toAbsolutePath().normalize());
        }
        if (backupsDir != null) {
            for (Path b : Backup.in(backupsDir)) {
                all.add(b.toAbsolutePath().normalize());
            }
        }
        return List.copyOf(all);
    }

    /** An ISO date (its first or, with {@code endOfDay}, last millisecond, UTC) or an ISO instant / offset time. */
    static long parseTime(String option, String text, boolean endOfDay) {
        try {
            if (text.indexOf('T') < 0) {
                LocalDate d = LocalDate.parse(text);
                LocalDate day = endOfDay ? d.plusDays(1) : d;
                return day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() - (endOfDay ? 1 : 0);
            }
            try {
                return Instant.parse(text).toEpochMilli();
            } catch (DateTimeParseException notAnInstant) {
                return OffsetDateTime.parse(text).toInstant().toEpochMilli();
            }
        } catch (DateTimeParseException e) {
            throw new ConfigException(option + ": '" + text + "' is neither an ISO date (2026-03-01) nor an instant "
                    + "(2026-03-01T00:00:00Z)");
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("whatif: could not delete the scratch folder " + dir + ": " + e.getMessage());
        }
    }
}
