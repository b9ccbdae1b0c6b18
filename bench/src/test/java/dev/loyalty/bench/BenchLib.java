package dev.loyalty.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs a command in bash with bench/lib.sh sourced, as the bench scripts do; fails on a non-zero exit. */
final class BenchLib {

    private static final Path LIB = Paths.get("lib.sh").toAbsolutePath();

    private BenchLib() {
    }

    /** The command's output (stdout and stderr), trimmed. */
    static String run(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", ". '" + LIB + "' && " + command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
