package dev.loyalty.api;

import dev.loyalty.api.HttpCalls.Answer;
import dev.loyalty.api.it.EngineProcess;
import dev.loyalty.api.it.EngineProcess.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The program as outside checks run it, in its own JVM ({@code bin/engine}): {@code serve} with the shipped
 * defaults on a fresh data folder, SIGTERM, {@code replay}, and configuration errors (exit 2, a message
 * naming the key on standard error, no stack trace).
 */
@Timeout(600)
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
        Result refused = new EngineProcess(home.resolve("data"), Map.of("ENGINE_NOT_A_KEY", "1"))
                .startExpectingRefusal();
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
        assertThat(refused.stderr()).contains("ENGINE_NOT_A_KEY").doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void shouldRefuseAMissingConfigFileWithExitTwo() throws Exception {
        Result refused = new EngineProcess(home.resolve("data"), Map.of(),
                "--config", home.resolve("missing.yaml").toString()).startExpectingRefusal();
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
        assertThat(refused.stderr()).contains("missing.yaml").doesNotContain("\tat ");
    }

    @Test
    void shouldRefuseABadValueNamingTheKey() throws Exception {
        Path config = home.resolve("bad.yaml");
        Files.writeString(config, "api:\n  sync-timeout: soon\n");
        Result refused = new EngineProcess(home.resolve("data"), Map.of(), "--config", config.toString())
                .startExpectingRefusal();
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
        assertThat(refused.stderr()).contains("api.sync-timeout").doesNotContain("\tat ");
    }

    @Test
    void shouldPrintUsage() throws Exception {
        Result usage = EngineProcess.run("--help");
        assertThat(usage.exitCode()).as(usage.output()).isZero();
        assertThat(usage.stdout()).contains("serve").contains("import").contains("export").contains("backup")
                .contains("replay").contains("Exit codes");
    }

    @Test
    void shouldServeWithTheShippedDefaultsStopOnSigtermAndReplayIdentically() throws Exception {
        Path data = home.resolve("data");
        try (EngineProcess serve = new EngineProcess(data,
                Map.of("ENGINE_API_KEYS", "dev:dev-key:ingest+read+admin,ops:" + SECRET + ":read")).start()) {
            HttpCalls http = new HttpCalls(serve.port());

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
                    .contains("api on 0.0.0.0:" + serve.port())
                    .contains("shut down in")
                    .doesNotContain(SECRET);
        }

        Result replay = EngineProcess.run("replay", "--data", data.toString(),
                "--into", home.resolve("replayed").toString());
        assertThat(replay.stdout()).as(replay.stderr()).contains("identical: yes");
        assertThat(replay.exitCode()).isZero();
    }
}
