package dev.loyalty.engine.derived;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/**
 * The outcome log of a partition: records {@code seq, ingestMs, outcome bytes} with increasing seqs, and a
 * sparse in-memory index (the first record of each segment, then one record every {@code indexSpacing}
 * bytes) so that a lookup is a binary search and a short forward read. A sealed segment's index entries and
 * latest ingest time are kept beside it in {@code <start>.idx}, so opening reads only the last segment;
 * a missing side file is rebuilt from its segment. Owned by the partition thread.
 */
final class OutcomeLog implements SegmentedLog.Listener, AutoCloseable {
    /** Body before the outcome bytes: seq, ingest time. */
    static final int FIXED = 16;
    private static final String INDEX_SUFFIX = ".idx";
    private static final int INDEX_MAGIC = 0x4f494458;

    private final SegmentedLog log;
    private final long indexSpacing;
    /** What a lookup reads at once: the stretch between two index entries and a record past it. */
    private final int lookupRead;
    private long[] seqs = new long[1024];
    private long[] positions = new long[1024];
    private int size;
    private long lastSeq = Long.MIN_VALUE;
    private long lastIndexed = Long.MIN_VALUE;
    /**
     * The index, {@link #lastSeq} and the last segment's tag cover the last segment to its end: appends keep them
     * so, a lenient scan that stopped at a torn or zeroed record does not.
     */
    private boolean indexedToEnd = true;
    /** Records read by the open's and the truncation's scans (tests: what a start reads). */
    private long recordsScanned;

    OutcomeLog(Path dir, long segmentBytes, int bufferBytes, long indexSpacing) {
        this.indexSpacing = indexSpacing;
        this.lookupRead = (int) Math.min(SegmentedLog.SCAN_READ, indexSpacing + SegmentedLog.HOP_READ);
        this.log = new SegmentedLog(dir, segmentBytes, bufferBytes, 64 << 10, this);
        for (Segment s : log.segments()) {
            if (!s.sealed || !loadSideFile(s)) {
                // The last segment may end in bytes a crash left half-written or zeroed: index what is whole;
                // the open then truncates to the committed mark and re-reads that part strictly.
                boolean whole = scan(s, !s.sealed);
                if (!s.sealed) {
                    indexedToEnd = whole;
                }
                if (s.sealed) {
                    writeSideFile(s);
                }
            }
        }
    }

    long start() {
        return log.start();
    }

    long end() {
        return log.end();
    }

    /** Seq of the last outcome appended, or {@link Long#MIN_VALUE} when the log holds none. */
    long lastSeq() {
        return lastSeq;
    }

    /** Appends the outcome of {@code seq} (greater than every seq before it); returns its position. */
    long append(long seq, long ingestMs, byte[] outcome, int offset, int length) {
        if (seq <= lastSeq) {
            throw new IllegalArgumentException("outcome seq " + seq + " not after " + lastSeq);
        }
        long position = log.beginRecord(FIXED + length);
        log.writeBuffer().putLong(seq).putLong(ingestMs).put(outcome, offset, length);
        Segment seg = log.segments().get(log.segments().size() - 1);
        noteRecord(seg, position, seq, ingestMs);
        return position;
    }

    private void noteRecord(Segment seg, long position, long seq, long ingestMs) {
        if (position == seg.start || position - lastIndexed >= indexSpacing) {
            addIndex(seq, position);
        }
        if (ingestMs > seg.tag) {
            seg.tag = ingestMs;
        }
        lastSeq = seq;
    }

    private void addIndex(long seq, long position) {
        if (size == seqs.length) {
            seqs = Arrays.copyOf(seqs, size * 2);
            positions = Arrays.copyOf(positions, size * 2);
        }
        seqs[size] = seq;
        positions[size] = position;
        size++;
        lastIndexed = position;
    }

    /** The outcome bytes of {@code seq}, or null when the log does not hold it (never appended, or dropped). */
    byte[] outcome(long seq) {
        if (size == 0 || seq < seqs[0] || seq > lastSeq) {
            return null;
        }
        int lo = 0;
        int hi = size - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (seqs[mid] <= seq) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        long end = log.end();
        for (long p = positions[lo]; p < end; ) {
            int len = log.recordLength(p, lookupRead);
            ByteBuffer b = log.read(p, SegmentedLog.HEADER + len, lookupRead);
            int at = b.position() + SegmentedLog.HEADER;
            long s = b.getLong(at);
            if (s == seq) {
                byte[] out = new byte[len - FIXED];
                b.get(at + FIXED, out);
                return out;
            }
            if (s > seq) {
                return null;
            }
            p += SegmentedLog.HEADER + len;
        }
        return null;
    }

    /** Writes staged records out and returns the end position (part of the mark a snapshot commits). */
    long flush() {
        log.flushBuffer();
        log.noteWritten();
        return log.end();
    }

    void sync() {
        log.sync();
    }

    void forceWritten() {
        log.forceWritten();
    }

    /** Drops everything at or after {@code mark} (see {@link SegmentedLog#truncateTo}). */
    void truncateTo(long mark) {
        Segment last = log.segments().get(log.segments().size() - 1);
        // The open after a clean stop (the mark is the log's end): nothing goes, and the open's lenient scan went
        // through the whole last segment without meeting a record the strict one would refuse (its checks are the
        // same), so a second scan would find what the index already holds: up to 64 MiB read again per partition.
        boolean nothingDropped = indexedToEnd && mark == log.end() && last.start < mark;
        log.truncateTo(mark);
        if (nothingDropped) {
            return;
        }
        Segment active = log.segments().get(log.segments().size() - 1);
        int keep = size;
        while (keep > 0 && positions[keep - 1] >= active.start) {
            keep--;
        }
        size = keep;
        lastIndexed = size == 0 ? Long.MIN_VALUE : positions[size - 1];
        lastSeq = size == 0 ? Long.MIN_VALUE : lastSeqFrom(positions[size - 1], active.start);
        active.tag = Long.MIN_VALUE;
        scan(active, false);
        indexedToEnd = true;
    }

    /** Seq of the last record in [from, to). */
    private long lastSeqFrom(long from, long to) {
        long seq = Long.MIN_VALUE;
        for (long p = from; p < to; ) {
            int len = log.recordLength(p, SegmentedLog.SCAN_READ);
            ByteBuffer b = log.read(p, SegmentedLog.HEADER + FIXED, SegmentedLog.SCAN_READ);
            seq = b.getLong(b.position() + SegmentedLog.HEADER);
            p += SegmentedLog.HEADER + len;
        }
        return seq;
    }

    /**
     * Drops sealed segments, oldest first, whose outcomes were all ingested before {@code horizonMs} and that
     * end at or below {@code committed} (the mark of the last snapshot: recovery never needs them back).
     */
    int forgetBefore(long horizonMs, long committed) {
        int dropped = log.dropOldest(s -> s.sealed && s.tag < horizonMs && s.end() <= committed);
        if (dropped > 0) {
            long start = log.start();
            int from = 0;
            while (from < size && positions[from] < start) {
                from++;
            }
            System.arraycopy(seqs, from, seqs, 0, size - from);
            System.arraycopy(positions, from, positions, 0, size - from);
            size -= from;
        }
        return dropped;
    }

    /**
     * Indexes the records of {@code s}; a bad record ends the scan when {@code lenient}, else fails it. True when
     * the scan reached the segment's end.
     */
    private boolean scan(Segment s, boolean lenient) {
        for (long p = s.start; p < s.end(); ) {
            int len = p + SegmentedLog.HEADER + FIXED <= s.end()
                    ? log.recordLength(p, s.end(), SegmentedLog.SCAN_READ) : -1;
            if (len < FIXED) {
                if (lenient) {
                    return false;
                }
                throw new DerivedLogException("outcome log " + log.dir() + ": no whole record at " + p
                        + " (a torn or zeroed write below the committed mark: restore a backup or rebuild the state"
                        + " with a replay)");
            }
            ByteBuffer b = log.read(p, SegmentedLog.HEADER + FIXED, SegmentedLog.SCAN_READ);
            int at = b.position() + SegmentedLog.HEADER;
            long seq = b.getLong(at);
            if (seq <= lastSeq) {
                if (lenient) {
                    return false;
                }
                throw new DerivedLogException("outcome log " + log.dir() + ": seq " + seq + " at " + p
                        + " does not follow " + lastSeq);
            }
            noteRecord(s, p, seq, b.getLong(at + 8));
            recordsScanned++;
            p += SegmentedLog.HEADER + len;
        }
        return true;
    }

    /** Records the scans of this log read so far (tests). */
    long recordsScanned() {
        return recordsScanned;
    }

    private Path sideFile(Segment s) {
        return log.dir().resolve(String.format("%020d%s", s.start, INDEX_SUFFIX));
    }

    /** Loads a sealed segment's index entries; false when its side file is missing or does not fit it. */
    private boolean loadSideFile(Segment s) {
        Path f = sideFile(s);
        if (!Files.exists(f)) {
            return false;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
            if (b.remaining() < 32 || b.getInt() != INDEX_MAGIC) {
                return false;
            }
            int n = b.getInt();
            long length = b.getLong();
            if (length != s.length || b.remaining() != 8 + 8 + 16L * n) {
                return false;
            }
            s.tag = b.getLong();
            lastSeq = b.getLong();
            for (int i = 0; i < n; i++) {
                addIndex(b.getLong(), b.getLong());
            }
            return true;
        } catch (IOException e) {
            throw new DerivedLogException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    private void writeSideFile(Segment s) {
        int from = size;
        while (from > 0 && positions[from - 1] >= s.start) {
            from--;
        }
        int n = size - from;
        ByteBuffer b = ByteBuffer.allocate(32 + 16 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(INDEX_MAGIC).putInt(n).putLong(s.length).putLong(s.tag).putLong(lastSeq);
        for (int i = from; i < size; i++) {
            b.putLong(seqs[i]).putLong(positions[i]);
        }
        Path f = sideFile(s);
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        try {
            Files.write(tmp, b.array());
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new DerivedLogException("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void sealed(Segment s) {
        writeSideFile(s);
    }

    @Override
    public void reopened(Segment s) {
        deleteSideFile(s);
    }

    @Override
    public void dropped(Segment s) {
        deleteSideFile(s);
    }

    private void deleteSideFile(Segment s) {
        try {
            Files.deleteIfExists(sideFile(s));
        } catch (IOException e) {
            throw new DerivedLogException("cannot delete " + sideFile(s) + ": " + e.getMessage(), e);
        }
    }

    /** See {@link SegmentedLog#firstDifference}. */
    String firstDifference(OutcomeLog other) {
        return SegmentedLog.firstDifference(log, other.log);
    }

    @Override
    public void close() {
        log.close();
    }
}
