package dev.loyalty.bench.load;

import dev.loyalty.bench.load.EngineProbe.Sample;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * {@code run}: drives the API with the realistic mix for a while and prints what it measured, ending with
 * one {@code RESULT key=value ...} line for scripts.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Send the realistic mix at a constant rate (open loop) or as fast as answered (closed loop).")
final class RunCommand implements Callable<Integer> {

    /** What each request is. */
    enum Mode {
        SYNC("/events", false), ASYNC("/events?mode=async", false),
        BULK("/events/bulk", true), BULK_ASYNC("/events/bulk?mode=async", true);

        final String path;
        final boolean bulk;

        Mode(String path, boolean bulk) {
            this.path = path;
            this.bulk = bulk;
        }

        static Mode of(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    @Mixin
    Target target;

    @Option(names = "--mode", description = "sync | async | bulk | bulk-async (default ${DEFAULT-VALUE}).")
    String mode = "sync";

    @Option(names = "--rate", description = "Requests per second, constant (open loop); 0 = closed loop, "
            + "each connection sends again when answered (default ${DEFAULT-VALUE}).")
    double rate = 0;

    @Option(names = "--duration", description = "Measured window (default 30s).")
    Duration duration = Duration.ofSeconds(30);

    @Option(names = "--warmup", description = "Load before the window, not recorded; "
            + "also warms the harness's own JIT (default 10s).")
    Duration warmup = Duration.ofSeconds(10);

    @Option(names = "--drain", description = "Wait for answers after the window (default 10s).")
    Duration drain = Duration.ofSeconds(10);

    @Option(names = "--customers", description = "Pre-loaded customers to draw from, c-0 .. c-(n-1) (default ${DEFAULT-VALUE}).")
    long customers = 1_000_000;

    @Option(names = "--bulk-size", description = "Events per bulk request (default ${DEFAULT-VALUE}).")
    int bulkSize = 100;

    @Option(names = "--ids", negatable = true, description = "Give every event an idempotency id (default true).")
    boolean ids = true;

    @Option(names = "--max-outstanding", description = "Open loop: most requests waiting for a connection or "
            + "an answer; past it, due requests are dropped and counted (default ${DEFAULT-VALUE}).")
    int maxOutstanding = 100_000;

    @Option(names = "--label", description = "Name of this run in the RESULT line.")
    String label = "run";

    @Option(names = "--progress", description = "Print a line per second.")
    boolean progress;

    @Option(names = "--timeline", description = "Write the window as CSV slices to this file: wall-clock ms, "
            + "requests due and answered, slowest response and service time of those due (lines a stall up with "
            + "the engine's logs, metrics and JFR).")
    java.nio.file.Path timelineFile;

    @Option(names = "--timeline-slice", description = "Slice length of --timeline (default 10ms).")
    Duration timelineSlice = Duration.ofMillis(10);

    private final AtomicInteger mixes = new AtomicInteger();
    private final String runTag = Long.toString(System.currentTimeMillis() % 100_000_000L, 36)
            + Integer.toString(ThreadLocalRandom.current().nextInt(1296), 36);

    @Override
    public Integer call() throws Exception {
        Mode m = Mode.of(mode);
        PrintStream out = System.out;
        ThreadLocal<EventMix> mix = ThreadLocal.withInitial(() -> {
            int n = mixes.incrementAndGet();
            return new EventMix(customers, runTag + "x" + n, ids, ThreadLocalRandom.current().nextLong());
        });
        Supplier<byte[]> bodies = m.bulk ? () -> mix.get().bulk(bulkSize) : () -> mix.get().single();
        LoadGenerator.Plan plan = new LoadGenerator.Plan(rate, warmup.toNanos(), duration.toNanos(),
                target.connections, maxOutstanding, drain.toNanos());
        Target t = target;
        try (t) {
            t.open();
            LoadGenerator load = new LoadGenerator(t.client(), t.contexts(), t.connectOptions(), t.post(m.path),
                    bodies, m.bulk, plan);
            if (timelineFile != null) {
                load.timeline(timelineSlice.toNanos());
            }
            EngineProbe probe = t.management == null ? null : t.probe(true);
            Figures figures = new Figures();
            ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "harness-report");
                thread.setDaemon(true);
                return thread;
            });
            out.printf(Locale.ROOT, "== %s: %s %s, %s, %d connections, %d s window after %d s warm-up, %d customers%s%n",
                    label, m.name().toLowerCase(Locale.ROOT).replace('_', '-'), m.path,
                    rate > 0 ? String.format(Locale.ROOT, "constant rate %.0f req/s (open loop, latency from intended send time)", rate)
                            : "closed loop (as fast as answered)",
                    target.connections, duration.toSeconds(), warmup.toSeconds(), customers,
                    m.bulk ? ", " + bulkSize + " events per request" : "");
            long t0 = System.nanoTime();
            // fixed delay, not fixed rate: a late tick must not be followed by a burst of catch-up ticks
            reporter.scheduleWithFixedDelay(() -> tick(load, probe, figures, t0), 1, 1, TimeUnit.SECONDS);
            load.run();
            reporter.shutdown();
            reporter.awaitTermination(30, TimeUnit.SECONDS);
            load.interval();
            if (probe != null && figures.end == null) {
                figures.end = probe.sample(); // the run ended before a tick after the window
            }
            report(out, m, load, figures);
            if (load.timeline() != null) {
                load.timeline().write(timelineFile);
                out.printf(Locale.ROOT, "timeline      %s%n", timelineFile);
            }
        }
        return 0;
    }

    /** Engine readings and per-second lines; on the reporting thread. */
    private void tick(LoadGenerator load, EngineProbe probe, Figures figures, long t0) {
        try {
            Histogram interval = load.interval();
            long now = System.nanoTime();
            Sample s = null;
            if (probe != null) {
                s = probe.sample();
                // rates use the samples' own times, so a tick a little late costs no accuracy
                if (now >= load.measureStartNs() && figures.start == null) {
                    figures.start = s;
                }
                if (now >= load.measureStartNs() && figures.end == null) {
                    figures.window.add(s);
                }
                if (now >= load.measureEndNs() && figures.end == null) {
                    figures.end = s;
                }
            }
            if (progress) {
                long answers = load.answeredAll();
                System.out.printf(Locale.ROOT, "  t=%3ds %s answers=%6d p99=%8.3f ms outstanding=%6d%s%n",
                        TimeUnit.NANOSECONDS.toSeconds(now - t0), now < load.measureStartNs() ? "warm-up" : "window ",
                        answers - figures.lastAnswers,
                        interval.getValueAtPercentile(99) / 1e6, load.outstanding(),
                        s == null ? "" : String.format(Locale.ROOT, " lag=%.0f processed=%.0f", s.maxLag(), s.processed()));
                figures.lastAnswers = answers;
            }
        } catch (RuntimeException e) {
            System.err.println("harness: reporting failed: " + e);
        }
    }

    /** Engine samples of the window. */
    private static final class Figures {
        volatile Sample start;
        volatile Sample end;
        final List<Sample> window = new ArrayList<>();
        long lastAnswers;
    }

    private void report(PrintStream out, Mode m, LoadGenerator load, Figures figures) {
        double seconds = duration.toNanos() / 1e9;
        double achieved = load.answeredInWindow() / seconds;
        double eventsPerRequest = m.bulk ? bulkSize : 1;
        Histogram response = load.responseTimes();
        Histogram service = load.serviceTimes();
        Map<Integer, Long> statuses = load.statuses();
        Map<String, Long> errors = load.errors();
        long failed = errors.values().stream().mapToLong(Long::longValue).sum();
        long unexpected = statuses.entrySet().stream()
                .filter(e -> !(e.getKey() / 100 == 2 || e.getKey() == 404 || e.getKey() == 409))
                .mapToLong(Map.Entry::getValue).sum();
        StringBuilder st = new StringBuilder();
        statuses.forEach((k, v) -> st.append(st.length() == 0 ? "" : ",").append(k).append(':').append(v));
        StringBuilder er = new StringBuilder();
        errors.forEach((k, v) -> er.append(er.length() == 0 ? "" : ",").append(k).append(':').append(v));

        out.printf(Locale.ROOT, "achieved      %.1f req/s = %.0f events/s (%d answers in the window; %d requests intended in it answered)%n",
                achieved, achieved * eventsPerRequest, load.answeredInWindow(), load.measured());
        out.printf(Locale.ROOT, "statuses      %s%n", st.length() == 0 ? "none" : st);
        if (m.bulk) {
            out.printf(Locale.ROOT, "bulk slots    %d slot errors (validation or business rejections)%n", load.slotErrors());
        }
        out.printf(Locale.ROOT, "failures      %s; dropped (client backlog full) %d; unanswered after drain %d; "
                + "reconnects %d; warm-up backlog discarded %d%n", er.length() == 0 ? "none" : er, load.dropped(),
                load.unfinished(), load.reconnects(), load.discarded());
        String clock = rate > 0 ? "response time (from intended send, CO-corrected)" : "response time (closed loop)";
        out.printf(Locale.ROOT, "%-48s %s%n", clock, percentiles(response));
        out.printf(Locale.ROOT, "%-48s %s%n", "service time (from actual send)", percentiles(service));
        boolean sustained = rate <= 0 || (load.dropped() == 0 && load.unfinished() == 0 && achieved >= rate * 0.95);
        if (rate > 0 && !sustained) {
            out.printf(Locale.ROOT, "NOT SUSTAINED: offered %.0f req/s, achieved %.0f req/s%n", rate, achieved);
        }

        StringBuilder result = new StringBuilder("RESULT label=").append(label)
                .append(" mode=").append(m.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .append(" rate=").append(fmt(rate))
                .append(" connections=").append(target.connections)
                .append(" seconds=").append(fmt(seconds))
                .append(" achieved_rps=").append(fmt(achieved))
                .append(" events_per_s=").append(fmt(achieved * eventsPerRequest))
                .append(" answered=").append(load.measured())
                .append(" statuses=").append(st.length() == 0 ? "none" : st)
                .append(" unexpected=").append(unexpected)
                .append(" failures=").append(failed)
                .append(" dropped=").append(load.dropped())
                .append(" unfinished=").append(load.unfinished())
                .append(" warmup_discarded=").append(load.discarded())
                .append(" slot_errors=").append(load.slotErrors())
                .append(" sustained=").append(sustained)
                .append(" p50_ms=").append(ms(response, 50))
                .append(" p90_ms=").append(ms(response, 90))
                .append(" p99_ms=").append(ms(response, 99))
                .append(" p999_ms=").append(ms(response, 99.9))
                .append(" max_ms=").append(fmt(response.getMaxValue() / 1e6))
                .append(" svc_p50_ms=").append(ms(service, 50))
                .append(" svc_p99_ms=").append(ms(service, 99));
        Sample a = figures.start;
        Sample b = figures.end;
        if (a != null && b != null && b.atNs() > a.atNs()) {
            double dt = (b.atNs() - a.atNs()) / 1e9;
            double processed = (b.processed() - a.processed()) / dt;
            double applied = a.eventsApplied() >= 0 && b.eventsApplied() >= 0
                    ? (b.eventsApplied() - a.eventsApplied()) / dt : Double.NaN;
            double journaled = (b.journalLastSeq() - a.journalLastSeq()) / dt;
            double maxLag = figures.window.stream().mapToDouble(Sample::maxLag).filter(x -> !Double.isNaN(x))
                    .max().orElse(Double.NaN);
            double lagMs = processed > 0 ? maxLag / processed * 1000 : Double.NaN;
            boolean bounded = !Double.isNaN(maxLag) && processed > 0 && maxLag <= processed;
            out.printf(Locale.ROOT, "engine        processed %.0f events/s (applied %.0f/s, rest rejected by rules), journaled %.0f records/s%n",
                    processed, applied, journaled);
            out.printf(Locale.ROOT, "engine lag    max %.0f records (≈ %.0f ms of processing), at end %.0f; bounded (≤ 1 s of processing): %s%n",
                    maxLag, lagMs, b.maxLag(), bounded ? "yes" : "NO");
            out.printf(Locale.ROOT, "engine heap   %.0f MiB used at end%n", b.heapUsedBytes() / (1 << 20));
            result.append(" processed_per_s=").append(fmt(processed))
                    .append(" applied_per_s=").append(fmt(applied))
                    .append(" journaled_per_s=").append(fmt(journaled))
                    .append(" lag_max=").append(fmt(maxLag))
                    .append(" lag_max_ms=").append(fmt(lagMs))
                    .append(" lag_end=").append(fmt(b.maxLag()))
                    .append(" lag_bounded=").append(bounded)
                    .append(" journal_seq=").append(fmt(b.journalLastSeq()));
        }
        out.println(result);
    }

    private static String percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "no answers";
        }
        return String.format(Locale.ROOT, "p50 %s  p90 %s  p99 %s  p99.9 %s  max %s ms",
                ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), fmt(h.getMaxValue() / 1e6));
    }

    private static String ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? "NaN" : fmt(h.getValueAtPercentile(percentile) / 1e6);
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3f", v);
    }
}
