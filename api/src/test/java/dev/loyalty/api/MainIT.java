package dev.loyalty.api;

import dev.loyalty.api.HttpCalls.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The program as outside checks run it, in its own JVM: {@code serve} with the shipped defaults on a fresh
 * data folder, SIGTERM, {@code replay}, and configuration errors (exit 2, a message naming the key, no
 * stack trace).
 */
class MainIT {

    private static final String SECRET = "it-sup3r-s3cret-value";

    private Path home;

    @BeforeEach
    void createHome() throws Exception {
        home = Files.createTempDirectory("main-it");
    }

    @AfterEach
    void deleteHome() {
        TestFolders.deleteRecursively(home);
    }

    @Test
    void shouldRefuseAnUnknownEnvironmentKeyWithExitTwoAndNoStackTrace() throws Exception {
        try (ProgramProcess p = ProgramProcess.start(home.resolve("logs"),
                List.of("serve", "--data", home.resolve("data").toString()), Map.of("ENGINE_NOT_A_KEY", "1"))) {
            assertThat(p.awaitExit(60)).isEqualTo(2);
            assertThat(p.stderr()).contains("ENGINE_NOT_A_KEY").doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    @Test
    void shouldRefuseAMissingConfigFileWithExitTwo() throws Exception {
        try (ProgramProcess p = ProgramProcess.start(home.resolve("logs"),
                List.of("serve", "--config", home.resolve("missing.yaml").toString()), Map.of())) {
            assertThat(p.awaitExit(60)).isEqualTo(2);
            assertThat(p.stderr()).contains("missing.yaml").doesNotContain("\tat ");
        }
    }

    @Test
    void shouldRefuseABadValueNamingTheKey() throws Exception {
        Path config = home.resolve("bad.yaml");
        Files.writeString(config, "api:\n  sync-timeout: soon\n");
        try (ProgramProcess p = ProgramProcess.start(home.resolve("logs"),
                List.of("serve", "--config", config.toString()), Map.of())) {
            assertThat(p.awaitExit(60)).isEqualTo(2);
            assertThat(p.stderr()).contains("api.sync-timeout").doesNotContain("\tat ");
        }
    }

    @Test
    void shouldPrintUsage() throws Exception {
        try (ProgramProcess p = ProgramProcess.start(home.resolve("logs"), List.of("--help"), Map.of())) {
            assertThat(p.awaitExit(60)).isZero();
            assertThat(p.stdout()).contains("serve").contains("import").contains("export").contains("backup")
                    .contains("replay").contains("Exit codes");
        }
    }

    @Test
    void shouldServeWithTheShippedDefaultsStopOnSigtermAndReplayIdentically() throws Exception {
        Path data = home.resolve("data");
        int port = TestFolders.freePort();
        int managementPort = TestFolders.freePort();
        HttpCalls http = new HttpCalls(port);
        HttpCalls management = new HttpCalls(managementPort);
        try (ProgramProcess serve = ProgramProcess.start(home.resolve("logs"),
                List.of("serve", "--data", data.toString(), "--port", Integer.toString(port),
                        "--management-port", Integer.toString(managementPort)),
                Map.of("ENGINE_API_KEYS", "dev:dev-key:ingest+read+admin,ops:" + SECRET + ":read"))) {
            awaitReady(serve, management);

            Answer optIn = http.post("/events", "dev-key", "{\"customer\":\"c-main\",\"action\":\"opt_in\"}");
            assertThat(optIn.status()).as(optIn.toString()).isEqualTo(200);
            Answer add = http.post("/events", "dev-key",
                    "{\"customer\":\"c-main\",\"action\":\"point_add\",\"data\":{\"points\":7}}");
            assertThat(add.status()).as(add.toString()).isEqualTo(200);
            // the shipped defaults keep the clock fixed
            Answer clock = http.post("/admin/clock", "dev-key", "{\"advance_seconds\":60}");
            assertThat(clock.status()).as(clock.toString()).isEqualTo(403);
            assertThat(clock.errorCode()).isEqualTo("forbidden");
            // a read-only key cannot ingest; its secret never reaches the log
            assertThat(http.post("/events", SECRET, "{\"customer\":\"c-main\",\"action\":\"opt_out\"}").status())
                    .isEqualTo(403);
            assertThat(http.get("/customers/c-main", SECRET).json().get("accounts").get("points")
                    .get("balance").asLong()).isEqualTo(7);

            serve.terminate();
            assertThat(serve.awaitExit(60)).as("exit code of a clean stop").isZero();
            assertThat(serve.stderr())
                    .contains("DEVELOPMENT API key")
                    .contains("api on 0.0.0.0:" + port)
                    .contains("shut down in")
                    .doesNotContain(SECRET);
        }

        try (ProgramProcess replay = ProgramProcess.start(home.resolve("logs"),
                List.of("replay", "--data", data.toString(), "--into", home.resolve("replayed").toString()),
                Map.of())) {
            int exit = replay.awaitExit(120);
            assertThat(replay.stdout()).as(replay.stderr()).contains("identical: yes");
            assertThat(exit).isZero();
        }
    }

    private static void awaitReady(ProgramProcess program, HttpCalls management) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!program.isAlive()) {
                throw new AssertionError("the program exited; stderr:\n" + program.stderr());
            }
            try {
                if (management.get("/health/ready", null).status() == 200) {
                    return;
                }
            } catch (RuntimeException notListeningYet) {
                // connection refused until the management server is up
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not ready within 60 s; stderr:\n" + program.stderr());
    }
}
