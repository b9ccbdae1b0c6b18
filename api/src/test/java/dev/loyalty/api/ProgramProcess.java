package dev.loyalty.api;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The program in its own JVM, started the way {@code bin/engine} starts it: {@code java … dev.loyalty.api.Main}
 * with the test's classpath and the JVM flags the test JVM got (Chronicle's list). Output goes to files.
 */
final class ProgramProcess implements AutoCloseable {

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ProgramProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code Main} with {@code args}; {@code env} is added to a copy of this environment without ENGINE_*. */
    static ProgramProcess start(Path logDir, List<String> args, Map<String, String> env) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle.") || arg.startsWith("--enable-native-access")
                    || arg.startsWith("--sun-misc-unsafe-memory-access")) {
                command.add(arg);
            }
        }
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(classPath());
        command.add(Main.class.getName());
        command.addAll(args);
        try {
            Files.createDirectories(logDir);
            Path out = Files.createTempFile(logDir, "stdout", ".txt");
            Path err = Files.createTempFile(logDir, "stderr", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("ENGINE_"));
            builder.environment().putAll(env);
            return new ProgramProcess(builder.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The test classpath: surefire/failsafe's real one when the JVM runs from a manifest-only jar. */
    private static String classPath() {
        String testPath = System.getProperty("surefire.test.class.path");
        String path = testPath != null && !testPath.isBlank() ? testPath : System.getProperty("java.class.path");
        return String.join(File.pathSeparator, path.split(File.pathSeparator));
    }

    /** Waits for the exit; fails the test after {@code seconds}. */
    int awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the program did not exit within " + seconds + " s; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    /** SIGTERM, as a container or service manager stops it. */
    void terminate() {
        process.destroy();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
