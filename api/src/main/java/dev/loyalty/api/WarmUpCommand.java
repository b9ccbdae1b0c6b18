package dev.loyalty.api;

import dev.loyalty.api.logging.ProgramLogging;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import org.slf4j.event.Level;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code warm-up} (hidden): the training run of the class-data archive. Starts the program with the
 * shipped configuration on an empty temporary data folder and loopback ports, sends one event through
 * the HTTP API, stops, and deletes the folder. {@code bin/engine warm-up} runs it with
 * {@code -XX:ArchiveClassesAtExit}, so that the classes a start and a first request load are archived in
 * {@code api/target/loyalty-engine-jdk-<build>-<checksum>.jsa} (one per JDK), which {@code bin/engine} then
 * maps at every start (about a second less to ready on a 2-core machine). The build runs it after packaging.
 */
@Command(name = "warm-up", hidden = true, mixinStandardHelpOptions = true,
        description = "Start on a temporary data folder, send one event, stop (training run of the class-data archive).")
final class WarmUpCommand implements Callable<Integer> {

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("engine-warm-up");
        try {
            int apiPort = freePort();
            int managementPort = freePort();
            // The environment is left out on purpose: ENGINE_* settings of the build machine are not the program's.
            EngineConfig config = ProgramConfig.load(null, Map.of(), new ProgramConfig.Overrides()
                    .put("data-dir", dir.resolve("data"))
                    .put("api.host", "127.0.0.1")
                    .put("api.port", apiPort)
                    .put("management.host", "127.0.0.1")
                    .put("management.port", managementPort)
                    .toMap());
            ProgramLogging.configure(config.log());
            ProgramLogging.threshold(Level.ERROR);
            Program program = Program.start(config);
            try {
                HttpClient client = HttpClient.newHttpClient();
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + apiPort + "/events"))
                        .header("Authorization", "Bearer " + ConfigLoader.DEVELOPMENT_KEY)
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"customer\":\"warm-up\",\"action\":\"opt_in\",\"id\":\"warm-up-1\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    System.err.println("warm-up: POST /events answered " + response.statusCode() + ": " + response.body());
                    return Main.EXIT_FAILED;
                }
            } finally {
                program.stop();
            }
            return 0;
        } finally {
            deleteTree(dir);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("warm-up: cannot delete " + root, e);
        }
    }
}
