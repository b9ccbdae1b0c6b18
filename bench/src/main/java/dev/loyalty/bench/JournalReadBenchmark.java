package dev.loyalty.bench;

import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.journal.ChronicleJournal;
import dev.loyalty.engine.journal.EventCodec;
import dev.loyalty.engine.journal.JournalReader;
import dev.loyalty.engine.journal.PartitionHash;
import dev.loyalty.engine.journal.RecordHeader;
import dev.loyalty.engine.journal.RecordType;
import net.openhft.chronicle.bytes.Bytes;
import org.openjdk.jmh.annotations.AuxCounters;
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
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What one partition's processor pays to read its events from the journal, before the rules: a pass over a
 * 20K-event journal, hot in the page cache (random customers, a rules record first, a heartbeat every 1,000
 * events), by partition 0's reader, decoding its own events the way the processor does. {@code shape=single}: one event per record (sync
 * POSTs); {@code bulk100}: 100 per record. The score that matters is the aux counter {@code ownEvents}
 * (partition 0's events per second); {@code partitions=1} reads and decodes every event (the decode rate).
 * {@code allRecords} hands every record to the visitor (what v1 did); {@code ownRecords} uses
 * {@code reader(partition, partitions)} (journal v2: others' records are skipped on their header's mask).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class JournalReadBenchmark {

    private static final int EVENTS = 20_000;

    @Param({"1", "2", "8"})
    public int partitions;

    @Param({"single", "bulk100"})
    public String shape;

    private Path dir;
    private ChronicleJournal journal;

    /** Events of partition 0 read (and decoded). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counts {
        public long ownEvents;
    }

    @Setup(Level.Trial)
    public void write() throws IOException {
        dir = Files.createTempDirectory("journal-read-bench");
        journal = ChronicleJournal.open(dir, System::currentTimeMillis,
                dev.loyalty.engine.journal.DiskSpaceGuard.off(dir), partitions);
        journal.appendRules("{}");
        SplittableRandom random = new SplittableRandom(42);
        int perRecord = shape.equals("bulk100") ? 100 : 1;
        List<Submitted> record = new ArrayList<>(perRecord);
        for (int i = 0; i < EVENTS; i++) {
            record.add(new Submitted(Fixtures.checkout("c-" + random.nextInt(1_000_000), "T-" + i), 0));
            if (record.size() == perRecord) {
                journal.appendEvents(record, null);
                record.clear();
            }
            if (i % 1000 == 999) {
                journal.appendHeartbeat();
            }
        }
    }

    /** The processor's loop over every record (v1's only way). */
    @Benchmark
    public long allRecords(Counts counts) {
        return pass(journal.reader(), counts);
    }

    /** Journal v2: the partition's own reader, which skips others' records on their header. */
    @Benchmark
    public long ownRecords(Counts counts) {
        return pass(journal.reader(0, partitions), counts);
    }

    private long pass(JournalReader reader, Counts counts) {
        long[] sum = new long[1];
        int p = partitions;
        JournalReader.RecordVisitor visitor = (position, h, payload) -> {
            if (h.type() == RecordType.EVENTS) {
                sum[0] += events(h, payload, p, counts);
            } else if (h.type() == RecordType.RULES) {
                sum[0] += payload.readUtf8().length();
            }
        };
        try (reader) {
            while (reader.next(visitor)) {
                sum[0]++;
            }
        }
        return sum[0];
    }

    private static long events(RecordHeader h, Bytes<?> payload, int partitions, Counts counts) {
        if (h.skipped()) {
            return 0;
        }
        long sum = 0;
        int n = (int) payload.readStopBit();
        for (int i = 0; i < n; i++) {
            int hash = payload.readInt();
            int len = payload.readInt();
            if (PartitionHash.partition(hash, partitions) != 0) {
                payload.readSkip(len);
                continue;
            }
            Event e = EventCodec.read(payload);
            sum += e.totalCents();
            counts.ownEvents++;
        }
        return sum;
    }

    /**
     * The same passes timed in thread CPU time rather than wall time (median of 15 passes after 10 warm-up
     * passes, per configuration): on a machine shared with other builds, wall-clock JMH scores swing by several
     * times, CPU time per pass far less. Prints partition 0's events per CPU second.
     */
    public static void main(String[] args) {
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        for (String shape : new String[] {"single", "bulk100"}) {
            for (int partitions : new int[] {1, 2, 8}) {
                JournalReadBenchmark b = new JournalReadBenchmark();
                b.partitions = partitions;
                b.shape = shape;
                try {
                    b.write();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                for (String method : new String[] {"allRecords", "ownRecords"}) {
                    long[] rates = new long[15];
                    for (int i = -10; i < rates.length; i++) {
                        Counts counts = new Counts();
                        long start = cpu.getCurrentThreadCpuTime();
                        long sum = method.equals("allRecords") ? b.allRecords(counts) : b.ownRecords(counts);
                        long ns = Math.max(1, cpu.getCurrentThreadCpuTime() - start);
                        if (i >= 0) {
                            rates[i] = counts.ownEvents * 1_000_000_000L / ns + (sum == 42 ? 1 : 0);
                        }
                    }
                    java.util.Arrays.sort(rates);
                    System.out.printf(java.util.Locale.ROOT, "%-10s partitions=%d shape=%-7s ownEvents/cpu-s median %,d"
                            + " (min %,d max %,d)%n", method, partitions, shape, rates[rates.length / 2], rates[0],
                            rates[rates.length - 1]);
                }
                b.delete();
            }
        }
    }

    @TearDown(Level.Trial)
    public void delete() {
        journal.close();
        Fixtures.deleteTree(dir);
    }
}
