package dev.loyalty.engine.derived;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** One file of a {@link SegmentedLog}: the bytes of the log from logical position {@link #start} on. */
final class Segment {
    /** File names are the start position in 20 digits, so that name order is position order. */
    static final String SUFFIX = ".log";

    final long start;
    final Path file;
    /** Bytes of the log in this segment (written to the file or still in the log's write buffer). */
    long length;
    /** No more appends: its length is final (every segment but the last). */
    boolean sealed;
    /** A figure the log's owner keeps per segment (the outcome log: the latest ingest time in it). */
    long tag = Long.MIN_VALUE;
    private FileChannel channel;
    /** The sealed segment mapped for reads (no copy, no system call per read), or null. */
    private MappedByteBuffer mapped;

    Segment(long start, Path file, long length) {
        this.start = start;
        this.file = file;
        this.length = length;
    }

    static String fileName(long start) {
        return String.format("%020d%s", start, SUFFIX);
    }

    long end() {
        return start + length;
    }

    /** The open channel, opened on first use (read and write: the last segment is appended through it). */
    FileChannel channel() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        }
        return channel;
    }

    /**
     * The sealed segment's bytes, mapped on first use; its channel is closed then (the mapping outlives it, and
     * is released by the collector once the segment is dropped: a dropped file's space is freed then).
     */
    MappedByteBuffer mapped() throws IOException {
        if (mapped == null) {
            mapped = channel().map(FileChannel.MapMode.READ_ONLY, 0, length);
            mapped.order(ByteOrder.LITTLE_ENDIAN);
            close();
        }
        return mapped;
    }

    /** Forgets the mapping (the segment is appended to again, or goes). */
    void unmap() {
        mapped = null;
    }

    void close() throws IOException {
        if (channel != null) {
            FileChannel c = channel;
            channel = null;
            c.close();
        }
    }
}
