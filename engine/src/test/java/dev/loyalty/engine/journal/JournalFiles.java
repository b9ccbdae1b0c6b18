package dev.loyalty.engine.journal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Damages a journal's files behind Chronicle's back, as a disk or a stray write would. */
public final class JournalFiles {
    /** Chronicle files are sparse and large: records of a test sit in the first megabytes. */
    private static final int SCAN = 16 << 20;

    private JournalFiles() {
    }

    /**
     * Flips one bit of the first occurrence of {@code marker} (a string written into one record) in the
     * journal's daily files; fails when no file holds it.
     */
    public static void flipByteOf(Path journalDir, String marker) throws IOException {
        flip(journalDir, marker, marker.length() - 1, 0x01);
    }

    /**
     * XORs {@code bits} into the byte {@code delta} bytes from where {@code marker} starts (negative: before it)
     * in the journal's daily files; fails when no file holds the marker.
     */
    public static void flip(Path journalDir, String marker, int delta, int bits) throws IOException {
        byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
        List<Path> files;
        try (Stream<Path> s = Files.list(journalDir)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".cq4")).sorted().toList();
        }
        for (Path f : files) {
            try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                byte[] head = new byte[(int) Math.min(SCAN, raf.length())];
                raf.readFully(head);
                int at = indexOf(head, needle);
                if (at >= 0) {
                    raf.seek(at + delta);
                    raf.write(head[at + delta] ^ bits);
                    return;
                }
            }
        }
        throw new AssertionError("no journal file holds " + marker);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
