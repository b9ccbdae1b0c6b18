package dev.loyalty.api;

import dev.loyalty.api.logging.ProgramLogging;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The program's entry point ({@code bin/engine}): {@code serve} runs the engine; {@code import},
 * {@code export}, {@code backup} and {@code replay} work on a stopped data folder. Exit codes: 0 done
 * (replay: identical), 1 failed (replay: different), 2 bad command line or configuration (the message names
 * the key; no stack trace), 3 an import that finished with rejected lines.
 */
@Command(name = "engine", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Loyalty event engine: a journal of loyalty events, rules applied by partition, state in "
                + "RocksDB.",
                "Run 'engine COMMAND --help' for a command's options."},
        commandListHeading = "%nCommands:%n",
        footer = {"", "Only one process may use a data folder at a time: import, export, backup and replay refuse "
                + "a folder that a running server holds (stop it first).",
                "Configuration: config/engine.yaml (shipped defaults), --config FILE, ENGINE_<KEY> variables.",
                "Exit codes: 0 done, 1 failed, 2 bad command line or configuration, 3 import with rejected lines."})
public final class Main implements Runnable {

    /** The subcommands by name, in the order the usage lists them. */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    /** Exit code of a bad command line or configuration. */
    static final int EXIT_CONFIG = 2;
    /** Exit code of a failure (or a replay that came out different). */
    static final int EXIT_FAILED = 1;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (NativeWarmUp.wanted(args)) {
            NativeWarmUp.start();
        }
        int exit = commandLine(args).execute(args);
        ProgramLogging.stop(); // the log writer is a daemon thread: what it has queued is written out first
        System.exit(exit);
    }

    /** The command line with all its subcommands (tests; {@link #main} builds only what its arguments need). */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line for these arguments: with only the subcommand their first word names, when it names one,
     * else (help, an option, a mistyped name) with all of them. Picocli builds each subcommand's model by
     * reflection, cold code that cost a start ~0.2-0.4 s for all ten on a busy 2-core machine
     * (bench/results/2026-12-07-startup.txt); the usage and errors of the named command are the same either way.
     */
    static CommandLine commandLine(String[] args) {
        CommandLine line = new CommandLine(new Main());
        Supplier<Object> named = args.length > 0 ? SUBCOMMANDS.get(args[0]) : null;
        if (named != null) {
            line.addSubcommand(args[0], named.get());
        } else {
            SUBCOMMANDS.forEach((name, command) -> line.addSubcommand(name, command.get()));
        }
        return line;
    }

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("serve", ServeCommand::new);
        commands.put("import", ImportCommand::new);
        commands.put("export", ExportCommand::new);
        commands.put("backup", BackupCommand::new);
        commands.put("replay", ReplayCommand::new);
        commands.put("whatif", WhatIfCommand::new);
        commands.put("warm-up", WarmUpCommand::new);
        commands.put("journal-upgrade", JournalUpgradeCommand::new);
        commands.put("dev-kafka", DevKafkaCommand::new);
        commands.put("help", CommandLine.HelpCommand::new);
        return Collections.unmodifiableMap(commands);
    }

    /** Without a subcommand: print the usage and fail. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing command: serve, import, export, backup or replay");
    }

    /** The version from the jar's manifest, when packaged. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"loyalty engine " + (version == null ? "(development build)" : version)};
        }
    }
}
