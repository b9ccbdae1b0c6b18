package dev.loyalty.bench.load;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The measured window cut into fixed slices (10 ms by default), each with how many requests were due in it, how
 * many were answered in it and the slowest response and service time of the requests due in it, written as CSV
 * with wall-clock times: a stall lines up with what the engine's logs, metrics and JFR say at the same instant.
 * Thread-safe (atomics); recording is two array updates per answer, no allocation.
 */
final class Timeline {
    private final long startNs;
    private final long sliceNs;
    private final int slices;
    /** Wall-clock ns minus {@link System#nanoTime()}, taken once: the slices' wall times. */
    private final long wallOffsetNs;
    private final AtomicLongArray due;
    private final AtomicLongArray answered;
    private final AtomicLongArray maxResponseNs;
    private final AtomicLongArray maxServiceNs;

    Timeline(long startNs, long durationNs, long sliceNs) {
        this.startNs = startNs;
        this.sliceNs = sliceNs;
        this.slices = (int) Math.min(Integer.MAX_VALUE - 8, durationNs / sliceNs + 1);
        this.wallOffsetNs = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()) - System.nanoTime();
        this.due = new AtomicLongArray(slices);
        this.answered = new AtomicLongArray(slices);
        this.maxResponseNs = new AtomicLongArray(slices);
        this.maxServiceNs = new AtomicLongArray(slices);
    }

    /** One answer: intended (due) at {@code intendedNs}, written at {@code sentNs}, answered at {@code nowNs}. */
    void record(long intendedNs, long sentNs, long nowNs) {
        int d = slice(intendedNs);
        if (d >= 0) {
            due.incrementAndGet(d);
            raise(maxResponseNs, d, nowNs - intendedNs);
            raise(maxServiceNs, d, nowNs - sentNs);
        }
        int a = slice(nowNs);
        if (a >= 0) {
            answered.incrementAndGet(a);
        }
    }

    private int slice(long ns) {
        long i = (ns - startNs) / sliceNs;
        return ns < startNs || i >= slices ? -1 : (int) i;
    }

    private static void raise(AtomicLongArray a, int i, long v) {
        long old;
        while (v > (old = a.get(i)) && !a.compareAndSet(i, old, v)) {
            Thread.onSpinWait();
        }
    }

    /** Writes one line per slice: wall ms, due, answered, max response and service time in µs. */
    void write(Path file) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("wall_ms,due,answered,max_response_us,max_service_us");
            for (int i = 0; i < slices; i++) {
                long wallMs = TimeUnit.NANOSECONDS.toMillis(startNs + i * sliceNs + wallOffsetNs);
                w.printf(Locale.ROOT, "%d,%d,%d,%d,%d%n", wallMs, due.get(i), answered.get(i),
                        maxResponseNs.get(i) / 1000, maxServiceNs.get(i) / 1000);
            }
        }
    }
}
