package dev.loyalty.api.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.api.OpenApiContract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real program started as outside checks start it: {@code bin/engine serve} in its own process, on
 * free loopback ports and a data folder of the test's. Talks to it over real HTTP; every exchange is held
 * to docs/openapi.yaml ({@link OpenApiContract}).
 */
public final class EngineProcess implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path data;
    private final Path log;
    private final Map<String, String> env;
    private final List<String> extraArgs;
    private final int port;
    private final int managementPort;
    private Process process;

    /** A response: status, parsed body (null when empty or not JSON) and headers. */
    public record Response(int status, JsonNode body, HttpResponse<String> raw) {
    }

    public EngineProcess(Path data, Map<String, String> env, String... extraArgs) {
        this.data = data;
        this.log = data.resolveSibling(data.getFileName() + ".log");
        this.env = env;
        this.extraArgs = List.of(extraArgs);
        this.port = freePort();
        this.managementPort = freePort();
    }

    /** Repository root (set by the build; falls back to the parent of the module folder). */
    public static Path home() {
        String h = System.getProperty("engine.home");
        return (h != null ? Path.of(h) : Path.of("..")).toAbsolutePath().normalize();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public int managementPort() {
        return managementPort;
    }

    public Path data() {
        return data;
    }

    /** Starts the program and waits until /health/ready answers 200. */
    public EngineProcess start() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home().resolve("bin/engine").toString(), "serve",
                "--data", data.toString(), "--port", Integer.toString(port),
                "--management-port", Integer.toString(managementPort)));
        cmd.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("engine exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                if (management("/health/ready").status() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("engine not ready within 60 s:\n" + log());
    }

    /**
     * Starts the program expecting it to refuse: waits for its exit (at most 60 s, else it is killed and
     * the test fails) and returns the exit code with the log.
     */
    public Result startExpectingRefusal() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home().resolve("bin/engine").toString(), "serve",
                "--data", data.toString(), "--port", Integer.toString(port),
                "--management-port", Integer.toString(managementPort)));
        cmd.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        process = pb.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the engine started although it should have refused:\n" + log());
        }
        return new Result(process.exitValue(), log());
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** SIGKILL: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait for the graceful shutdown; returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public Response management(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).GET().build());
    }

    public Response get(String path, String key) throws IOException, InterruptedException {
        return send(request(path, key).GET().build());
    }

    public Response post(String path, String key, String body) throws IOException, InterruptedException {
        return send(request(path, key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public HttpRequest.Builder request(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return b;
    }

    public static Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        OpenApiContract.check(request, r);
        JsonNode body = null;
        if (!r.body().isEmpty()) {
            try {
                body = JSON.readTree(r.body());
            } catch (IOException notJson) {
                body = null;
            }
        }
        return new Response(r.statusCode(), body, r);
    }

    /** Runs {@code bin/engine} with those arguments to completion; returns exit code and output. */
    public static Result run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    /** {@link #run(String...)} with extra environment variables (ENGINE_* configuration). */
    public static Result run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(home().resolve("bin/engine").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("bin/engine " + String.join(" ", args) + " did not finish");
        }
        return new Result(p.exitValue(), out);
    }

    /** Exit code and output of a command. */
    public record Result(int exitCode, String output) {
    }

    @Override
    public void close() {
        if (alive()) {
            try {
                stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
