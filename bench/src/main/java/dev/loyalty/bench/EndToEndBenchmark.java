package dev.loyalty.bench;

import dev.loyalty.engine.Engine;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine in process, no HTTP: {@link Engine#start} on a fresh temporary data folder with the shipped
 * configuration, {@code customers} customers loaded (opt_in and 5000 points each), then checkouts of
 * random customers submitted and awaited as a synchronous request does (journal, processor, rules, state
 * commit, completion): {@code single} one event per submit, {@code bulk100} 100 per submit. Scores are
 * events per second; with one JMH thread ({@code -t} for more) {@code single} is bound by one event's
 * round trip, so it measures latency as much as throughput.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class EndToEndBenchmark {

    @Param({"100000"})
    public int customers;

    private Path dir;
    private LoyaltyEngine engine;
    private final AtomicLong transactions = new AtomicLong();

    @Setup(Level.Trial)
    public void start() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("engine-bench");
        engine = Engine.start(Fixtures.engineConfig(Map.of("data-dir", dir.toString())), new SimpleMeterRegistry());
        engine.serving(); // as the program does once it listens: the id filter scan may start when ready
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!engine.ready()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the engine did not get ready within 30 s");
            }
            Thread.sleep(10);
        }
        for (int from = 0; from < customers; from += 500) {
            List<Submitted> load = new ArrayList<>(1000);
            for (int i = from; i < Math.min(customers, from + 500); i++) {
                load.add(new Submitted(Fixtures.optIn("c-" + i), 0));
                load.add(new Submitted(Fixtures.pointAdd("c-" + i, 5000), 0));
            }
            awaitAll(engine.submit(load, true));
        }
    }

    private List<Submitted> checkouts(int n) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<Submitted> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            events.add(new Submitted(Fixtures.checkout("c-" + random.nextInt(customers),
                    "E" + transactions.incrementAndGet()), 0));
        }
        return events;
    }

    private static EventResult awaitAll(List<Submission> submissions) {
        EventResult last = null;
        for (Submission s : submissions) {
            CompletableFuture<EventResult> result = s.result();
            last = result.join();
        }
        return last;
    }

    /** One checkout per submit, awaited. */
    @Benchmark
    public EventResult single() {
        return awaitAll(engine.submit(checkouts(1), true));
    }

    /** 100 checkouts per submit (one journal record), all awaited; score per event. */
    @Benchmark
    @OperationsPerInvocation(100)
    public EventResult bulk100() {
        return awaitAll(engine.submit(checkouts(100), true));
    }

    @TearDown(Level.Trial)
    public void stop() {
        engine.close();
        Fixtures.deleteTree(dir);
    }
}
