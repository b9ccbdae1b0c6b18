package dev.loyalty.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Main class of {@code benchmarks.jar}: JMH's own command line ({@code -h} lists the options), with
 * {@link JvmFlags#forJournal()} appended to every fork's JVM arguments, so no benchmark has to repeat them
 * in {@code @Fork(jvmArgsAppend)}. A {@code -jvmArgsAppend} given on the command line is kept and extended.
 */
public final class BenchMain {

    private static final String APPEND = "-jvmArgsAppend";

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        org.openjdk.jmh.Main.main(withJournalFlags(args));
    }

    static String[] withJournalFlags(String[] args) {
        String flags = String.join(" ", JvmFlags.forJournal());
        List<String> out = new ArrayList<>(Arrays.asList(args));
        int at = out.indexOf(APPEND);
        if (at >= 0 && at + 1 < out.size()) {
            out.set(at + 1, out.get(at + 1) + " " + flags);
        } else {
            out.add(0, APPEND);
            out.add(1, flags);
        }
        return out.toArray(String[]::new);
    }
}
