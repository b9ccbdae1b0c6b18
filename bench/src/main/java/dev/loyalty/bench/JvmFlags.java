package dev.loyalty.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM flags every JVM that opens the journal needs (Chronicle's list for JDK 17+, no phoning home).
 * One source: the parent pom's {@code chronicle.jvm.flags}, copied into the jar at build time (resource
 * filtering), the same property surefire and failsafe use. {@link BenchMain} appends them to every JMH fork.
 */
public final class JvmFlags {

    private static final String RESOURCE = "/dev/loyalty/bench/jvm.flags";

    private JvmFlags() {
    }

    /** The flags, one per element. */
    public static List<String> forJournal() {
        try (InputStream in = JvmFlags.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath: build the bench module with Maven");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            if (text.contains("${")) {
                throw new IllegalStateException(RESOURCE + " was not filtered by Maven: " + text);
            }
            return Arrays.stream(text.split("\\s+")).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Prints the flags on one line (for scripts: {@code java -cp benchmarks.jar dev.loyalty.bench.JvmFlags}). */
    public static void main(String[] args) {
        System.out.println(String.join(" ", forJournal()));
    }
}
