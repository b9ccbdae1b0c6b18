package dev.loyalty.engine.idempotency;

import dev.loyalty.engine.state.BinaryReader;
import dev.loyalty.engine.state.BinaryWriter;
import dev.loyalty.engine.state.StateException;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
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
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Idempotency keys seen at ingest: id → the seq, body hash, ingest time and customer of the event that
 * first carried it. Ids are global, checked before the journal (a mismatch is refused unjournaled), and
 * kept for the configured retention of ingest time. A derived index: rebuilt from the journal after its
 * checkpoint at start, so its own write-ahead log is synced only by a {@link #checkpoint(long)}, before the
 * position it records (the position must never claim an id that a crash could lose). The log stays on: without
 * it that position would be durable only once a memtable flush made it so, and a start after a crash would
 * re-read that much journal (16 MB of ids: seconds of a bulk run, hours of a quiet engine) instead of a second.
 * Callers serialise check-then-put per id themselves (the engine locks the id's shard around check, append
 * and put).
 *
 * <p>An in-memory filter ({@link IdFilter}) of every id put or stored answers most lookups of new ids
 * without RocksDB: {@link #inMemory} tells a caller on an event loop whether {@link #get} may read the
 * disk. Until the filter has read the ids of earlier runs (a background scan at open, or later: see
 * {@link #startFilterScan}) it answers "maybe";
 * a new scan now and then drops expired ids from it (see {@link #rescanFilterWhenWorthIt}).
 *
 * <p>Writes are behind: {@link #put} only records the entry in memory, where {@link #get} finds it at once,
 * and {@link #flush} (called every 100 ms by the engine, before every {@link #checkpoint} and at
 * close) writes everything recorded in one batch. A request thread thus never waits for RocksDB's write
 * path, and the index costs one write per flush instead of one per id. The memory is bounded: past
 * {@link #MAX_PENDING} unwritten ids, {@code put} flushes itself. Each id costs one key ({@code I}); the
 * expiry order costs one key per flush ({@code F}: its ids, under the oldest's ingest time), not one per id
 * (the {@code T} keys of indexes written before, still read and expired). Layout: {@link IdKeys}.
 */
public final class IdempotencyIndex implements AutoCloseable {

    static {
        RocksDB.loadLibrary();
    }

    private static final byte[] CHECKPOINT = {'P'};
    /** Ids an expiry pass reads at most (whole flush keys): bounds the time it holds this object's lock. */
    static final int MAX_EXPIRED_PER_PASS = 100_000;

    /** What the index remembers of an id. */
    public record Entry(long seq, long bodyHash, long ingestMs, String customer) {

        /** True while the id is remembered: first journaled no more than {@code retentionMs} before {@code nowMs}. */
        public boolean retainedAt(long nowMs, long retentionMs) {
            return nowMs - ingestMs <= retentionMs;
        }
    }

    private final Options options;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final BinaryWriter writer = new BinaryWriter(256);
    /** The keys of {@link #flush} (guarded by this). */
    private final IdKeys keys = new IdKeys();
    /** The ids of the flush key being filled (guarded by this). */
    private final BinaryWriter flushIds = new BinaryWriter(16 << 10);
    /** The ids and entries a flush writes, to drop from {@code pending} after its write (guarded by this). */
    private String[] writtenIds = new String[1024];
    private Entry[] writtenEntries = new Entry[1024];
    private int collected;
    private final java.util.function.BiConsumer<String, Entry> collect = this::collect;
    /** The number of the next F key (guarded by this); stored under {@code N} in each flush's batch. */
    private long nextFlush;
    /** Whether the last expiry pass stopped at {@link #MAX_EXPIRED_PER_PASS} with older ids left. */
    private volatile boolean expiryBehind;
    /** Entries put but not yet written; an entry leaves only after its write. */
    private final ConcurrentHashMap<String, Entry> pending = new ConcurrentHashMap<>();

    /** Unwritten ids beyond which {@link #put} writes them itself. */
    static final int MAX_PENDING = 100_000;
    /** {@link #put} compares the unwritten ids with {@link #MAX_PENDING} when its id's hash has these bits clear. */
    private static final int SIZE_CHECK_MASK = 63;
    /** Filter bits at least (2^26: 8 MiB, ~0.1% false "maybe" at 2M ids), at most (2^28: 32 MiB, ~0.5% at 16M). */
    private static final int FILTER_MIN_LOG2_BITS = 26;
    private static final int FILTER_MAX_LOG2_BITS = 28;
    /** Bits per stored id when a scan sizes its filter: ~0.5% false "maybe", ~3% once the ids doubled. */
    private static final int FILTER_BITS_PER_ID = 16;
    /** Ids put since the last scan before a new scan is worth it (besides having doubled). */
    static final long RESCAN_MIN_PUTS = 1_000_000;

    /**
     * The filter lookups trust: every id put since it was made, and every id stored when its scan began.
     * Null until the first scan (at open, or when {@link #startFilterScan} is called) finished: lookups read
     * RocksDB meanwhile. Bits are never cleared,
     * so expired ids stay in it until the next scan builds a fresh one.
     */
    private volatile IdFilter filter;
    /** The filter a scan is building, or null; {@link #put} adds to it too. */
    private volatile IdFilter building;
    /** Every put since open; {@link #putsAtScan} of them before the last scan began. */
    private final LongAdder puts = new LongAdder();
    private volatile long putsAtScan;
    private volatile long storedAtScan;
    private final long rescanMinPuts;
    private volatile boolean closing;
    /** The running or last scan (guarded by this). */
    private Thread scan;

    private IdempotencyIndex(Options options, RocksDB db, long rescanMinPuts, boolean scanNow)
            throws RocksDBException {
        this.options = options;
        this.db = db;
        this.rescanMinPuts = rescanMinPuts;
        this.writeOptions = new WriteOptions().setSync(false);
        byte[] next = db.get(IdKeys.NEXT_FLUSH);
        this.nextFlush = next == null ? 0 : new BinaryReader(next).readLong();
        if (scanNow) {
            startScan(filterLog2Bits(estimatedIds()));
        }
    }

    /**
     * Starts the first filter scan unless it started (or the index is closing). The engine opens the index
     * without one and calls this once its partitions caught up: the scan reads every stored id (millions with a
     * long retention), CPU that a start on two cores needs for its catch-up; until then lookups read RocksDB.
     */
    public synchronized void startFilterScan() {
        if (scan == null && !closing) {
            startScan(filterLog2Bits(estimatedIds()));
        }
    }

    /** Ids stored, as RocksDB estimates them (one key per id; two in a legacy index: a larger filter), 0 if unknown. */
    private long estimatedIds() {
        try {
            return db.getLongProperty("rocksdb.estimate-num-keys");
        } catch (RocksDBException e) {
            return 0;
        }
    }

    private static int filterLog2Bits(long ids) {
        int log2Bits = 64 - Long.numberOfLeadingZeros(Math.max(1, ids * FILTER_BITS_PER_ID - 1));
        return Math.max(FILTER_MIN_LOG2_BITS, Math.min(FILTER_MAX_LOG2_BITS, log2Bits));
    }

    /**
     * Builds a fresh filter of the stored ids in the background (a long retention may hold millions; the
     * engine must start at once), then lookups trust it. Correct without stopping puts: under this
     * object's lock (so no {@link #flush} moves ids from memory to RocksDB meanwhile) it publishes the new
     * filter to {@link #put}, opens an iterator (a snapshot of RocksDB) and adds the unwritten ids. A put
     * that did not see the new filter had already put its id in memory (put writes {@code pending} first),
     * so its id is either in the snapshot (written before) or among the unwritten ones copied here.
     */
    private synchronized void startScan(int log2Bits) {
        IdFilter next = new IdFilter(log2Bits);
        building = next;
        byte[] from = {'I'};
        Slice lower = new Slice(from);
        Slice upper = new Slice(new byte[] {'I' + 1});
        ReadOptions ro = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper)
                .setFillCache(false);
        RocksIterator it = db.newIterator(ro);
        for (String id : pending.keySet()) {
            next.add(id);
        }
        putsAtScan = puts.sum();
        scan = new Thread(() -> {
            long stored = 0;
            try (lower; upper; ro; it) {
                for (it.seek(from); it.isValid() && !closing; it.next()) {
                    byte[] k = it.key();
                    next.add(IdKeys.idOf(k));
                    stored++;
                }
                if (!closing) {
                    storedAtScan = stored;
                    filter = next;
                }
            } catch (RuntimeException e) {
                // The old filter (or none) stays in use: lookups read RocksDB more often, never wrongly.
            } finally {
                building = null;
            }
        }, "idempotency-filter-scan");
        scan.setDaemon(true);
        scan.start();
    }

    /**
     * Starts a new scan when the ids put since the last one are as many as it found (so scanning costs at
     * most one stored id per id put) and at least {@link #RESCAN_MIN_PUTS}: the fresh filter drops expired
     * ids and is sized for the ids stored now. Called by the engine after each expiry pass.
     */
    public synchronized void rescanFilterWhenWorthIt() {
        long since = puts.sum() - putsAtScan;
        if (closing || scan == null || scan.isAlive() || since < Math.max(rescanMinPuts, storedAtScan)) {
            return;
        }
        startScan(filterLog2Bits(storedAtScan + since));
    }

    /** Waits until the running scan finished; true when lookups then trust a filter (tests; the engine never waits). */
    boolean awaitFilter(long timeoutMs) throws InterruptedException {
        Thread t;
        synchronized (this) {
            t = scan;
        }
        if (t == null) {
            return false; // no scan started
        }
        t.join(timeoutMs);
        return !t.isAlive() && filter != null;
    }

    /**
     * True when {@link #get} of that id surely answers from memory: the id was put and not written yet, or
     * the filter says it was never seen. A recently written id may still read RocksDB's memtable only.
     */
    public boolean inMemory(String id) {
        return inMemory(id, idHash(id));
    }

    /**
     * {@link #inMemory(String)} of the id whose {@link #idHash} is {@code idHash}. The filter first: it clears
     * a new id (the common case) without a look into the unwritten ids.
     */
    public boolean inMemory(String id, long idHash) {
        IdFilter f = filter;
        return (f != null && !f.mightContain(idHash)) || pending.containsKey(id);
    }

    /**
     * The 64-bit hash of an id that {@link #inMemory(String, long)}, {@link #get(String, long, long, long)} and
     * {@link #put(String, long, Entry)} take, so that a caller asking all three of one id hashes it once.
     */
    public static long idHash(String id) {
        return IdFilter.hash(id);
    }

    public static IdempotencyIndex open(Path dir) {
        return open(dir, RESCAN_MIN_PUTS, true);
    }

    /** As {@link #open(Path)}; without the first filter scan unless {@code scanNow} (see {@link #startFilterScan}). */
    public static IdempotencyIndex open(Path dir, boolean scanNow) {
        return open(dir, RESCAN_MIN_PUTS, scanNow);
    }

    /** As {@link #open(Path)}, with a new filter scan worth it after {@code rescanMinPuts} puts (tests). */
    static IdempotencyIndex open(Path dir, long rescanMinPuts) {
        return open(dir, rescanMinPuts, true);
    }

    private static IdempotencyIndex open(Path dir, long rescanMinPuts, boolean scanNow) {
        try {
            Files.createDirectories(dir);
            // Most lookups are of new ids: a bloom filter answers them without reading index blocks. A WAL left by
            // a crash is replayed into the memtable without writing a table file during the open (the start waits
            // for the open; the memtable is flushed later, in the background, as any other).
            Options o = new Options().setCreateIfMissing(true).setMaxBackgroundJobs(1)
                    .setWriteBufferSize(16L << 20).setAvoidFlushDuringRecovery(true)
                    .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10, false)));
            RocksDB db = RocksDB.open(o, dir.toString());
            try {
                return new IdempotencyIndex(o, db, rescanMinPuts, scanNow);
            } catch (RocksDBException | RuntimeException e) {
                db.close();
                throw e;
            }
        } catch (RocksDBException | java.io.IOException e) {
            throw new StateException("cannot open idempotency index at " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The entry of that id if it is still remembered as of {@code nowMs} (ingest clock), else null. The
     * retention is judged here, at lookup, not by {@link #expireBefore}: an id is forgotten the moment the
     * clock passes its retention (also when the clock jumps), whether or not an expiry pass removed it yet,
     * so a running, a restarted and a rebuilt index answer alike.
     */
    public Entry get(String id, long nowMs, long retentionMs) {
        return get(id, idHash(id), nowMs, retentionMs);
    }

    /** {@link #get(String, long, long)} of the id whose {@link #idHash} is {@code idHash}. */
    public Entry get(String id, long idHash, long nowMs, long retentionMs) {
        Entry e = get(id, idHash);
        return e != null && e.retainedAt(nowMs, retentionMs) ? e : null;
    }

    /** The entry of that id as stored, however old, or null. */
    public Entry get(String id) {
        return get(id, idHash(id));
    }

    private Entry get(String id, long idHash) {
        Entry p = pending.get(id);
        if (p != null) {
            return p;
        }
        IdFilter f = filter;
        if (f != null && !f.mightContain(idHash)) {
            return null;
        }
        try {
            byte[] v = db.get(IdKeys.idKey(id));
            if (v == null) {
                return null;
            }
            BinaryReader r = new BinaryReader(v);
            return new Entry(r.readLong(), r.readLong(), r.readLong(), r.readString());
        } catch (RocksDBException e) {
            throw new StateException("idempotency read failed: " + e.getMessage(), e);
        }
    }

    /** Remembers an id (idempotent: the same put twice is harmless); written by the next {@link #flush}. */
    public void put(String id, Entry e) {
        put(id, idHash(id), e);
    }

    /** {@link #put(String, Entry)} of the id whose {@link #idHash} is {@code idHash}. */
    public void put(String id, long idHash, Entry e) {
        // In memory before the filters: a scan starting meanwhile copies it from there (see startScan).
        // Lookups of this id wait for the put to finish (the engine's shard lock), so the order is safe for them.
        pending.put(id, e);
        // The filter being built read first: a scan that ends after this read has made it the filter, so
        // the read of the filter below then finds it (the scan swaps before it clears building).
        IdFilter next = building;
        IdFilter f = filter;
        if (f != null) {
            f.add(idHash);
        }
        if (next != null && next != f) {
            next.add(idHash);
        }
        puts.increment();
        // The bound is checked on about one put in 64 (by the id's hash, no shared counter): the map's size()
        // sums its counter cells, which cost the event loops ~3% of their bulk-path time when done per put.
        // The flush timer keeps it far below the bound anyway; this only stops a stalled timer's backlog.
        if ((id.hashCode() & SIZE_CHECK_MASK) == 0 && pending.size() > MAX_PENDING) {
            flush();
        }
    }

    /**
     * Writes every entry put so far in one batch: an {@code I} key per id and one {@code F} key listing them
     * (per {@link IdKeys#IDS_PER_FLUSH_KEY}); returns how many. Thread-safe.
     */
    public synchronized int flush() {
        if (pending.isEmpty()) {
            return 0;
        }
        // Collected first (forEach hands over key and value without an entry object per id); ids put meanwhile
        // may or may not be among them, and stay for the next flush if not.
        collected = 0;
        pending.forEach(collect);
        int n = collected;
        long flush = nextFlush;
        try (WriteBatch b = new WriteBatch()) {
            long oldestMs = Long.MAX_VALUE;
            int listed = 0;
            flushIds.reset();
            for (int i = 0; i < n; i++) {
                String id = writtenIds[i];
                Entry e = writtenEntries[i];
                keys.putEntry(b, id, e);
                flushIds.writeString(id);
                oldestMs = Math.min(oldestMs, e.ingestMs());
                if (++listed == IdKeys.IDS_PER_FLUSH_KEY) {
                    putFlushKey(b, oldestMs, flush++);
                    oldestMs = Long.MAX_VALUE;
                    listed = 0;
                }
            }
            if (listed > 0) {
                putFlushKey(b, oldestMs, flush++);
            }
            b.put(IdKeys.NEXT_FLUSH, writer.reset().writeLong(flush).toBytes());
            db.write(writeOptions, b);
        } catch (RocksDBException ex) {
            clearCollected(n);
            throw new StateException("idempotency write failed: " + ex.getMessage(), ex);
        }
        nextFlush = flush;
        for (int i = 0; i < n; i++) {
            pending.remove(writtenIds[i], writtenEntries[i]);
        }
        clearCollected(n);
        return n;
    }

    /** Drops the last flush's references, so that its entries do not outlive it in these arrays. */
    private void clearCollected(int n) {
        java.util.Arrays.fill(writtenIds, 0, n, null);
        java.util.Arrays.fill(writtenEntries, 0, n, null);
    }

    private void putFlushKey(WriteBatch b, long oldestMs, long flush) throws RocksDBException {
        b.put(IdKeys.flushKey(oldestMs, flush), flushIds.toBytes());
        flushIds.reset();
    }

    private void collect(String id, Entry e) {
        int i = collected++;
        if (i == writtenIds.length) {
            writtenIds = java.util.Arrays.copyOf(writtenIds, 2 * i);
            writtenEntries = java.util.Arrays.copyOf(writtenEntries, 2 * i);
        }
        writtenIds[i] = id;
        writtenEntries[i] = e;
    }

    /** Every {@link #put} since open, never decreasing: a caller sees whether any id came since it last looked. */
    public long puts() {
        return puts.sum();
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
        flush();
        try {
            db.flushWal(true);
            db.put(writeOptions, CHECKPOINT, writer.reset().writeLong(position).toBytes());
        } catch (RocksDBException e) {
            throw new StateException("idempotency checkpoint failed: " + e.getMessage(), e);
        }
    }

    /**
     * Forgets ids first seen before that ingest time; returns how many. Garbage collection only (lookups
     * judge the retention themselves). Reads at most about {@link #MAX_EXPIRED_PER_PASS} ids (then
     * {@link #expiryBehind} says so). Synchronized with {@link #flush} so that an id reused after its expiry,
     * written between this pass's read and its delete, is not deleted with its old entry.
     */
    public synchronized int expireBefore(long ingestMs) {
        try {
            int[] read = new int[1];
            int n = expireLegacy(ingestMs, read);
            if (read[0] < MAX_EXPIRED_PER_PASS) {
                n += expireFlushes(ingestMs, read);
            }
            expiryBehind = read[0] >= MAX_EXPIRED_PER_PASS;
            return n;
        } catch (RocksDBException e) {
            throw new StateException("idempotency expiry failed: " + e.getMessage(), e);
        }
    }

    /** True when the last {@link #expireBefore} stopped at its bound: older ids may be left for another pass. */
    public boolean expiryBehind() {
        return expiryBehind;
    }

    /**
     * Expires whole flush keys older than the cut-off: deletes each listed id whose stored entry is older (an id
     * reused since has a newer entry, listed in a newer flush key), then the flush key, or rewrites it under
     * the oldest remaining id's time when some of its ids are younger.
     */
    private int expireFlushes(long ingestMs, int[] read) throws RocksDBException {
        int n = 0;
        byte[] from = {IdKeys.FLUSH};
        try (Slice lower = new Slice(from);
             Slice upper = new Slice(IdKeys.timePrefix(IdKeys.FLUSH, ingestMs));
             ReadOptions ro = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
             RocksIterator it = db.newIterator(ro);
             WriteBatch b = new WriteBatch()) {
            List<byte[]> idKeys = new ArrayList<>();
            for (it.seek(from); it.isValid() && read[0] < MAX_EXPIRED_PER_PASS; it.next()) {
                byte[] flushKey = it.key();
                BinaryReader ids = new BinaryReader(it.value());
                idKeys.clear();
                while (ids.hasMore()) {
                    idKeys.add(IdKeys.idKey(ids.readString()));
                }
                read[0] += idKeys.size();
                List<byte[]> entries = db.multiGetAsList(idKeys);
                long oldestKeptMs = Long.MAX_VALUE;
                flushIds.reset();
                for (int i = 0; i < idKeys.size(); i++) {
                    byte[] entry = entries.get(i);
                    if (entry == null) {
                        continue;
                    }
                    long entryMs = IdKeys.ingestOf(entry);
                    if (entryMs < ingestMs) {
                        b.delete(idKeys.get(i));
                        n++;
                    } else {
                        flushIds.writeString(IdKeys.idOf(idKeys.get(i)));
                        oldestKeptMs = Math.min(oldestKeptMs, entryMs);
                    }
                }
                b.delete(flushKey);
                if (oldestKeptMs != Long.MAX_VALUE) {
                    // Keeps its number: flush numbers are unique, so the new key is too.
                    putFlushKey(b, oldestKeptMs, IdKeys.flushOf(flushKey));
                }
            }
            if (b.count() > 0) {
                db.write(writeOptions, b);
            }
        }
        return n;
    }

    /** Expires the per-id {@code T} keys of an index written before the flush keys (they drain within the retention). */
    private int expireLegacy(long ingestMs, int[] read) throws RocksDBException {
        int n = 0;
        byte[] from = {IdKeys.LEGACY_TIME};
        try (Slice lower = new Slice(from);
             Slice upper = new Slice(IdKeys.timePrefix(IdKeys.LEGACY_TIME, ingestMs));
             ReadOptions ro = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
             RocksIterator it = db.newIterator(ro);
             WriteBatch b = new WriteBatch()) {
            for (it.seek(from); it.isValid() && read[0] < MAX_EXPIRED_PER_PASS; it.next()) {
                byte[] k = it.key();
                String id = IdKeys.idOfLegacyTime(k);
                Entry e = get(id);
                if (e != null && e.ingestMs() < ingestMs) {
                    b.delete(IdKeys.idKey(id));
                    n++;
                }
                b.delete(k);
                read[0]++;
            }
            if (b.count() > 0) {
                db.write(writeOptions, b);
            }
        }
        return n;
    }

    /** Writes a consistent copy of the index into {@code target} (which must not exist yet). */
    public void checkpointTo(Path target) {
        flush();
        try (Checkpoint checkpoint = Checkpoint.create(db)) {
            checkpoint.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new StateException("cannot write a checkpoint of the idempotency index into " + target + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closing = true;
            t = scan;
        }
        // The scan must be off the database before it closes (a native iterator outliving it crashes).
        boolean interrupted = false;
        while (t != null && t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        try {
            flush();
            db.flushWal(true);
            // The memtable into a table file now: else the next open replays the WAL (up to 16 MiB of ids) and,
            // before setAvoidFlushDuringRecovery, wrote it out again, ~0.25-0.9 s of every start after a clean
            // stop (bench/results/2026-12-07-startup.txt); here it costs the stop about the same, once.
            try (FlushOptions waitForIt = new FlushOptions().setWaitForFlush(true)) {
                db.flush(waitForIt);
            }
        } catch (RocksDBException | StateException e) {
            // closing anyway; the index is rebuilt from the journal
        }
        db.close();
        writeOptions.close();
        options.close();
    }
}
