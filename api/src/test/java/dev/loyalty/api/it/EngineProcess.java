package dev.loyalty.api.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.api.OpenApiContract;
import dev.loyalty.engine.testing.Eventually;

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
 * The one launcher of the real program as its own process, started as outside checks start it:
 * {@code bin/engine} (the packaged program), on free loopback ports and a data folder of the test's.
 * Talks to it over real HTTP; every exchange is held
 * to docs/openapi.yaml ({@link OpenApiContract}). Standard output and standard error go to separate files next to the data
 * folder ({@code <data>.stdout.log}, {@code <data>.stderr.log}; appended across restarts on one folder).
 * The program gets this environment without its {@code ENGINE_*} variables (they are configuration keys),
 * {@code JAVA_OPTS} C1-only when unset, plus the test's. Every wait is bounded: a program that hangs fails the
 * test, never the build.
 */
public final class EngineProcess implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final long EXIT_SECONDS = 60;
    private static final long RUN_SECONDS = 300;
    /**
     * The JIT of the programs these tests start, unless the environment (or the test) sets {@code JAVA_OPTS}:
     * C1 only. A test's program lives seconds and is checked for behaviour, not speed; C2 compiling a start's
     * code cost a third of its CPU (bin/engine serve to ready: 5.2 CPU-s with C2, 3.3 with C1 only, the class
     * data archive mapped either way; bench/results/2026-12-07-ci-time.txt).
     */
    private static final String JAVA_OPTS = "-XX:TieredStopAtLevel=1";

    private final Path data;
    private final Path stdout;
    private final Path stderr;
    private final Map<String, String> env;
    private final List<String> extraArgs;
    private final int port;
    private final int managementPort;
    private Process process;

    /** A response: status, parsed body (null when empty or not JSON) and headers. */
    public record Response(int status, JsonNode body, HttpResponse<String> raw) {
    }

    /** Exit code and the two output streams of a finished command. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** Both streams, standard output first. */
        public String output() {
            return stdout + stderr;
        }
    }

    public EngineProcess(Path data, Map<String, String> env, String... extraArgs) {
        this(data, port -> env, extraArgs);
    }

    /** A program whose environment names its own API port (a cluster node's {@code ENGINE_CLUSTER_ADVERTISED_URL}). */
    public EngineProcess(Path data, java.util.function.IntFunction<Map<String, String>> envForPort,
                         String... extraArgs) {
        this.data = data;
        this.stdout = data.resolveSibling(data.getFileName() + ".stdout.log");
        this.stderr = data.resolveSibling(data.getFileName() + ".stderr.log");
        this.extraArgs = List.of(extraArgs);
        this.port = freePort();
        this.managementPort = freePort();
        this.env = envForPort.apply(port);
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

    /**
     * Starts {@code serve} and waits until /health/ready answers 200; fails at once if the program exits. A
     * program that does not get ready in time is killed before the failure is thrown: the caller never got
     * this object to close, and a live one would hold its ports and data folder past the test.
     */
    public EngineProcess start() throws IOException {
        process = launch();
        try {
            Eventually.until("the program ready (/health/ready 200)", Eventually.START, this::ready, () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("the program exited with " + process.exitValue() + ":\n" + log());
                }
            });
        } catch (RuntimeException | Error notReady) {
            killQuietly(notReady);
            throw notReady;
        }
        return this;
    }

    /**
     * Waits (bounded, {@link Eventually#START}) until a {@code bin/engine serve} started by the test itself (from another
     * program home or JDK) answers {@code /health/ready} 200 on that management port; fails with its log if it exits.
     */
    public static void awaitReady(Process process, int managementPort, Path log) {
        HttpRequest ready = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/health/ready")).build();
        Eventually.until("the server ready", Eventually.START, () -> {
            try {
                return CLIENT.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        }, () -> {
            if (!process.isAlive()) {
                throw new AssertionError("serve exited:\n" + Files.readString(log));
            }
        });
    }

    private void killQuietly(Throwable cause) {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cause.addSuppressed(e);
        }
    }

    private boolean ready() throws InterruptedException {
        try {
            return management("/health/ready").status() == 200;
        } catch (IOException notListeningYet) {
            return false;
        }
    }

    /**
     * Starts {@code serve} expecting it to refuse: waits for its exit (at most 60 s, else it is killed and
     * the test fails) and returns the exit code with its output.
     */
    public Result startExpectingRefusal() throws IOException, InterruptedException {
        process = launch();
        if (!process.waitFor(EXIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the program started although it should have refused:\n" + log());
        }
        return new Result(process.exitValue(), read(stdout), read(stderr));
    }

    private Process launch() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(home().resolve("bin/engine").toString(), "serve",
                "--data", data.toString(), "--port", Integer.toString(port),
                "--management-port", Integer.toString(managementPort)));
        cmd.addAll(extraArgs);
        Files.createDirectories(data.toAbsolutePath().getParent());
        return builder(cmd, env)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                .start();
    }

    private static ProcessBuilder builder(List<String> cmd, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(name -> name.startsWith("ENGINE_"));
        pb.environment().putIfAbsent("JAVA_OPTS", JAVA_OPTS);
        pb.environment().putAll(env);
        return pb;
    }

    /** What the program wrote so far, all runs on this data folder: standard output, then standard error. */
    public String log() {
        return read(stdout) + read(stderr);
    }

    /** Standard output of all runs on this data folder so far. */
    public String stdout() {
        return read(stdout);
    }

    /** Standard error (the program's log) of all runs on this data folder so far. */
    public String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** SIGKILL: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, as a container or service manager stops it; does not wait. */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the exit; kills the program and fails the test after {@code seconds}. */
    public int awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the program did not exit within " + seconds + " s:\n" + log());
        }
        return process.exitValue();
    }

    /** SIGTERM and wait for the graceful shutdown; returns the exit code (killed after 60 s). */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(EXIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public Response management(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(30)).GET().build());
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
    public static Result run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), args);
    }

    /**
     * {@link #run(String...)} with extra environment variables (ENGINE_* configuration). Output goes to
     * files, not pipes, so a command that hangs is killed after 300 s instead of blocking a pipe reader.
     */
    public static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(home().resolve("bin/engine").toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("engine-run", ".stdout");
        Path err = Files.createTempFile("engine-run", ".stderr");
        try {
            Process p = builder(cmd, env).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(RUN_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("bin/engine " + String.join(" ", args) + " did not finish within "
                        + RUN_SECONDS + " s:\n" + read(out) + read(err));
            }
            return new Result(p.exitValue(), read(out), read(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
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
