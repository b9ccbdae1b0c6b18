package dev.loyalty.api.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bin/engine}'s collector choice (issue 12), read from the JVM's own {@code -XX:+PrintCommandLineFlags}
 * line of a {@code --version} run: G1 with a 10 ms pause goal below Java 21, generational ZGC from 21 on,
 * {@code LOYALTY_GC} to choose, a collector in {@code JAVA_OPTS} deciding alone. The Java 21+ cases need a
 * JDK 21+ (the test JVM's, else {@code LOYALTY_TEST_JDK21}, else the Temurin 25 these machines carry) and are
 * skipped without one; the Java 17 cases need the test JVM to be 17-20. A replay also asks for transparent huge
 * pages where the OS grants them on request, a serving engine does not, and compiles without tiers (C2 alone).
 */
@Timeout(300)
class LauncherGcIT {

    private static final String FLAGS = "-XX:+PrintCommandLineFlags";

    @Test
    void shouldRunG1WithAPauseGoalBelowJava21() throws Exception {
        String jdk = jdkBelow21();
        String flags = flags(run(jdk, FLAGS, ""));
        assertThat(flags).contains("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=10").doesNotContain("UseZGC");
    }

    @Test
    void shouldRefuseZgcBelowJava21() throws Exception {
        EngineProcess.Result result = run(jdkBelow21(), "", "zgc");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("LOYALTY_GC=zgc needs Java 21 or newer");
    }

    @Test
    void shouldRunGenerationalZgcFromJava21() throws Exception {
        String flags = flags(run(jdk21OrNewer(), FLAGS, ""));
        assertThat(flags).contains("-XX:+UseZGC").doesNotContain("UseG1GC");
    }

    @Test
    void shouldRunG1WhenAskedFromJava21() throws Exception {
        String flags = flags(run(jdk21OrNewer(), FLAGS, "g1"));
        assertThat(flags).contains("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=10").doesNotContain("UseZGC");
    }

    @Test
    void shouldLeaveTheCollectorToJavaOptsWhenItNamesOne() throws Exception {
        // G1's name has a digit: a pattern of letters only missed it and added a second collector
        String flags = flags(run(jdk21OrNewer(), FLAGS + " -XX:+UseG1GC", "zgc"));
        assertThat(flags).contains("-XX:+UseG1GC").doesNotContain("UseZGC", "MaxGCPauseMillis");
    }

    @Test
    void shouldRefuseAnUnknownCollectorName() throws Exception {
        EngineProcess.Result result = run(jdkBelow21OrAny(), "", "shenandoah");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("LOYALTY_GC must be g1 or zgc");
    }

    @Test
    void shouldAskForHugePagesForAReplayOnly() throws Exception {
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        assumeTrue(Files.isReadable(thp) && Files.readString(thp).matches("(?s).*\\[(madvise|always)\\].*"),
                "the OS grants no transparent huge pages on request");
        assertReplayOnlyFlag("-XX:+UseTransparentHugePages", "TransparentHugePages", "-XX:-UseTransparentHugePages");
    }

    @Test
    void shouldCompileAReplayWithoutTiersOnly() throws Exception {
        assertReplayOnlyFlag("-XX:-TieredCompilation", "TieredCompilation", "-XX:+TieredCompilation");
    }

    /**
     * {@code bin/engine} adds {@code added} to a replay's flags and not to another command's, and a {@code JAVA_OPTS}
     * naming {@code name} ({@code own}) decides alone.
     */
    private static void assertReplayOnlyFlag(String added, String name, String own) throws Exception {
        String jdk = jdkBelow21OrAny();
        Map<String, String> g1 = Map.of("LOYALTY_JAVA_HOME", jdk, "JAVA_OPTS", FLAGS, "LOYALTY_GC", "g1");
        assertThat(flags(EngineProcess.run(g1, "replay", "--help"))).contains(added);
        assertThat(flags(EngineProcess.run(g1, "--version"))).doesNotContain(name);
        Map<String, String> mine = Map.of("LOYALTY_JAVA_HOME", jdk, "JAVA_OPTS", FLAGS + " " + own, "LOYALTY_GC", "g1");
        assertThat(flags(EngineProcess.run(mine, "replay", "--help"))).contains(own).doesNotContain(added);
    }

    private static EngineProcess.Result run(String jdk, String javaOpts, String gc) throws Exception {
        return EngineProcess.run(Map.of("LOYALTY_JAVA_HOME", jdk, "JAVA_OPTS", javaOpts, "LOYALTY_GC", gc),
                "--version");
    }

    /** The JVM's flag line (it starts with -XX:); fails with the whole output when the run failed. */
    private static String flags(EngineProcess.Result result) {
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.stdout().lines().filter(line -> line.startsWith("-XX:")).findFirst()
                .orElseThrow(() -> new AssertionError("no flag line in:\n" + result.output()));
    }

    private static String jdkBelow21() {
        assumeTrue(Runtime.version().feature() < 21, "the test JVM is Java 21 or newer");
        return System.getProperty("java.home");
    }

    private static String jdkBelow21OrAny() {
        return System.getProperty("java.home");
    }

    private static String jdk21OrNewer() {
        if (Runtime.version().feature() >= 21) {
            return System.getProperty("java.home");
        }
        String configured = System.getenv("LOYALTY_TEST_JDK21");
        Path jdk = Path.of(configured != null ? configured : "/usr/lib/jvm/temurin-25-jdk-amd64");
        assumeTrue(Files.isExecutable(jdk.resolve("bin/java")), "no JDK 21+ at " + jdk);
        return jdk.toString();
    }
}
