package dev.loyalty.engine.idempotency;

import dev.loyalty.engine.state.BinaryWriter;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The id index's on-disk keys, and the writer that puts an id's entry into a batch without allocating (direct
 * buffers reused by their single owner, the thread holding the index's lock):
 * <pre>
 *   I id                         seq(8) hash(8) ingest(8) customer
 *   F oldest(8) flush(8)         the ids of one flush (or of up to {@link #IDS_PER_FLUSH_KEY} of them): expiry order
 *   T ingest(8) id               expiry order as written before the F keys, one key per id (read, never written)
 *   N                            the next flush number
 *   P                            journal position up to which every id is in the index
 * </pre>
 * Times are big-endian with the sign bit flipped, so keys sort by time.
 */
final class IdKeys {

    static final byte ID = 'I';
    static final byte FLUSH = 'F';
    static final byte LEGACY_TIME = 'T';
    static final byte[] NEXT_FLUSH = {'N'};
    /** Ids listed under one F key at most: bounds the value's size (a backlog flush holds up to 100K ids). */
    static final int IDS_PER_FLUSH_KEY = 4096;

    private ByteBuffer key = ByteBuffer.allocateDirect(256);
    private ByteBuffer value = ByteBuffer.allocateDirect(256);
    private final BinaryWriter scratch = new BinaryWriter(256);

    /** Puts {@code I id -> entry} into the batch (one JNI call, no array made for the key or the value). */
    void putEntry(WriteBatch batch, String id, IdempotencyIndex.Entry e) throws RocksDBException {
        scratch.reset().writeByte(ID);
        writeRaw(scratch, id);
        key = copied(key, scratch);
        scratch.reset().writeLong(e.seq()).writeLong(e.bodyHash()).writeLong(e.ingestMs()).writeString(e.customer());
        value = copied(value, scratch);
        batch.put(key, value);
    }

    private static ByteBuffer copied(ByteBuffer into, BinaryWriter w) {
        ByteBuffer b = into.capacity() >= w.length() ? into : ByteBuffer.allocateDirect(Math.max(w.length(), 2 * into.capacity()));
        b.clear();
        b.put(w.buffer(), 0, w.length());
        b.flip();
        return b;
    }

    /** The id's UTF-8 bytes, without a length (the key's end is the id's end). */
    private static void writeRaw(BinaryWriter w, String id) {
        int n = id.length();
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            if (c >= 0x80) {
                for (byte b : id.substring(i).getBytes(StandardCharsets.UTF_8)) {
                    w.writeByte(b);
                }
                return;
            }
            w.writeByte(c);
        }
    }

    static byte[] idKey(String id) {
        byte[] s = id.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[s.length + 1];
        k[0] = ID;
        System.arraycopy(s, 0, k, 1, s.length);
        return k;
    }

    /** The id of an {@code I} key. */
    static String idOf(byte[] idKey) {
        return new String(idKey, 1, idKey.length - 1, StandardCharsets.UTF_8);
    }

    /** {@code F oldest flush}: sorts by the oldest ingest time of the ids it lists. */
    static byte[] flushKey(long oldestMs, long flush) {
        byte[] k = new byte[17];
        k[0] = FLUSH;
        writeTime(k, 1, oldestMs);
        long x = flush;
        for (int i = 16; i >= 9; i--) {
            k[i] = (byte) x;
            x >>>= 8;
        }
        return k;
    }

    /** The flush number of an {@code F} key. */
    static long flushOf(byte[] flushKey) {
        long x = 0;
        for (int i = 9; i < 17; i++) {
            x = (x << 8) | (flushKey[i] & 0xff);
        }
        return x;
    }

    /** The prefix before every {@code F} or {@code T} key of ids older than {@code ingestMs}: an upper bound. */
    static byte[] timePrefix(byte kind, long ingestMs) {
        byte[] k = new byte[9];
        k[0] = kind;
        writeTime(k, 1, ingestMs);
        return k;
    }

    private static void writeTime(byte[] k, int at, long ingestMs) {
        long x = ingestMs ^ Long.MIN_VALUE;
        for (int i = at + 7; i >= at; i--) {
            k[i] = (byte) x;
            x >>>= 8;
        }
    }

    /** The id of a legacy {@code T ingest id} key. */
    static String idOfLegacyTime(byte[] timeKey) {
        return new String(timeKey, 9, timeKey.length - 9, StandardCharsets.UTF_8);
    }

    /** The ingest time of a stored {@code I} value. */
    static long ingestOf(byte[] entry) {
        long x = 0;
        for (int i = 16; i < 24; i++) {
            x = (x << 8) | (entry[i] & 0xff);
        }
        return x;
    }
}
