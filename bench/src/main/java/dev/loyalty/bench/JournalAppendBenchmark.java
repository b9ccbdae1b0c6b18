package dev.loyalty.bench;

import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.journal.ChronicleJournal;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Throughput of journaling validated checkout events (binary wire form, one record per call), single
 * events and 100-event bulks. Baseline: raw Chronicle append of 200-byte messages, 5–7 M/s here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED", "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true"})
public class JournalAppendBenchmark {

    @Param({"1", "100"})
    public int eventsPerRecord;

    private Path dir;
    private ChronicleJournal journal;
    private List<Submitted> record;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("journal-bench");
        journal = ChronicleJournal.open(dir, System::currentTimeMillis);
        record = new ArrayList<>();
        for (int i = 0; i < eventsPerRecord; i++) {
            record.add(new Submitted(new Event("customer-" + i, "checkout", null, "points", Event.ABSENT,
                    Event.ABSENT, "T-" + i, Event.ABSENT,
                    List.of(new Event.Item("sku-1", 1999, 2, 0), new Event.Item("sku-2", 4550, 1, 500)),
                    Event.ABSENT, Event.ABSENT, null, null), 0));
        }
    }

    /** Events journaled per second (one record of {@code eventsPerRecord} events per call). */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(1)
    public long append() {
        return journal.appendEvents(record, null);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        journal.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
