package dev.loyalty.api;

import dev.loyalty.api.logging.ProgramLogging;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
                "Exit codes: 0 done, 1 failed, 2 bad command line or configuration, 3 import with rejected lines."},
        subcommands = {ServeCommand.class, ImportCommand.class, ExportCommand.class, BackupCommand.class,
                ReplayCommand.class, WhatIfCommand.class, WarmUpCommand.class, JournalUpgradeCommand.class,
                DevKafkaCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

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
        int exit = commandLine().execute(args);
        ProgramLogging.stop(); // the log writer is a daemon thread: what it has queued is written out first
        System.exit(exit);
    }

    /** The command line with its subcommands, for {@link #main} and tests. */
    static CommandLine commandLine() {
        return new CommandLine(new Main());
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
