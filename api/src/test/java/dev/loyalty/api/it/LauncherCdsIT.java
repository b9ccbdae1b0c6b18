package dev.loyalty.api.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bin/engine}'s class-data archive per JDK (issue 11): {@code warm-up} writes an archive named by the
 * JDK that ran it, a start on that JDK maps it (the program's classes come from the "shared objects file"),
 * a start on another JDK is never offered it, and on Java 19+ a server writes its own when it stops
 * (another command does not: it would archive only its own few classes). Runs a copy of
 * {@code bin/engine} in a home of the test's (the packaged jar and libraries linked in), so the build's own
 * archives are left alone. The second JDK is {@code LOYALTY_TEST_JDK21}, else the Temurin 25 these machines
 * carry; those cases are skipped without one.
 */
@Timeout(300)
class LauncherCdsIT {

    private static final String MAIN_LOADED = "dev.loyalty.api.Main source:";

    @TempDir
    static Path trainingRoot;
    private static Path warmedUp;

    @TempDir
    Path home;

    @Test
    void shouldMapTheArchiveTheSameJdkTrainedAndNotOfferItToAnother() throws Exception {
        String jdk = System.getProperty("java.home");
        assumeTrue(Runtime.version().feature() < 19, "the test JVM keeps its own archive (Java 19+)");
        makeHome();
        assertThat(mainSource(jdk)).as("no archive yet").doesNotContain("shared objects file");

        Path trained = trainedArchive(jdk);
        assertThat(trained.getFileName().toString()).contains(Runtime.version().toString());
        Files.copy(trained, home.resolve("api/target").resolve(trained.getFileName()));
        List<Path> archives = archives();
        assertThat(archives).hasSize(1);

        assertThat(mainSource(jdk)).contains("shared objects file");

        // a jar rebuilt after the training: the archive is stale, and not offered
        Files.setLastModifiedTime(archives.get(0), FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        assertThat(mainSource(jdk)).doesNotContain("shared objects file");
    }

    @Test
    void shouldKeepOneArchivePerJdkWithAJava19ServerWritingItsOwn() throws Exception {
        String jdk17 = System.getProperty("java.home");
        assumeTrue(Runtime.version().feature() < 19, "the test JVM is itself Java 19+");
        String jdk25 = newerJdk();
        makeHome();
        Path built = trainedArchive(jdk17);
        Files.copy(built, home.resolve("api/target").resolve(built.getFileName()));
        Path trained = single(archives());
        FileTime trainedAt = Files.getLastModifiedTime(trained);
        long trainedSize = Files.size(trained);

        // another JDK is not offered the first one's archive, and a command other than serve writes none
        assertThat(mainSource(jdk25)).doesNotContain("shared objects file");
        assertThat(archives()).containsExactly(trained);

        // a server on it writes its own when it stops
        serveAndStop(jdk25);
        List<Path> both = archives();
        assertThat(both).hasSize(2).contains(trained);
        assertThat(Files.getLastModifiedTime(trained)).isEqualTo(trainedAt);
        assertThat(Files.size(trained)).isEqualTo(trainedSize);

        // ...which the next start on it maps, while the first JDK still maps its own
        assertThat(mainSource(jdk25)).contains("shared objects file");
        assertThat(mainSource(jdk17)).contains("shared objects file");

        // an archive of an older jar: the JVM would neither map nor rewrite it (fails on the first version
        // of this launcher, which left it in place); the next server writes a fresh one
        Path own = both.stream().filter(f -> !f.equals(trained)).findFirst().orElseThrow();
        Files.setLastModifiedTime(own, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        assertThat(mainSource(jdk25)).doesNotContain("shared objects file");
        serveAndStop(jdk25);
        assertThat(Files.getLastModifiedTime(own).toMillis()).isGreaterThan(System.currentTimeMillis() - 600_000);
        assertThat(mainSource(jdk25)).contains("shared objects file");
    }

    /**
     * The archives are mapped where they were dumped, not relocated to a random address (the default of 17.0.15
     * and 25, which rewrites every pointer in them before the first class loads), and JAVA_OPTS can ask for the
     * relocation back.
     */
    @Test
    void shouldMapTheArchivesWithoutRelocatingThem() throws Exception {
        String jdk = System.getProperty("java.home");
        makeHome();
        String relocated = "at an alternative address";

        Result fixed = run(jdk, "-Xlog:cds=info", "--version");
        assertThat(fixed.exitCode).as(fixed.output).isZero();
        assertThat(fixed.output).contains("Mapped static").doesNotContain(relocated);

        Result randomised = run(jdk, "-Xlog:cds=info -XX:ArchiveRelocationMode=1", "--version");
        assertThat(randomised.exitCode).as(randomised.output).isZero();
        assertThat(randomised.output).contains(relocated);
    }

    /**
     * The archive {@code bin/engine warm-up} writes on {@code jdk}: the build's own when its packaging ran the
     * warm-up on this JDK (the same command; an archive newer than the jar and named by this JDK's version),
     * else one a warm-up run writes now in a home of this class's. Made once for both tests: a warm-up is a
     * whole training start of the program.
     */
    private static synchronized Path trainedArchive(String jdk) throws Exception {
        if (warmedUp == null) {
            Path builtJar = EngineProcess.home().resolve("api/target/loyalty-engine.jar");
            try (Stream<Path> files = Files.list(builtJar.getParent())) {
                List<Path> built = files.filter(f -> f.getFileName().toString().endsWith(".jsa")
                        && f.getFileName().toString().contains(Runtime.version().toString())
                        && newer(f, builtJar)).toList();
                warmedUp = built.size() == 1 ? built.get(0) : warmUpNow(jdk);
            }
        }
        return warmedUp;
    }

    private static boolean newer(Path file, Path than) {
        try {
            return Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(than)) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path warmUpNow(String jdk) throws Exception {
        Path trainingHome = Files.createDirectories(trainingRoot.resolve("training"));
        makeHome(trainingHome);
        Result warmUp = run(trainingHome, jdk, "", "warm-up");
        assertThat(warmUp.exitCode).as(warmUp.output).isZero();
        List<Path> archives = archives(trainingHome);
        assertThat(archives).as(warmUp.output).hasSize(1);
        return archives.get(0);
    }

    /** Where the JVM took the program's main class from: a {@code -Xlog:class+load} line of a {@code --version} run. */
    private String mainSource(String jdk) throws Exception {
        Result result = run(jdk, "-Xlog:class+load=info", "--version");
        assertThat(result.exitCode).as(result.output).isZero();
        return result.output.lines().filter(line -> line.contains(MAIN_LOADED)).findFirst()
                .orElseThrow(() -> new AssertionError("Main never loaded:\n" + result.output));
    }

    /** {@code bin/engine serve} until {@code /health/ready} answers 200, then SIGTERM and its exit. */
    private void serveAndStop(String jdk) throws Exception {
        int port = freePort();
        int managementPort = freePort();
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/engine").toString(), "serve",
                "--data", home.resolve("data").toString(), "--port", Integer.toString(port),
                "--management-port", Integer.toString(managementPort))
                .redirectErrorStream(true).redirectOutput(home.resolve("serve.log").toFile());
        pb.environment().keySet().removeIf(name -> name.startsWith("ENGINE_"));
        pb.environment().putAll(Map.of("LOYALTY_JAVA_HOME", jdk, "JAVA_OPTS", ""));
        Process process = pb.start();
        try {
            EngineProcess.awaitReady(process, managementPort, home.resolve("serve.log"));
            process.destroy();
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("stopped").isTrue();
        } finally {
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void makeHome() throws IOException {
        makeHome(home);
    }

    private static void makeHome(Path home) throws IOException {
        Path real = EngineProcess.home();
        Path bin = Files.createDirectories(home.resolve("bin"));
        Files.copy(real.resolve("bin/engine"), bin.resolve("engine"), StandardCopyOption.COPY_ATTRIBUTES);
        Path target = Files.createDirectories(home.resolve("api/target"));
        Path jar = real.resolve("api/target/loyalty-engine.jar");
        assertThat(jar).as("package the program first").exists();
        Files.createSymbolicLink(target.resolve("loyalty-engine.jar"), jar);
        Files.createSymbolicLink(target.resolve("lib"), real.resolve("api/target/lib"));
    }

    private List<Path> archives() throws IOException {
        return archives(home);
    }

    private static List<Path> archives(Path home) throws IOException {
        try (Stream<Path> files = Files.list(home.resolve("api/target"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsa")).sorted().toList();
        }
    }

    private static Path single(List<Path> archives) {
        assertThat(archives).hasSize(1);
        return archives.get(0);
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(String jdk, String javaOpts, String... args) throws Exception {
        return run(home, jdk, javaOpts, args);
    }

    private static Result run(Path home, String jdk, String javaOpts, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/engine").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(home.resolve("run.log").toFile());
        pb.environment().keySet().removeIf(name -> name.startsWith("ENGINE_"));
        pb.environment().putAll(Map.of("LOYALTY_JAVA_HOME", jdk, "JAVA_OPTS", javaOpts));
        Process process = pb.start();
        if (!process.waitFor(240, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/engine " + String.join(" ", args) + " did not exit within 240 s");
        }
        return new Result(process.exitValue(), Files.readString(home.resolve("run.log")));
    }

    private static String newerJdk() {
        String configured = System.getenv("LOYALTY_TEST_JDK21");
        Path jdk = Path.of(configured != null ? configured : "/usr/lib/jvm/temurin-25-jdk-amd64");
        assumeTrue(Files.isExecutable(jdk.resolve("bin/java")), "no JDK 19+ at " + jdk);
        return jdk.toString();
    }
}
