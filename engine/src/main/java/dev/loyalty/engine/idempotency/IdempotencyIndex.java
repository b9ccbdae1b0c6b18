package dev.loyalty.engine.idempotency;

import dev.loyalty.engine.state.BinaryReader;
import dev.loyalty.engine.state.BinaryWriter;
import dev.loyalty.engine.state.StateException;
import org.rocksdb.Checkpoint;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Idempotency keys seen at ingest: id → the seq, body hash, ingest time and customer of the event that
 * first carried it. Ids are global, checked before the journal (a mismatch is refused unjournaled), and
 * kept for the configured retention of ingest time. A derived index: rebuilt from the journal after its
 * checkpoint at start, so its own write-ahead log is written but never synced.
 * Callers serialise check-then-put themselves (the engine holds one lock around check, append and put).
 * <pre>
 *   I id              seq(8) hash(8) ingest(8) customer
 *   T ingest(8) id    (expiry order)
 *   P                 journal position up to which every id is in the index
 * </pre>
 */
public final class IdempotencyIndex implements AutoCloseable {

    static {
        RocksDB.loadLibrary();
    }

    private static final byte[] CHECKPOINT = {'P'};

    /** What the index remembers of an id. */
    public record Entry(long seq, long bodyHash, long ingestMs, String customer) {
    }

    private final Options options;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final BinaryWriter writer = new BinaryWriter(256);

    private IdempotencyIndex(Options options, RocksDB db) {
        this.options = options;
        this.db = db;
        this.writeOptions = new WriteOptions().setSync(false);
    }

    public static IdempotencyIndex open(Path dir) {
        try {
            Files.createDirectories(dir);
            Options o = new Options().setCreateIfMissing(true).setMaxBackgroundJobs(1)
                    .setWriteBufferSize(16L << 20);
            return new IdempotencyIndex(o, RocksDB.open(o, dir.toString()));
        } catch (RocksDBException | java.io.IOException e) {
            throw new StateException("cannot open idempotency index at " + dir + ": " + e.getMessage(), e);
        }
    }

    private static byte[] idKey(String id) {
        byte[] s = id.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[s.length + 1];
        k[0] = 'I';
        System.arraycopy(s, 0, k, 1, s.length);
        return k;
    }

    private static byte[] timeKey(long ingestMs, String id) {
        byte[] s = id.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[9 + s.length];
        k[0] = 'T';
        long x = ingestMs ^ Long.MIN_VALUE;
        for (int i = 8; i >= 1; i--) {
            k[i] = (byte) x;
            x >>>= 8;
        }
        System.arraycopy(s, 0, k, 9, s.length);
        return k;
    }

    /** The entry of that id, or null. */
    public Entry get(String id) {
        try {
            byte[] v = db.get(idKey(id));
            if (v == null) {
                return null;
            }
            BinaryReader r = new BinaryReader(v);
            return new Entry(r.readLong(), r.readLong(), r.readLong(), r.readString());
        } catch (RocksDBException e) {
            throw new StateException("idempotency read failed: " + e.getMessage(), e);
        }
    }

    /** Remembers an id (idempotent: the same put twice is harmless). */
    public synchronized void put(String id, Entry e) {
        byte[] v = writer.reset().writeLong(e.seq()).writeLong(e.bodyHash()).writeLong(e.ingestMs())
                .writeString(e.customer()).toBytes();
        try (WriteBatch b = new WriteBatch()) {
            b.put(idKey(id), v);
            b.put(timeKey(e.ingestMs(), id), new byte[0]);
            db.write(writeOptions, b);
        } catch (RocksDBException ex) {
            throw new StateException("idempotency write failed: " + ex.getMessage(), ex);
        }
    }

    /** Journal position up to which the index is complete, or -1. */
    public long checkpoint() {
        try {
            byte[] v = db.get(CHECKPOINT);
            return v == null ? -1 : new BinaryReader(v).readLong();
        } catch (RocksDBException e) {
            throw new StateException("idempotency read failed: " + e.getMessage(), e);
        }
    }

    /** Makes everything put so far durable, then records that position as complete. */
    public synchronized void checkpoint(long position) {
        try {
            db.flushWal(true);
            db.put(writeOptions, CHECKPOINT, writer.reset().writeLong(position).toBytes());
        } catch (RocksDBException e) {
            throw new StateException("idempotency checkpoint failed: " + e.getMessage(), e);
        }
    }

    /** Forgets ids first seen before that ingest time; returns how many. */
    public int expireBefore(long ingestMs) {
        int n = 0;
        try (Slice lower = new Slice(new byte[] {'T'});
             Slice upper = new Slice(timeKey(ingestMs, ""));
             ReadOptions ro = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
             RocksIterator it = db.newIterator(ro);
             WriteBatch b = new WriteBatch()) {
            for (it.seek(new byte[] {'T'}); it.isValid() && n < 100_000; it.next()) {
                byte[] k = it.key();
                String id = new String(k, 9, k.length - 9, StandardCharsets.UTF_8);
                Entry e = get(id);
                if (e != null && e.ingestMs() < ingestMs) {
                    b.delete(idKey(id));
                }
                b.delete(k);
                n++;
            }
            if (n > 0) {
                db.write(writeOptions, b);
            }
        } catch (RocksDBException e) {
            throw new StateException("idempotency expiry failed: " + e.getMessage(), e);
        }
        return n;
    }

    /** Writes a consistent copy of the index into {@code target} (which must not exist yet). */
    public void checkpointTo(Path target) {
        try (Checkpoint checkpoint = Checkpoint.create(db)) {
            checkpoint.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new StateException("cannot write a checkpoint of the idempotency index into " + target + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            // closing anyway; the index is rebuilt from the journal
        }
        db.close();
        writeOptions.close();
        options.close();
    }
}
