package dev.loyalty.api;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress report on stderr for the long-running commands: done so far, rate, and, when the total is
 * known, a bar, the percentage and the time left. On a terminal one line is redrawn a few times a second;
 * otherwise (a log, a pipe) a line is printed every {@link #LOG_INTERVAL_NS}, so logs stay short.
 * Single-threaded.
 */
final class ProgressLine {
    private static final long TERMINAL_INTERVAL_NS = 250_000_000L;
    private static final long LOG_INTERVAL_NS = 1_000_000_000L;
    private static final int BAR = 24;

    private final PrintStream out;
    private final String what;
    private final String unit;
    private final boolean terminal;
    private final long startNs = System.nanoTime();
    private final long startDone;
    private long lastPrintNs;
    private boolean drawn;

    /**
     * @param what       what is in progress ({@code import}, {@code replay})
     * @param unit       what is counted ({@code lines}, {@code records})
     * @param startDone  the count at the start (a replay from a backup starts past 0): the rate counts from it
     */
    ProgressLine(PrintStream out, String what, String unit, long startDone) {
        this.out = out;
        this.what = what;
        this.unit = unit;
        this.startDone = startDone;
        this.terminal = System.console() != null;
        this.lastPrintNs = startNs;
    }

    /**
     * Reports progress; prints only when the interval has passed.
     *
     * @param count     what is counted, so far
     * @param fraction  share of the whole work done (0..1), or NaN when the whole is unknown
     */
    void update(long count, double fraction) {
        long now = System.nanoTime();
        if (now - lastPrintNs < (terminal ? TERMINAL_INTERVAL_NS : LOG_INTERVAL_NS)) {
            return;
        }
        lastPrintNs = now;
        print(count, fraction, now, false);
    }

    /** Prints the final state, always. */
    void finish(long count, double fraction) {
        print(count, fraction, System.nanoTime(), true);
    }

    private void print(long count, double fraction, long nowNs, boolean last) {
        double seconds = Math.max(1e-3, (nowNs - startNs) / 1e9);
        double rate = Math.max(0, count - startDone) / seconds;
        StringBuilder sb = new StringBuilder(96);
        sb.append(what).append(": ");
        boolean known = !Double.isNaN(fraction);
        double f = known ? Math.min(1.0, Math.max(0, fraction)) : 0;
        if (known) {
            int filled = (int) Math.round(f * BAR);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(BAR - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%3.0f%% ", f * 100));
        }
        sb.append(String.format(Locale.ROOT, "%,d %s, %,.0f %s/s", count, unit, rate, unit));
        if (known && !last && f > 0.001 && f < 1) {
            sb.append(", ").append(eta((long) (seconds * (1 - f) / f))).append(" left");
        }
        if (last) {
            sb.append(String.format(Locale.ROOT, ", %.1f s", seconds));
        }
        if (terminal) {
            out.print("\r" + sb + "   ");
            drawn = true;
            if (last) {
                out.println();
            }
        } else {
            out.println(sb);
        }
        out.flush();
    }

    /** Ends a redrawn line before other output (a terminal only). */
    void breakLine() {
        if (terminal && drawn) {
            out.println();
            drawn = false;
        }
    }

    private static String eta(long seconds) {
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
