package dev.loyalty.engine.state;

import org.rocksdb.AbstractEventListener;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.Checkpoint;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushJobInfo;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The RocksDB state of one partition (layout in {@link Keys}). Written only by the partition's processor,
 * one write batch per drained journal batch, the batch also holding the journal position it applied up to.
 * With the write-ahead log off (the default) a crash loses at most unflushed batches together with their
 * checkpoint, which the processor then re-applies from the journal; one column family keeps every batch
 * atomic on flush.
 */
public final class PartitionStore implements AutoCloseable {

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final Options options;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    /** Null for a read-only store (it never flushes). */
    private final FlushHook flushHook;
    private volatile boolean closed;

    private final boolean readOnly;

    private PartitionStore(Path dir, Options options, WriteOptions writeOptions, RocksDB db, boolean readOnly,
                           FlushHook flushHook) {
        this.readOnly = readOnly;
        this.flushHook = flushHook;
        this.dir = dir;
        this.options = options;
        this.writeOptions = writeOptions;
        this.db = db;
    }

    /**
     * Opens (creating if needed) the store in that folder.
     *
     * @param blockCache shared block cache, or null for RocksDB's default
     * @param wal        keep RocksDB's write-ahead log (not needed for correctness: the journal is the truth)
     */
    public static PartitionStore open(Path dir, Cache blockCache, boolean wal) {
        try {
            Files.createDirectories(dir);
            // Index and bloom filter blocks stay in table-reader memory (about 1.25 bytes a key for the
            // filter), not in the block cache: a lookup of a customer, present or new, then costs at most
            // one data-block read instead of re-reading index and filter blocks evicted by data.
            BlockBasedTableConfig table = new BlockBasedTableConfig()
                    .setFilterPolicy(new BloomFilter(10, false))
                    .setCacheIndexAndFilterBlocks(false);
            if (blockCache != null) {
                table.setBlockCache(blockCache);
            }
            Options options = new Options()
                    .setCreateIfMissing(true)
                    .setCompressionType(CompressionType.LZ4_COMPRESSION)
                    .setWriteBufferSize(32L << 20)
                    .setMaxWriteBufferNumber(3)
                    .setMaxBackgroundJobs(2)
                    // A partition's data sits in the last level (dynamic level bytes), so each L0 compaction rewrites
                    // all of it: with a flush every flush-interval (~5 MB files on the bulk row) and the default
                    // trigger of 4 that was a 26 MB rewrite every 20 s. At 8, half as many (~28% fewer bytes
                    // compacted at 1M customers, more as the partition grows); a store read checks up to 8 L0
                    // filters. Bulk row, 200 bulks/s: rocksdb-bg 8.39/8.74 -> 5.16/6.44 us an event, compaction
                    // CPU in the window 2.7/2.75 -> 0.91/1.44 s (bench/results/2026-12-07-rocks.txt).
                    .setLevel0FileNumCompactionTrigger(8)
                    // An open need not read every table file's properties for compaction statistics (they
                    // are refreshed as files are written) nor stat each file's size: part of a start's time.
                    .setSkipStatsUpdateOnDbOpen(true)
                    .setSkipCheckingSstFileSizesOnDbOpen(true)
                    // With the WAL, RocksDB would fallocate 1.1 x the write buffer (36 MB) per partition for its
                    // log before a byte is written: free space the journal's disk guard counts as used.
                    .setAllowFAllocate(!wal)
                    .setTableFormatConfig(table);
            FlushHook hook = new FlushHook();
            options.setListeners(List.of(hook));
            WriteOptions wo = new WriteOptions().setDisableWAL(!wal).setSync(false);
            RocksDB db = RocksDB.open(options, dir.toString());
            return new PartitionStore(dir, options, wo, db, false, hook);
        } catch (RocksDBException | java.io.IOException e) {
            throw new StateException("cannot open state at " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A block cache to share between the stores of one process. */
    public static Cache newBlockCache(long bytes) {
        return new org.rocksdb.LRUCache(bytes);
    }

    /** Opens an existing store read-only (its flushed state), even while its owner has it open. */
    public static PartitionStore openReadOnly(Path dir) {
        try {
            Options options = new Options();
            RocksDB db = RocksDB.openReadOnly(options, dir.toString());
            return new PartitionStore(dir, options, new WriteOptions(), db, true, null);
        } catch (RocksDBException e) {
            throw new StateException("cannot open state at " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** True when commits go through RocksDB's write-ahead log (they then survive a killed process unflushed). */
    public boolean wal() {
        return !readOnly && !writeOptions.disableWAL();
    }

    public byte[] get(byte[] key) {
        try {
            return db.get(key);
        } catch (RocksDBException e) {
            throw new StateException("state read failed: " + e.getMessage(), e);
        }
    }

    /**
     * The values of those keys (null where absent), in their order, read in one RocksDB {@code multiGet}: one JNI
     * crossing and one pass over memtables and files for the batch, keys in sorted order read best. The
     * {@code ByteBuffer} variant of this RocksDB version would spare the value arrays but needs a buffer per key
     * sized in advance (a larger value comes back truncated and must be read again) and still returns a status
     * object per key: the plain one is used.
     */
    public List<byte[]> multiGet(List<byte[]> keys) {
        try {
            return db.multiGetAsList(keys);
        } catch (RocksDBException e) {
            throw new StateException("state read failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code action} on RocksDB's flush thread just before every flush writes what was committed (a full
     * memtable, {@link #flush()}, a checkpoint, the close): what must be on disk before the state it goes with
     * is (the derived logs a committed mark points into). If it fails, the next {@link #commit} says so.
     */
    public void beforeFlush(Runnable action) {
        if (flushHook != null) {
            flushHook.action = action;
        }
    }

    /** Commits one write batch atomically. */
    public void commit(WriteBatch batch) {
        if (flushHook != null && flushHook.failure != null) {
            throw new StateException("what must precede a state flush failed: " + flushHook.failure.getMessage(),
                    flushHook.failure);
        }
        try {
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StateException("state write failed: " + e.getMessage(), e);
        }
    }

    /** Up to {@code limit} values of ledger entries of the customer with id below {@code beforeId}, newest first. */
    public List<byte[]> ledgerBefore(String customer, long beforeId, int limit) {
        List<byte[]> out = new ArrayList<>(Math.min(limit, 128));
        byte[] prefix = Keys.ledgerPrefix(customer);
        try (Slice lower = new Slice(prefix);
             ReadOptions ro = new ReadOptions().setIterateLowerBound(lower);
             RocksIterator it = db.newIterator(ro)) {
            it.seekForPrev(Keys.ledger(customer, beforeId - 1));
            for (; it.isValid() && out.size() < limit; it.prev()) {
                byte[] k = it.key();
                if (!startsWith(k, prefix)) {
                    break;
                }
                out.add(it.value());
            }
        }
        return out;
    }

    private static boolean startsWith(byte[] k, byte[] prefix) {
        return k.length >= prefix.length && Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Iterates every key/value in key order (for comparisons and exports). */
    public void forEach(KeyValueVisitor visitor) {
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (!visitor.visit(it.key(), it.value())) {
                    return;
                }
            }
        }
    }

    /** Iterates the keys that start with that kind byte, in key order. */
    public void forEachWithPrefix(byte kind, KeyValueVisitor visitor) {
        try (Slice lower = new Slice(new byte[] {kind});
             Slice upper = new Slice(new byte[] {(byte) (kind + 1)});
             ReadOptions ro = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
             RocksIterator it = db.newIterator(ro)) {
            for (it.seek(new byte[] {kind}); it.isValid(); it.next()) {
                if (!visitor.visit(it.key(), it.value())) {
                    return;
                }
            }
        }
    }

    /** Iterates the keys from {@code from} on (inclusive) that start with its first (kind) byte, in key order. */
    public void forEachFrom(byte[] from, KeyValueVisitor visitor) {
        byte kind = from[0];
        try (Slice lower = new Slice(new byte[] {kind});
             Slice upper = new Slice(new byte[] {(byte) (kind + 1)});
             ReadOptions ro = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
             RocksIterator it = db.newIterator(ro)) {
            for (it.seek(from); it.isValid(); it.next()) {
                if (!visitor.visit(it.key(), it.value())) {
                    return;
                }
            }
        }
    }

    /** Receives key/value pairs; returns false to stop. */
    public interface KeyValueVisitor {
        boolean visit(byte[] key, byte[] value);
    }

    /** The first difference between two stores' contents, or null when they hold the same keys and values. */
    public String firstDifference(PartitionStore other) {
        try (RocksIterator a = db.newIterator(); RocksIterator b = other.db.newIterator()) {
            a.seekToFirst();
            b.seekToFirst();
            while (a.isValid() && b.isValid()) {
                if (!Arrays.equals(a.key(), b.key())) {
                    return "key " + show(a.key()) + " vs " + show(b.key());
                }
                if (!Arrays.equals(a.value(), b.value())) {
                    return "value of key " + show(a.key());
                }
                a.next();
                b.next();
            }
            if (a.isValid()) {
                return "extra key " + show(a.key()) + " in " + dir;
            }
            if (b.isValid()) {
                return "extra key " + show(b.key()) + " in " + other.dir;
            }
            return null;
        }
    }

    private static String show(byte[] key) {
        StringBuilder sb = new StringBuilder();
        sb.append((char) key[0]).append(':');
        boolean printable = true;
        for (int i = 1; i < key.length; i++) {
            if (key[i] < 0x20 || key[i] > 0x7e) {
                printable = false;
                break;
            }
        }
        if (printable) {
            return sb.append(new String(key, 1, key.length - 1, java.nio.charset.StandardCharsets.US_ASCII)).toString();
        }
        return sb.append(HexFormat.of().formatHex(key, 1, key.length)).toString();
    }

    /** A RocksDB property (for metrics), or -1 when unavailable. */
    public long longProperty(String name) {
        try {
            return db.getLongProperty(name);
        } catch (RocksDBException e) {
            return -1;
        }
    }

    /**
     * Writes a consistent copy of the store into {@code target} (which must not exist yet): a RocksDB
     * checkpoint, hard links to the immutable table files where the file system allows, after flushing the
     * memtable. Every write batch is either wholly in it or not at all, so its own checkpoint key says
     * exactly which journal position it holds.
     */
    public void checkpointTo(Path target) {
        try (Checkpoint checkpoint = Checkpoint.create(db)) {
            checkpoint.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new StateException("cannot write a checkpoint of " + dir + " into " + target + ": "
                    + e.getMessage(), e);
        }
    }

    /** Flushes memtables to disk (clean shutdown: restart needs no re-apply). */
    public void flush() {
        flush(true);
    }

    /**
     * Starts writing the memtables to disk and returns at once: what is committed so far becomes durable
     * (with the write-ahead log off) without waiting for it.
     */
    public void flushInBackground() {
        flush(false);
    }

    private void flush(boolean wait) {
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(wait)) {
            db.flush(fo);
        } catch (RocksDBException e) {
            throw new StateException("state flush failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!readOnly) {
                flush();
            }
        } finally {
            db.close();
            writeOptions.close();
            options.close();
            if (flushHook != null) {
                flushHook.close();
            }
        }
    }

    /** Calls the {@link #beforeFlush} action as each flush begins; RocksDB's flush thread waits for it. */
    private static final class FlushHook extends AbstractEventListener {
        volatile Runnable action;
        volatile RuntimeException failure;

        FlushHook() {
            super(EnabledEventCallback.ON_FLUSH_BEGIN);
        }

        @Override
        public void onFlushBegin(RocksDB db, FlushJobInfo info) {
            Runnable a = action;
            if (a == null) {
                return;
            }
            try {
                a.run();
            } catch (RuntimeException e) {
                // The flush goes on (a listener cannot stop it); the partition stops at its next commit.
                failure = e;
            }
        }
    }
}
