package dev.loyalty.bench;

import dev.loyalty.bench.Fixtures.BenchContext;
import dev.loyalty.engine.rules.Customer;
import dev.loyalty.engine.rules.CustomerCodec;
import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.rules.LedgerKind;
import dev.loyalty.engine.rules.Rules;
import dev.loyalty.engine.state.BinaryWriter;
import dev.loyalty.engine.state.Keys;
import dev.loyalty.engine.state.OutcomeCodec;
import dev.loyalty.engine.state.PartitionStore;
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
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A processor's end of batch: encode and write one RocksDB batch for a drained journal batch of
 * {@code eventsPerBatch} events of as many different customers (per event: its stored outcome, one ledger
 * entry, the customer, and for half of them a move in the due-work index; per batch: statistics, outcome
 * marks and the checkpoint), then {@link PartitionStore#commit} it, write-ahead log off as shipped. The
 * customers are typical ones ({@link Fixtures#typicalCustomer}) written under ids drawn from a million, so
 * RocksDB sees both new keys and overwrites, and its flushes and compactions run as they would. Score:
 * batches per second; the {@code events} counter gives events per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class StateCommitBenchmark {

    private static final int CUSTOMERS = 1024;
    private static final int KEY_SPACE = 1_000_000;
    private static final byte[] STATS = Keys.meta("stats");
    private static final byte[] MARKS = Keys.meta("outcome-marks");
    private static final byte[] CHECKPOINT = Keys.meta("checkpoint");

    @Param({"100", "1000", "4096"})
    public int eventsPerBatch;

    /** RocksDB's own write-ahead log (off as shipped: the journal makes state rebuildable). */
    @Param({"false"})
    public boolean wal;

    private Path dir;
    private PartitionStore store;
    private Customer[] customers;
    private String[] ids;
    private final BinaryWriter writer = new BinaryWriter(4096);
    private final SplittableRandom random = new SplittableRandom(11);
    private long seq;

    /** Events written per second, beside JMH's batches per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long events;
    }

    @Setup(Level.Trial)
    public void open() throws IOException {
        Rules rules = new Rules(Fixtures.rules());
        customers = new Customer[CUSTOMERS];
        for (int i = 0; i < CUSTOMERS; i++) {
            customers[i] = Fixtures.typicalCustomer(rules, "c-" + i, new BenchContext());
        }
        ids = new String[KEY_SPACE];
        for (int i = 0; i < KEY_SPACE; i++) {
            ids[i] = "c-" + i;
        }
        dir = Files.createTempDirectory("state-bench");
        store = PartitionStore.open(dir, null, wal);
    }

    @Benchmark
    public void commit(Counters counters) throws RocksDBException {
        try (WriteBatch batch = new WriteBatch()) {
            for (int i = 0; i < eventsPerBatch; i++) {
                long s = ++seq;
                String id = ids[random.nextInt(KEY_SPACE)];
                Customer c = customers[random.nextInt(CUSTOMERS)];
                LedgerEntry entry = new LedgerEntry(c.ledgerEntries() + 1, s, Fixtures.T0, "checkout", "points",
                        LedgerKind.PENDING, 92, "T" + s, null);
                EventOutcome outcome = new EventOutcome(s, id, null, List.of(entry));
                batch.put(Keys.outcome(s), OutcomeCodec.encode(writer, outcome));
                batch.put(Keys.ledger(id, entry.id()), OutcomeCodec.encodeEntry(writer, entry));
                if ((s & 1) == 0) {
                    batch.delete(Keys.due(Fixtures.T0 + s, id));
                    batch.put(Keys.due(Fixtures.T0 + 14 * Fixtures.DAY_MS + s, id), new byte[0]);
                }
                batch.put(Keys.customer(id), CustomerCodec.encode(c));
            }
            batch.put(STATS, writer.reset().writeLong(seq).writeLong(seq).writeLong(seq).toBytes());
            batch.put(MARKS, writer.reset().writeVarInt(1).writeLong(seq / 3_600_000).writeLong(seq).toBytes());
            batch.put(CHECKPOINT, writer.reset().writeLong(seq).writeLong(seq).writeLong(Fixtures.T0)
                    .writeLong(seq).writeLong(Fixtures.T0).toBytes());
            store.commit(batch);
        }
        counters.events += eventsPerBatch;
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
        Fixtures.deleteTree(dir);
    }
}
