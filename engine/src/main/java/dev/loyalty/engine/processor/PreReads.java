package dev.loyalty.engine.processor;

import dev.loyalty.engine.state.Keys;
import dev.loyalty.engine.state.PartitionStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The stored records of the customers one journal record names and the table does not hold, read in one RocksDB
 * {@code multiGet} (sorted keys) before the record is applied; each is handed once to the load that needs it
 * ({@link #take}). Valid while the record is applied: the store changes only at a commit, between records, and a
 * customer written to make room meanwhile is found among the pending rows first. Arrays reused from record to
 * record; owned by the partition thread.
 */
final class PreReads {
    /** {@link #take}'s answer for a customer read and not stored (a new one). */
    static final byte[] NOT_STORED = new byte[0];
    /** Customers read at once at most; the record's others are read one by one when met. */
    static final int MAX = 1024;

    private final String[] ids = new String[MAX];
    private final byte[][] keys = new byte[MAX][];
    private final byte[][] values = new byte[MAX][];
    /** Entry numbers in key order, for the read. */
    private final int[] order = new int[MAX];
    /** Open addressing by id: entry + 1, 0 for empty; at most half full. */
    private final int[] index = new int[2 * MAX];
    private final ArrayList<byte[]> sorted = new ArrayList<>(MAX);
    private int count;

    int size() {
        return count;
    }

    /** Adds a customer to read (once however often the record names it); false when already full. */
    boolean add(String id) {
        int mask = index.length - 1;
        int i = spread(id.hashCode()) & mask;
        for (int e; (e = index[i]) != 0; i = (i + 1) & mask) {
            if (ids[e - 1].equals(id)) {
                return true;
            }
        }
        if (count == MAX) {
            return false;
        }
        ids[count] = id;
        keys[count] = Keys.customer(id);
        values[count] = null;
        count++;
        index[i] = count;
        return true;
    }

    /** Reads every customer added, in key order, in one multiGet. */
    void readFrom(PartitionStore store) {
        if (count == 0) {
            return;
        }
        // insertion sort of a record's few dozen keys: no allocation, no boxing
        for (int i = 0; i < count; i++) {
            int e = i;
            int j = i - 1;
            while (j >= 0 && Arrays.compareUnsigned(keys[order[j]], keys[e]) > 0) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = e;
        }
        sorted.clear();
        for (int i = 0; i < count; i++) {
            sorted.add(keys[order[i]]);
        }
        List<byte[]> got = store.multiGet(sorted);
        for (int i = 0; i < count; i++) {
            byte[] v = got.get(i);
            values[order[i]] = v == null ? NOT_STORED : v;
        }
        sorted.clear();
    }

    /**
     * The customer's stored record as read, {@link #NOT_STORED} when it was read and absent, or null when it was
     * not read (or handed out already: a second load of the record reads the store or the pending rows again).
     */
    byte[] take(String id) {
        if (count == 0) {
            return null;
        }
        int mask = index.length - 1;
        for (int i = spread(id.hashCode()) & mask, e; (e = index[i]) != 0; i = (i + 1) & mask) {
            if (ids[e - 1].equals(id)) {
                byte[] v = values[e - 1];
                values[e - 1] = null;
                return v;
            }
        }
        return null;
    }

    /** Forgets the record's customers (drops the references: the arrays stay). */
    void clear() {
        if (count == 0) {
            return;
        }
        Arrays.fill(ids, 0, count, null);
        Arrays.fill(keys, 0, count, null);
        Arrays.fill(values, 0, count, null);
        Arrays.fill(index, 0);
        count = 0;
    }

    private static int spread(int h) {
        int x = h * 0x9E3779B9;
        return x ^ (x >>> 15);
    }
}
