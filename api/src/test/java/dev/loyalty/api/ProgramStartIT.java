package dev.loyalty.api;

import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The program's start in this JVM with Vert.x built beside the engine and the two servers started side by side:
 * a refused start (the engine's, or a port's) leaves no Vert.x thread and no port behind, and a start that
 * succeeds is ready only with both servers listening.
 */
@Timeout(300)
class ProgramStartIT {

    private Path home;

    @BeforeEach
    void createHome() throws Exception {
        home = Files.createTempDirectory("program-start-it");
    }

    @AfterEach
    void deleteHome() {
        TestFolders.deleteRecursively(home);
    }

    @Test
    void shouldStopVertxWhenTheEngineRefusesToStart() throws Exception {
        Path data = home.resolve("data");
        Program running = Program.start(config(TestFolders.freePort(), TestFolders.freePort(), data));
        try {
            long before = vertxThreads();
            // the folder is in use: the second engine refuses while its Vert.x is (being) built
            EngineConfig second = config(TestFolders.freePort(), TestFolders.freePort(), data);
            assertThatThrownBy(() -> Program.start(second)).isInstanceOf(RuntimeException.class);
            Eventually.until("the refused start's Vert.x stopped", Eventually.START, () -> vertxThreads() <= before);
        } finally {
            running.stop();
        }
    }

    @Test
    void shouldReleaseTheManagementPortWhenTheApiPortIsTaken() throws Exception {
        long before = vertxThreads();
        int managementPort = TestFolders.freePort();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
            EngineConfig config = config(taken.getLocalPort(), managementPort, home.resolve("data"));
            assertThatThrownBy(() -> Program.start(config)).hasMessageContaining("api.port");
        }
        Eventually.until("Vert.x stopped after the refused start", Eventually.START, () -> vertxThreads() <= before);
        try (ServerSocket again = new ServerSocket(managementPort, 50, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).as("the management port is free again").isEqualTo(managementPort);
        }
    }

    @Test
    void shouldBeReadyWithBothServersListening() throws Exception {
        int port = TestFolders.freePort();
        int managementPort = TestFolders.freePort();
        Program program = Program.start(config(port, managementPort, home.resolve("data")));
        try {
            HttpCalls management = new HttpCalls(managementPort);
            Eventually.until("ready", Eventually.START, () -> management.get("/health/ready", null).status() == 200);
            assertThat(new HttpCalls(port).get("/stats", "dev-key").status()).isEqualTo(200);
        } finally {
            program.stop();
        }
    }

    private static EngineConfig config(int port, int managementPort, Path data) {
        return ProgramConfig.load(null, Map.of(), Map.of(
                "api.port", Integer.toString(port), "management.port", Integer.toString(managementPort),
                "data-dir", data.toString(), "partitions", "2"));
    }

    private static long vertxThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && (t.getName().startsWith("vert.x-") || t.getName().startsWith("vertx-"))).count();
    }
}
