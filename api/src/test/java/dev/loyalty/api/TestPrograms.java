package dev.loyalty.api;

import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.testing.Eventually;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Starts the program in-process for an IT: a YAML config written into its home, the API on a given port. */
final class TestPrograms {

    private TestPrograms() {
    }

    /**
     * Writes {@code yaml} into {@code home}, starts the program with its API on {@code apiPort}, management on a
     * free port and data under {@code home/data}, and returns once {@code /health/ready} answers 200.
     */
    static Program startReady(Path home, String yaml, int apiPort) throws Exception {
        return startReady(home, yaml, apiPort, TestFolders.freePort());
    }

    /** {@link #startReady(Path, String, int)} with management on {@code managementPort} (for a test that reads it). */
    static Program startReady(Path home, String yaml, int apiPort, int managementPort) throws Exception {
        Path config = home.resolve("engine-it.yaml");
        Files.writeString(config, yaml);
        EngineConfig engineConfig = ProgramConfig.load(config, Map.of(), new ProgramConfig.Overrides()
                .put("api.port", apiPort)
                .put("management.port", managementPort)
                .put("data-dir", home.resolve("data"))
                .toMap());
        Program program = Program.start(engineConfig);
        HttpCalls management = new HttpCalls(managementPort);
        Eventually.until("the engine ready", Eventually.START,
                () -> management.get("/health/ready", null).status() == 200);
        return program;
    }
}
