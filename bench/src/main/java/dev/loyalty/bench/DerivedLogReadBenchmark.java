package dev.loyalty.bench;

import dev.loyalty.engine.derived.DerivedLog;
import dev.loyalty.engine.derived.DerivedMark;
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
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The query side of the derived log, as the partition thread answers {@code GET /events/{seq}} and ledger
 * pages: {@link #outcome} looks up a random seq among {@link #EVENTS} (binary search in the sparse index, then a
 * short read), {@link #ledgerPage} reads the newest {@code pageSize} entries of a random customer, whose
 * entries lie scattered over the log (about {@code 2 × EVENTS / customers} each). The log is filled once
 * per trial and stays in the page cache. Score: operations per microsecond.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class DerivedLogReadBenchmark {

    static final int EVENTS = 1 << 20;

    @Param({"10000"})
    public int customers;

    @Param({"50"})
    public int pageSize;

    private Path dir;
    private DerivedLog log;
    private String[] ids;
    private long[] heads;
    private final SplittableRandom random = new SplittableRandom(7);

    @Setup(Level.Trial)
    public void fill() throws IOException {
        ids = new String[customers];
        for (int i = 0; i < customers; i++) {
            ids[i] = "c-" + i;
        }
        heads = new long[customers];
        Arrays.fill(heads, DerivedLog.NO_ENTRY);
        long[] nextEntryId = new long[customers];
        byte[] outcome = new byte[160];
        byte[] entry = new byte[70];
        random.nextBytes(outcome);
        random.nextBytes(entry);
        dir = Files.createTempDirectory("derived-log-read-bench");
        log = DerivedLog.open(dir, DerivedMark.EMPTY);
        for (long s = 1; s <= EVENTS; s++) {
            log.appendOutcome(s, s, outcome, 0, outcome.length);
            int c = random.nextInt(customers);
            heads[c] = log.appendLedger(heads[c], ids[c], ++nextEntryId[c], s, entry, 0, entry.length);
            heads[c] = log.appendLedger(heads[c], ids[c], ++nextEntryId[c], s, entry, 0, entry.length);
        }
        log.mark();
    }

    @Benchmark
    public byte[] outcome() {
        return log.outcome(1 + random.nextInt(EVENTS));
    }

    @Benchmark
    public DerivedLog.LedgerPage ledgerPage() {
        int c = random.nextInt(customers);
        return log.ledgerPage(ids[c], heads[c], Long.MAX_VALUE, pageSize);
    }

    @TearDown(Level.Trial)
    public void close() {
        log.close();
        Fixtures.deleteTree(dir);
    }
}
