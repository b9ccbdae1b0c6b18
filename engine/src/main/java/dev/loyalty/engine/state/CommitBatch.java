package dev.loyalty.engine.state;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The pending RocksDB write batch of one partition. Customer rows and due keys, a commit's many puts, go through
 * two reused direct buffers ({@code WriteBatch}'s direct put reads them in place), so a put allocates no key or
 * value array on the Java side and no copies on the native side (the array put copies both into native memory
 * first). Values longer than the value buffer (a hot customer's row) take the array path. Owned by the partition
 * thread.
 */
public final class CommitBatch implements AutoCloseable {
    /** Largest value put through the direct buffer; a typical row is 100-600 bytes. */
    static final int DIRECT_VALUE = 64 << 10;
    /** Largest key put through the direct buffer (ids are short; longer ones take the array path). */
    static final int DIRECT_KEY = 1 << 10;
    private static final byte[] EMPTY = new byte[0];

    private final ByteBuffer key = ByteBuffer.allocateDirect(DIRECT_KEY);
    private final ByteBuffer value = ByteBuffer.allocateDirect(DIRECT_VALUE);
    private final ByteBuffer empty = ByteBuffer.allocateDirect(0);
    private WriteBatch batch = new WriteBatch();

    /** Puts a key and value given as arrays. */
    public void put(byte[] k, byte[] v) {
        try {
            batch.put(k, v);
        } catch (RocksDBException e) {
            throw failed(e);
        }
    }

    public void delete(byte[] k) {
        try {
            batch.delete(k);
        } catch (RocksDBException e) {
            throw failed(e);
        }
    }

    /** Puts the customer's row ({@link Keys#customer}) from the first {@code length} bytes of {@code v}. */
    public void putCustomer(String id, byte[] v, int length) {
        if (length > DIRECT_VALUE || !customerKey(id)) {
            put(Keys.customer(id), Arrays.copyOf(v, length));
            return;
        }
        value.clear();
        value.put(v, 0, length).flip();
        try {
            batch.put(key, value);
        } catch (RocksDBException e) {
            throw failed(e);
        }
    }

    /** Puts the empty due key {@link Keys#due}. */
    public void putDue(long dueMs, String id) {
        if (!dueKey(dueMs, id)) {
            put(Keys.due(dueMs, id), EMPTY);
            return;
        }
        empty.clear();
        try {
            batch.put(key, empty);
        } catch (RocksDBException e) {
            throw failed(e);
        }
    }

    /** Deletes the due key {@link Keys#due}. */
    public void deleteDue(long dueMs, String id) {
        if (!dueKey(dueMs, id)) {
            delete(Keys.due(dueMs, id));
            return;
        }
        try {
            batch.delete(key);
        } catch (RocksDBException e) {
            throw failed(e);
        }
    }

    /** Bytes in the batch. */
    public long dataSize() {
        return batch.getDataSize();
    }

    /**
     * Writes the batch atomically and starts an empty one (a new batch, not a cleared one: a cleared batch keeps
     * the native capacity of the largest commit, up to tens of MB a partition).
     */
    public void commitTo(PartitionStore store) {
        store.commit(batch);
        batch.close();
        batch = new WriteBatch();
    }

    /**
     * Hands the batch over for another thread to write and close, and starts an empty one (the direct buffers stay
     * here: only the native batch travels).
     */
    public WriteBatch take() {
        WriteBatch full = batch;
        batch = new WriteBatch();
        return full;
    }

    @Override
    public void close() {
        batch.close();
    }

    /** The customer key in {@link #key} (ready to read); false when the id is not ASCII or too long for it. */
    private boolean customerKey(String id) {
        int n = id.length();
        if (n + 1 > DIRECT_KEY) {
            return false;
        }
        key.clear();
        key.put(Keys.CUSTOMER);
        if (!putAscii(id, n)) {
            return false;
        }
        key.flip();
        return true;
    }

    private boolean dueKey(long dueMs, String id) {
        int n = id.length();
        if (n + 9 > DIRECT_KEY) {
            return false;
        }
        key.clear();
        key.put(Keys.DUE).putLong(dueMs ^ Long.MIN_VALUE); // big-endian, sign flipped: Keys.putLong's bytes
        if (!putAscii(id, n)) {
            return false;
        }
        key.flip();
        return true;
    }

    /** ASCII chars as bytes (UTF-8 of ASCII); false at the first other char (the caller takes the array path). */
    private boolean putAscii(String id, int n) {
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            if (c >= 0x80) {
                return false;
            }
            key.put((byte) c);
        }
        return true;
    }

    private static StateException failed(RocksDBException e) {
        return new StateException("write batch failed: " + e.getMessage(), e);
    }
}
