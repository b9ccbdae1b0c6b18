package dev.loyalty.bench;

import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.journal.ChronicleJournal;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
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
import java.util.concurrent.TimeUnit;

/**
 * Journaling validated checkout events (the engine's binary wire form), one record per call: a single
 * event per record ({@code single}, as a synchronous {@code POST /events} does) and 100 per record
 * ({@code bulk100}, as a bulk does). Both scores are events per second. Baseline: raw Chronicle append of
 * 200-byte messages ({@link RawBaselineBenchmark}), 5–7 M/s here. Each iteration writes a fresh journal
 * that is deleted afterwards, so disk use stays bounded by one iteration.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class JournalAppendBenchmark {

    private Path dir;
    private ChronicleJournal journal;
    private List<Submitted> one;
    private List<Submitted> hundred;

    @Setup(Level.Trial)
    public void events() {
        hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hundred.add(new Submitted(Fixtures.checkout("c-" + (i * 7919), "T-" + i), 0));
        }
        one = List.of(hundred.get(0));
    }

    @Setup(Level.Iteration)
    public void open() throws IOException {
        dir = Files.createTempDirectory("journal-bench");
        journal = ChronicleJournal.open(dir, System::currentTimeMillis);
    }

    /** One event per record; events per second. */
    @Benchmark
    public long single() {
        return journal.appendEvents(one, null);
    }

    /** 100 events per record; events per second. */
    @Benchmark
    @OperationsPerInvocation(100)
    public long bulk100() {
        return journal.appendEvents(hundred, null);
    }

    @TearDown(Level.Iteration)
    public void close() {
        journal.close();
        Fixtures.deleteTree(dir);
    }
}
