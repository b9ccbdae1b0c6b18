package dev.loyalty.engine.derived;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * An append-only log of length-prefixed records addressed by logical position (bytes since the log's
 * start), kept in segment files named by their start position. Where a segment ends depends only on the
 * records appended (a record that would take a segment past {@code segmentBytes} starts the next one), so
 * the same appends give the same files byte for byte. Records are staged in a reusable direct buffer and
 * written with positional writes; appending allocates nothing. Sealed segments are read in place through a
 * read-only mapping, the last one through positional reads into a reusable window. Not thread-safe: one owner
 * thread appends and reads; only {@link #forceWritten()} may run on other threads (it serializes its callers).
 */
final class SegmentedLog implements AutoCloseable {
    /** Record header: the body's length. */
    static final int HEADER = 4;
    /** Bytes read at once when following a chain to scattered positions: a page, little past one record. */
    static final int HOP_READ = 4 << 10;
    /** Bytes read at once when reading on through consecutive records. */
    static final int SCAN_READ = 64 << 10;

    /** Told when segments change role, for side files that describe a segment. */
    interface Listener {
        /** No record will be appended to {@code s} any more (its length is final). */
        void sealed(Segment s);

        /** A truncation made the sealed {@code s} the last segment again. */
        void reopened(Segment s);

        /** {@code s}'s file is about to be deleted. */
        void dropped(Segment s);

        Listener NONE = new Listener() {
            @Override
            public void sealed(Segment s) {
            }

            @Override
            public void reopened(Segment s) {
            }

            @Override
            public void dropped(Segment s) {
            }
        };
    }

    private final Path dir;
    private final long segmentBytes;
    private final Listener listener;
    private final List<Segment> segments = new ArrayList<>();
    /** Sealed since the last {@link #noteWritten()}: forced later, not at the roll. */
    private final List<Segment> sealedUnsynced = new ArrayList<>();
    /** Files written and noted but not forced yet; guarded by itself (read by {@link #forceWritten()}). */
    private final Set<Path> unforced = new HashSet<>();
    /**
     * Held across a whole {@link #forceWritten()}: a second caller (the committer, while the flush thread forces)
     * must not find the set emptied by the first and return before those files are on the device.
     */
    private final Object forcing = new Object();
    private ByteBuffer writeBuffer;
    /** Logical position of the write buffer's first byte. */
    private long bufferStart;
    private ByteBuffer window;
    /** Logical position of the read window's first byte, its valid bytes; -1 when empty. */
    private long windowStart = -1;
    private int windowLength;
    private boolean closed;

    /**
     * Opens the log in {@code dir} (created if missing) as its files stand; the caller truncates it to its
     * committed mark before appending.
     */
    SegmentedLog(Path dir, long segmentBytes, int bufferBytes, int windowBytes, Listener listener) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.listener = listener;
        this.writeBuffer = ByteBuffer.allocateDirect(bufferBytes).order(ByteOrder.LITTLE_ENDIAN);
        this.window = ByteBuffer.allocateDirect(windowBytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            Files.createDirectories(dir);
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(Segment.SUFFIX)).sorted().toList();
            }
            for (Path f : files) {
                String name = f.getFileName().toString();
                long start = parseStart(f, name);
                long length = Files.size(f);
                Segment last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
                if (last != null && last.end() != start) {
                    throw new DerivedLogException("derived log " + dir + " has a gap or overlap: " + last.file
                            + " ends at " + last.end() + " but " + name + " starts at " + start);
                }
                segments.add(new Segment(start, f, length));
            }
            for (int i = 0; i < segments.size() - 1; i++) {
                segments.get(i).sealed = true;
            }
            if (segments.isEmpty()) {
                segments.add(new Segment(0, dir.resolve(Segment.fileName(0)), 0));
                segments.get(0).channel();
            }
            bufferStart = end();
        } catch (IOException e) {
            throw new DerivedLogException("cannot open derived log " + dir + ": " + e.getMessage(), e);
        }
    }

    private long parseStart(Path f, String name) {
        String digits = name.substring(0, name.length() - Segment.SUFFIX.length());
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new DerivedLogException("unexpected file in derived log " + dir + ": " + f, e);
        }
    }

    Path dir() {
        return dir;
    }

    /** First position still kept (later than 0 once old segments were dropped). */
    long start() {
        return segments.get(0).start;
    }

    /** Position the next record will get: everything appended so far lies below it. */
    long end() {
        return last().end();
    }

    /** Segments, oldest first (the last one is appended to); not to be changed by the caller. */
    List<Segment> segments() {
        return segments;
    }

    private Segment last() {
        return segments.get(segments.size() - 1);
    }

    /**
     * Starts a record of {@code bodyLength} bytes and returns its position; the caller then puts exactly
     * that many bytes into {@link #writeBuffer()} before the next call.
     */
    long beginRecord(int bodyLength) {
        int total = HEADER + bodyLength;
        Segment seg = last();
        if (seg.length > 0 && seg.length + total > segmentBytes) {
            roll();
            seg = last();
        }
        if (writeBuffer.remaining() < total) {
            flushBuffer();
            if (writeBuffer.capacity() < total) {
                // A record larger than the buffer: rare, grow once rather than split writes.
                writeBuffer = ByteBuffer.allocateDirect(Integer.highestOneBit(total) << 1)
                        .order(ByteOrder.LITTLE_ENDIAN);
            }
        }
        long position = seg.end();
        writeBuffer.putInt(bodyLength);
        seg.length += total;
        return position;
    }

    ByteBuffer writeBuffer() {
        return writeBuffer;
    }

    /** Writes staged records to the segment file (the page cache): they survive a crash of the process. */
    void flushBuffer() {
        if (writeBuffer.position() == 0) {
            return;
        }
        writeBuffer.flip();
        Segment seg = last();
        try {
            FileChannel ch = seg.channel();
            long fileOffset = bufferStart - seg.start;
            while (writeBuffer.hasRemaining()) {
                fileOffset += ch.write(writeBuffer, fileOffset);
            }
        } catch (IOException e) {
            throw new DerivedLogException("cannot write derived log " + seg.file + ": " + e.getMessage(), e);
        }
        writeBuffer.clear();
        bufferStart = seg.end();
    }

    /** Flushes, and forces to the device every segment written since the last sync. */
    void sync() {
        flushBuffer();
        noteWritten();
        forceWritten();
    }

    /**
     * Notes the files the writes so far reached (segments sealed since, and the last one), for the next
     * {@link #forceWritten()}. Call after {@link #flushBuffer()} at a mark; owner thread.
     */
    void noteWritten() {
        synchronized (unforced) {
            for (Segment s : sealedUnsynced) {
                unforced.add(s.file);
            }
            unforced.add(last().file);
        }
        sealedUnsynced.clear();
    }

    /**
     * Forces to the device every file noted by {@link #noteWritten()} since the last force: what the marks
     * noted by then point into. Safe from any thread (it opens the files by name; a file dropped or truncated
     * away since needs nothing).
     */
    void forceWritten() {
        synchronized (forcing) {
            forceNoted();
        }
    }

    private void forceNoted() {
        Path[] files;
        synchronized (unforced) {
            if (unforced.isEmpty()) {
                return;
            }
            files = unforced.toArray(new Path[0]);
            unforced.clear();
        }
        for (Path f : files) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                ch.force(false);
            } catch (NoSuchFileException e) {
                // dropped since (retention, truncation): nothing of it is needed any more
            } catch (IOException e) {
                synchronized (unforced) {
                    unforced.add(f);
                }
                throw new DerivedLogException("cannot sync derived log " + f + ": " + e.getMessage(), e);
            }
        }
    }

    private void roll() {
        flushBuffer();
        Segment sealed = last();
        try {
            sealed.close();
            sealedUnsynced.add(sealed);
        } catch (IOException e) {
            throw new DerivedLogException("cannot seal derived log " + sealed.file + ": " + e.getMessage(), e);
        }
        sealed.sealed = true;
        listener.sealed(sealed);
        long start = sealed.end();
        Segment next = new Segment(start, dir.resolve(Segment.fileName(start)), 0);
        segments.add(next);
        try {
            next.channel();
        } catch (IOException e) {
            throw new DerivedLogException("cannot create derived log " + next.file + ": " + e.getMessage(), e);
        }
        bufferStart = start;
    }

    /**
     * Drops everything at or after {@code mark}. Below the first kept position, every segment goes and the log
     * starts again, empty, at {@code mark} (what lay below was dropped as too old anyway).
     *
     * @throws DerivedLogException when the log ends before {@code mark} (its files lost bytes the state had
     *                             already committed)
     */
    void truncateTo(long mark) {
        flushBuffer();
        invalidateWindow();
        if (mark > end()) {
            throw new DerivedLogException("derived log " + dir + " ends at " + end() + ", before the committed mark "
                    + mark + ": its files lost data the state already reflects (restore a backup or rebuild the "
                    + "state with a replay)");
        }
        try {
            if (mark < start()) {
                while (!segments.isEmpty()) {
                    deleteLast();
                }
                Segment fresh = new Segment(mark, dir.resolve(Segment.fileName(mark)), 0);
                segments.add(fresh);
                fresh.channel();
            } else {
                // A segment starting exactly at the mark goes too: the next append re-creates it if it must.
                while (segments.size() > 1 && last().start >= mark) {
                    deleteLast();
                }
                Segment seg = last();
                if (seg.sealed) {
                    seg.sealed = false;
                    seg.unmap();
                    sealedUnsynced.remove(seg);
                    listener.reopened(seg);
                }
                seg.length = mark - seg.start;
                seg.channel().truncate(seg.length);
                seg.channel().force(false);
            }
        } catch (IOException e) {
            throw new DerivedLogException("cannot truncate derived log " + dir + ": " + e.getMessage(), e);
        }
        bufferStart = end();
    }

    private void deleteLast() throws IOException {
        Segment s = segments.remove(segments.size() - 1);
        sealedUnsynced.remove(s);
        s.unmap();
        listener.dropped(s);
        s.close();
        Files.deleteIfExists(s.file);
    }

    /** Deletes sealed segments, oldest first, while {@code drop} says so; never the last segment. */
    int dropOldest(java.util.function.Predicate<Segment> drop) {
        int n = 0;
        invalidateWindow();
        try {
            while (segments.size() > 1 && drop.test(segments.get(0))) {
                Segment s = segments.remove(0);
                sealedUnsynced.remove(s);
                s.unmap();
                listener.dropped(s);
                s.close();
                Files.deleteIfExists(s.file);
                n++;
            }
        } catch (IOException e) {
            throw new DerivedLogException("cannot drop derived log segment in " + dir + ": " + e.getMessage(), e);
        }
        return n;
    }

    /** {@link #read(long, int, int)} for a hop. */
    ByteBuffer read(long position, int length) {
        return read(position, length, HOP_READ);
    }

    /**
     * A buffer holding the {@code length} bytes at {@code position} from its current position on (valid until
     * the next call on this log), having read up to {@code readAhead} bytes from there when they were not in
     * memory yet. Staged records are written out first, so everything appended is readable.
     */
    ByteBuffer read(long position, int length, int readAhead) {
        if (position < start() || position + length > end()) {
            throw new DerivedLogException("derived log " + dir + ": read of " + length + " bytes at " + position
                    + " outside [" + start() + ", " + end() + ")");
        }
        if (windowStart >= 0 && position >= windowStart && position + length <= windowStart + windowLength) {
            return window.limit(windowLength).position((int) (position - windowStart));
        }
        if (position + length > bufferStart) {
            flushBuffer();
        }
        Segment seg = segmentOf(position);
        if (position + length > seg.end()) {
            throw new DerivedLogException("derived log " + dir + ": record at " + position + " crosses the end of "
                    + seg.file + " (a corrupt length)");
        }
        if (seg.sealed) {
            // Sealed bytes never change: read them in place. Chain hops land anywhere in the log, and a
            // positional read per hop (a system call and a copy) cost ~10 times a page of RocksDB keys.
            try {
                return seg.mapped().limit((int) seg.length).position((int) (position - seg.start));
            } catch (IOException e) {
                throw new DerivedLogException("cannot map derived log " + seg.file + ": " + e.getMessage(), e);
            }
        }
        if (window.capacity() < length) {
            window = ByteBuffer.allocateDirect(Integer.highestOneBit(length) << 1).order(ByteOrder.LITTLE_ENDIAN);
        }
        long readable = seg == last() ? bufferStart : seg.end();
        int want = (int) Math.min(Math.min(window.capacity(), Math.max(length, readAhead)), readable - position);
        window.clear().limit(want);
        try {
            FileChannel ch = seg.channel();
            long fileOffset = position - seg.start;
            while (window.hasRemaining()) {
                int n = ch.read(window, fileOffset + window.position());
                if (n < 0) {
                    throw new DerivedLogException("derived log " + seg.file + " is shorter than expected");
                }
            }
        } catch (IOException e) {
            invalidateWindow();
            throw new DerivedLogException("cannot read derived log " + seg.file + ": " + e.getMessage(), e);
        }
        windowStart = position;
        windowLength = want;
        return window.position(0);
    }

    /** Body length of the record at {@code position} (read as a hop, or as a scan with {@code readAhead}). */
    int recordLength(long position, int readAhead) {
        int len = recordLength(position, end(), readAhead);
        if (len < 0) {
            throw new DerivedLogException("derived log " + dir + ": corrupt record length at " + position);
        }
        return len;
    }

    /** Body length of the record at {@code position}; -1 when negative or when the body would pass {@code limit}. */
    int recordLength(long position, long limit, int readAhead) {
        ByteBuffer b = read(position, HEADER, readAhead);
        int len = b.getInt(b.position());
        return len < 0 || position + HEADER + len > limit ? -1 : len;
    }

    /**
     * Where two logs first differ over the positions both keep (their ends must be the same), or null when
     * they hold the same bytes there and split them into the same segments.
     */
    static String firstDifference(SegmentedLog a, SegmentedLog b) {
        if (a.end() != b.end()) {
            return "ends at " + a.end() + " in " + a.dir + ", " + b.end() + " in " + b.dir;
        }
        long p = Math.max(a.start(), b.start());
        while (p < a.end()) {
            Segment sa = a.segmentOf(p);
            Segment sb = b.segmentOf(p);
            if (sa.end() != sb.end()) {
                return "segments end at " + sa.end() + " in " + a.dir + ", " + sb.end() + " in " + b.dir;
            }
            int n = (int) Math.min(32 << 10, sa.end() - p);
            ByteBuffer x = a.read(p, n);
            ByteBuffer y = b.read(p, n);
            int at = x.slice(x.position(), n).mismatch(y.slice(y.position(), n));
            if (at >= 0) {
                return "byte at position " + (p + at) + " of " + a.dir + " and " + b.dir;
            }
            p += n;
        }
        return null;
    }

    private Segment segmentOf(long position) {
        int lo = 0;
        int hi = segments.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (segments.get(mid).start <= position) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return segments.get(lo);
    }

    private void invalidateWindow() {
        windowStart = -1;
        windowLength = 0;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        try {
            flushBuffer();
        } finally {
            for (Segment s : segments) {
                try {
                    s.close();
                } catch (IOException e) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw new UncheckedIOException("cannot close derived log " + dir, failure);
        }
    }
}
