package dev.loyalty.api.importer;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;

/**
 * Counts the characters handed to the CSV parser since the current record began and refuses too many: a
 * quote never closed would otherwise read the rest of a file into one value in memory. The count runs
 * ahead of the parser by its read-ahead buffer, so the limit is approximate. Single-threaded.
 */
final class CsvRecordLimit extends FilterReader {

    /** Thrown through the parser when a record exceeds the limit. */
    static final class TooLong extends IOException {
        private static final long serialVersionUID = 1L;

        TooLong(long maxChars) {
            super("a CSV record longer than " + maxChars + " characters");
        }
    }

    private final long maxChars;
    private long count;

    CsvRecordLimit(Reader in, long maxChars) {
        super(in);
        this.maxChars = maxChars;
    }

    /** The parser is about to read the next record. */
    void startRecord() {
        count = 0;
    }

    @Override
    public int read() throws IOException {
        int c = super.read();
        if (c >= 0 && ++count > maxChars) {
            throw new TooLong(maxChars);
        }
        return c;
    }

    @Override
    public int read(char[] buffer, int off, int len) throws IOException {
        int n = super.read(buffer, off, len);
        if (n > 0 && (count += n) > maxChars) {
            throw new TooLong(maxChars);
        }
        return n;
    }
}
