package dev.loyalty.api;

import dev.loyalty.api.logging.ProgramLogging;
import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.journal.JournalCorruptException;
import dev.loyalty.engine.state.StateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code serve}: runs the engine until SIGTERM/SIGINT, then shuts down within a bounded time. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        header = "Run the engine: the HTTP API and the management endpoints.", sortOptions = false,
        description = {"Run the engine: the ingest/query API (api.port) and the management endpoints "
                + "(management.port: /metrics, /health/live, /health/ready).",
                "",
                "Runs until SIGTERM or SIGINT, then stops within a bounded time: readiness turns false, the API "
                + "stops accepting and lets requests in flight finish (5 s at most), the processors apply what "
                + "is journaled (5 s at most) and commit, the state is flushed; exit 0.",
                "",
                "Exit codes: 0 stopped cleanly, 1 could not start (port taken, data folder in use), "
                + "2 bad configuration."},
        footer = {"", "Every configuration key can also be set as ENGINE_<KEY> (ENGINE_API_PORT=8081); "
                + "see config/engine.yaml."})
final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration merged over the shipped defaults.")
    Path configFile;

    @Option(names = "--data", paramLabel = "DIR", description = "Data folder (journal and state); default ./data.")
    Path dataDir;

    @Option(names = "--port", paramLabel = "N", description = "Port of the ingest/query API (api.port).")
    Integer port;

    @Option(names = "--management-port", paramLabel = "N", description = "Port of /metrics and /health (management.port).")
    Integer managementPort;

    /**
     * The shutdown hook (SIGTERM, SIGINT): a graceful stop. The JVM would then exit with 128 + the signal;
     * a shutdown that closed everything in time exits 0 instead, as service managers expect of a clean
     * stop. Only the engine's own resources and the queued log lines are flushed here, and they are closed by then.
     */
    private static void stop(Program program) {
        boolean clean = program.stop();
        // halt skips every other hook: the queued log lines ("shut down in …") are written out first
        ProgramLogging.stop();
        if (clean) {
            Runtime.getRuntime().halt(0);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        EngineConfig config;
        Program program;
        try {
            config = ProgramConfig.load(configFile, System.getenv(), new ProgramConfig.Overrides()
                    .put("api.port", port)
                    .put("management.port", managementPort)
                    .put("data-dir", dataDir)
                    .toMap());
            ProgramLogging.configure(config.log());
            program = Program.start(config);
        } catch (ConfigException e) {
            System.err.println("configuration error: " + e.getMessage());
            return Main.EXIT_CONFIG;
        } catch (RuntimeException e) {
            // A folder in use, a journal that ends before the state or holds an unreadable record, a state
            // store that cannot be opened: one clear line, no stack trace; nothing was journaled.
            LOG.error("cannot start: {}", e.getMessage());
            LOG.debug("start failure", e);
            return Main.EXIT_FAILED;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(program), "shutdown"));
        program.awaitClosed();
        return 0;
    }
}
