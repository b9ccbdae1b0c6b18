package dev.loyalty.bench;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
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
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The raw speed of the two stores, with nothing of the engine around them: the ceilings the engine's
 * figures are read against. {@code chronicleAppend200}: one 200-byte message per Chronicle Queue document,
 * one thread (appends per second; notes: 5–7 M/s here). {@code rocksBatch100}: RocksDB write batches of 100
 * puts of 8-byte values over 100,000 keys, write-ahead log off (puts per second; notes: ≈ 1.5 M/s).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class RawBaselineBenchmark {

    /** A fresh queue per iteration (deleted afterwards, so disk use stays bounded) and its appender. */
    @State(Scope.Thread)
    public static class Queue {
        final byte[] message = new byte[200];
        Path dir;
        SingleChronicleQueue queue;
        ExcerptAppender appender;

        @Setup(Level.Iteration)
        public void open() throws IOException {
            new SplittableRandom(3).nextBytes(message);
            dir = Files.createTempDirectory("raw-queue");
            queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_DAILY).build();
            appender = queue.createAppender();
        }

        @TearDown(Level.Iteration)
        public void close() {
            appender.close();
            queue.close();
            Fixtures.deleteTree(dir);
        }
    }

    /** A RocksDB with the engine's table options left at defaults, WAL off. */
    @State(Scope.Thread)
    public static class Rocks {
        static final int KEYS = 100_000;
        Path dir;
        Options options;
        WriteOptions writeOptions;
        RocksDB db;
        final SplittableRandom random = new SplittableRandom(5);
        final byte[][] keys = new byte[KEYS][];
        final byte[] value = new byte[8];

        @Setup(Level.Trial)
        public void open() throws IOException, RocksDBException {
            RocksDB.loadLibrary();
            for (int i = 0; i < KEYS; i++) {
                keys[i] = longBytes(i * 0x9E3779B97F4A7C15L);
            }
            dir = Files.createTempDirectory("raw-rocks");
            options = new Options().setCreateIfMissing(true).setCompressionType(CompressionType.LZ4_COMPRESSION)
                    .setWriteBufferSize(32L << 20).setMaxWriteBufferNumber(3).setMaxBackgroundJobs(2);
            writeOptions = new WriteOptions().setDisableWAL(true);
            db = RocksDB.open(options, dir.toString());
        }

        @TearDown(Level.Trial)
        public void close() {
            db.close();
            writeOptions.close();
            options.close();
            Fixtures.deleteTree(dir);
        }

        static byte[] longBytes(long v) {
            byte[] b = new byte[8];
            for (int i = 7; i >= 0; i--) {
                b[i] = (byte) v;
                v >>>= 8;
            }
            return b;
        }
    }

    /** One 200-byte message per document; appends per second. */
    @Benchmark
    public void chronicleAppend200(Queue q) {
        try (DocumentContext dc = q.appender.writingDocument()) {
            dc.wire().bytes().write(q.message);
        }
    }

    /** One write batch of 100 puts; puts per second. */
    @Benchmark
    @OperationsPerInvocation(100)
    public void rocksBatch100(Rocks r) throws RocksDBException {
        try (WriteBatch batch = new WriteBatch()) {
            for (int i = 0; i < 100; i++) {
                batch.put(r.keys[r.random.nextInt(Rocks.KEYS)], r.value);
            }
            r.db.write(r.writeOptions, batch);
        }
    }
}
