package dev.loyalty.engine.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The warm tier of one partition: the encoded rows ({@link CoreCustomerCodec} bytes) of the customers it last wrote
 * or loaded, kept in a bounded log of large byte arrays with an open-addressing index by id, so that a table miss
 * decodes from memory instead of reading RocksDB (a get's JNI crossing, memtables and block search were most of a
 * miss's cost). Owned by the partition thread.
 *
 * <p>It never serves a stale row as long as its owner keeps one rule: every customer row written or loaded goes
 * through {@link #put} (a newer record replaces the older at once) or {@link #remove}. It then holds, per id,
 * exactly the bytes last put, or nothing: a row too large to keep is removed, and space is reclaimed only by
 * dropping whole records.
 *
 * <p>Layout: {@code segments} of {@code segmentBytes} each (allocated as first needed: a small partition takes what
 * it uses), used as a ring, appended at the head. A record is {@code [id hash int][payload length int][id length
 * short][id UTF-8][payload]}; a record never spans segments. When the head moves into the last free segment, the
 * oldest segment is evacuated: its records still indexed are copied to the new head (at most half a segment, so
 * that every move frees room for new records; the rest of them are dropped: the least recently written), then
 * it becomes free. Copy-forward keeps the working set in memory while it fits with some room; dropping bounds the
 * work to one byte copied per byte appended. Plain on-heap arrays rather than off-heap memory or a library cache:
 * no pointers for the collector to trace, no allocation per get or put, the heap bound stays the one bound.
 */
public final class WarmRows {
    /** Largest segment: a few MiB keeps one evacuation's copy short. */
    static final int MAX_SEGMENT = 4 << 20;
    /** Smallest segment (tests give small budgets: evacuations all the time). */
    static final int MIN_SEGMENT = 4 << 10;
    /** Segments a tier needs at least (a head, one in use, one free): a budget under 32 KiB keeps nothing. */
    static final int MIN_SEGMENTS = 4;
    /** Largest tier (record references are ints below 2^30). */
    public static final long MAX_BYTES = 1L << 30;
    private static final int HEADER = 10;

    private final int segmentBytes;
    private final byte[][] segments;
    /** Bytes used in each segment (the end of its last record). */
    private final int[] used;
    private int head;
    private int tail;
    /** Segments in use, head included (0 before the first put). */
    private int inUse;
    /**
     * Open addressing, at most half full: per entry the id's {@code String.hashCode} in the high half and the
     * record's reference + 1 (segment × segmentBytes + offset) in the low half; 0 for empty.
     */
    private long[] index = new long[64];
    /** Longest {@link #index}: a sixty-fourth of the budget in slots, an eighth of it in bytes. */
    private final int maxIndex;
    private int count;
    private long liveBytes;

    /** A tier of about {@code budgetBytes} (at most {@link #MAX_BYTES}); one too small to be useful keeps nothing. */
    public WarmRows(long budgetBytes) {
        long budget = Math.max(0, Math.min(budgetBytes, MAX_BYTES));
        int seg = Math.max(MIN_SEGMENT, Math.min(MAX_SEGMENT, Integer.highestOneBit(
                (int) Math.max(1, budget / 64))));
        // The index counts against the budget too: the segments get what its longest leaves (rows averaging over
        // ~112 bytes, as every customer's row with its header does, fill the segments before the index).
        this.maxIndex = Math.max(index.length, Integer.highestOneBit((int) Math.max(1, budget / 64)));
        int n = (int) ((budget - 8L * maxIndex) / seg);
        this.segmentBytes = seg;
        this.segments = new byte[n >= MIN_SEGMENTS ? n : 0][];
        this.used = new int[segments.length];
    }

    /** The most bytes this tier allocates, segments and index (0: it keeps nothing). */
    public long capacityBytes() {
        return segments.length == 0 ? 0 : (long) segments.length * segmentBytes + 8L * maxIndex;
    }

    /** Bytes of its segments and index allocated now: at most the budget it was given. */
    public long allocatedBytes() {
        long n = 8L * index.length;
        for (byte[] s : segments) {
            if (s != null) {
                n += s.length;
            }
        }
        return n;
    }

    /** Bytes of the records it serves (headers included). */
    public long liveBytes() {
        return liveBytes;
    }

    /** Customers it holds a row of. */
    public int size() {
        return count;
    }

    /** The reference of that customer's record, or -1 when it holds none. */
    public int find(String id) {
        if (count == 0) {
            return -1;
        }
        int h = id.hashCode();
        int mask = index.length - 1;
        for (int i = spread(h) & mask; ; i = (i + 1) & mask) {
            long e = index[i];
            if (e == 0) {
                return -1;
            }
            if ((int) (e >>> 32) == h) {
                int ref = (int) e - 1;
                if (sameId(ref, id)) {
                    return ref;
                }
            }
        }
    }

    /** The array holding the record {@code ref} ({@link #find}): valid until the next {@link #put}. */
    public byte[] array(int ref) {
        return segments[ref / segmentBytes];
    }

    /** Where the record's payload starts in {@link #array}. */
    public int offset(int ref) {
        int at = ref % segmentBytes;
        return at + HEADER + getShort(segments[ref / segmentBytes], at + 8);
    }

    /** The record's payload length. */
    public int length(int ref) {
        int at = ref % segmentBytes;
        return getInt(segments[ref / segmentBytes], at + 4);
    }

    /**
     * Keeps {@code length} bytes of {@code src} from {@code from} as the customer's row, replacing any it held; a row
     * too large for a segment's half (a customer of thousands of lots) is not kept, and any older one goes.
     */
    public void put(String id, byte[] src, int from, int length) {
        remove(id);
        int idLength = utf8Length(id);
        int need = HEADER + idLength + length;
        if (segments.length == 0 || idLength > 0xFFFF || need > segmentBytes / 2) {
            return;
        }
        if (2 * (count + 1) > maxIndex) {
            advance(); // the index is as long as it may be: drop (or move) the oldest segment's rows
            if (2 * (count + 1) > maxIndex) {
                return; // not kept (the older row is gone already)
            }
        }
        int ref = reserve(need);
        byte[] s = segments[head];
        int at = ref % segmentBytes;
        int h = id.hashCode();
        putInt(s, at, h);
        putInt(s, at + 4, length);
        s[at + 8] = (byte) (idLength >>> 8);
        s[at + 9] = (byte) idLength;
        writeId(id, idLength, s, at + HEADER);
        System.arraycopy(src, from, s, at + HEADER + idLength, length);
        insert(h, ref);
        liveBytes += need;
    }

    /** Forgets the customer's row, if it holds one. */
    public void remove(String id) {
        if (count == 0) {
            return;
        }
        int h = id.hashCode();
        int mask = index.length - 1;
        for (int i = spread(h) & mask; ; i = (i + 1) & mask) {
            long e = index[i];
            if (e == 0) {
                return;
            }
            if ((int) (e >>> 32) == h && sameId((int) e - 1, id)) {
                liveBytes -= recordBytes((int) e - 1);
                deleteAt(i);
                return;
            }
        }
    }

    /** Forgets every row (the segments stay allocated). */
    public void clear() {
        Arrays.fill(index, 0);
        Arrays.fill(used, 0);
        count = 0;
        liveBytes = 0;
        inUse = 0;
        head = 0;
        tail = 0;
    }

    /** Room for {@code need} bytes at the head (moving it, and evacuating the oldest segment, as needed). */
    private int reserve(int need) {
        if (inUse == 0) {
            head = 0;
            tail = 0;
            inUse = 1;
            used[0] = 0;
            allocate(0);
        } else if (used[head] + need > segmentBytes) {
            advance();
        }
        int ref = head * segmentBytes + used[head];
        used[head] += need;
        return ref;
    }

    private void advance() {
        if (inUse == 0) {
            return;
        }
        head = head + 1 == segments.length ? 0 : head + 1;
        used[head] = 0;
        allocate(head);
        inUse++;
        if (inUse == segments.length) {
            evacuate(tail);
            tail = tail + 1 == segments.length ? 0 : tail + 1;
            inUse--;
        }
    }

    private void allocate(int segment) {
        if (segments[segment] == null) {
            segments[segment] = new byte[segmentBytes];
        }
    }

    /** Copies the live records of that segment to the head (up to half a segment), drops the others. */
    private void evacuate(int segment) {
        byte[] s = segments[segment];
        byte[] to = segments[head];
        int budget = segmentBytes / 2;
        int mask = index.length - 1;
        for (int at = 0, end = used[segment]; at < end; ) {
            int h = getInt(s, at);
            int size = HEADER + getShort(s, at + 8) + getInt(s, at + 4);
            int ref = segment * segmentBytes + at;
            int i = spread(h) & mask;
            long e;
            while ((e = index[i]) != 0 && (int) e != ref + 1) {
                i = (i + 1) & mask;
            }
            if (e != 0) { // still the customer's row
                if (size <= budget) {
                    int into = used[head];
                    System.arraycopy(s, at, to, into, size);
                    used[head] = into + size;
                    budget -= size;
                    index[i] = ((long) h << 32) | (head * segmentBytes + into + 1L);
                } else {
                    liveBytes -= size;
                    deleteAt(i);
                }
            }
            at += size;
        }
        used[segment] = 0;
    }

    private int recordBytes(int ref) {
        byte[] s = segments[ref / segmentBytes];
        int at = ref % segmentBytes;
        return HEADER + getShort(s, at + 8) + getInt(s, at + 4);
    }

    private void insert(int h, int ref) {
        if (2 * (count + 1) > index.length) {
            grow();
        }
        int mask = index.length - 1;
        int i = spread(h) & mask;
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = ((long) h << 32) | (ref + 1L);
        count++;
    }

    private void grow() {
        long[] old = index;
        index = new long[old.length * 2];
        int mask = index.length - 1;
        for (long e : old) {
            if (e != 0) {
                int i = spread((int) (e >>> 32)) & mask;
                while (index[i] != 0) {
                    i = (i + 1) & mask;
                }
                index[i] = e;
            }
        }
    }

    /** Backward-shift deletion of the entry at {@code gap}: probe chains stay unbroken without tombstones. */
    private void deleteAt(int gap) {
        int mask = index.length - 1;
        for (int j = (gap + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
            int home = spread((int) (index[j] >>> 32)) & mask;
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                index[gap] = index[j];
                gap = j;
            }
        }
        index[gap] = 0;
        count--;
    }

    private boolean sameId(int ref, String id) {
        byte[] s = segments[ref / segmentBytes];
        int at = ref % segmentBytes;
        int length = getShort(s, at + 8);
        int p = at + HEADER;
        int n = id.length();
        if (n == length) {
            boolean ascii = true;
            for (int i = 0; i < n; i++) {
                char c = id.charAt(i);
                if (c >= 0x80) {
                    ascii = false;
                    break;
                }
                if (s[p + i] != (byte) c) {
                    return false;
                }
            }
            if (ascii) {
                return true;
            }
        } else if (n > length) {
            return false; // UTF-8 is never shorter than the UTF-16 chars it encodes
        }
        byte[] utf8 = id.getBytes(StandardCharsets.UTF_8); // non-ASCII ids: rare
        return Arrays.equals(utf8, 0, utf8.length, s, p, p + length);
    }

    private static int utf8Length(String id) {
        int n = id.length();
        for (int i = 0; i < n; i++) {
            if (id.charAt(i) >= 0x80) {
                return id.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return n;
    }

    private static void writeId(String id, int length, byte[] s, int p) {
        if (length == id.length()) {
            for (int i = 0; i < length; i++) {
                s[p + i] = (byte) id.charAt(i);
            }
        } else {
            byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(utf8, 0, s, p, length);
        }
    }

    private static int getInt(byte[] b, int p) {
        return (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff);
    }

    private static int getShort(byte[] b, int p) {
        return (b[p] & 0xff) << 8 | (b[p + 1] & 0xff);
    }

    private static void putInt(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 24);
        b[p + 1] = (byte) (v >>> 16);
        b[p + 2] = (byte) (v >>> 8);
        b[p + 3] = (byte) v;
    }

    private static int spread(int stringHash) {
        int h = stringHash * 0x9E3779B9;
        return h ^ (h >>> 15);
    }
}
