package dev.loyalty.engine.whatif;

import dev.loyalty.engine.journal.JournalReader;
import dev.loyalty.engine.journal.RecordHeader;
import net.openhft.chronicle.bytes.Bytes;

/**
 * A journal reader that ends before the first record past a seq or an ingest time: what a running engine
 * appends after the run started, and what {@code --to} leaves out, is never read on.
 */
final class BoundedReader implements JournalReader, JournalReader.RecordVisitor {
    private final JournalReader reader;
    private final long lastSeq;
    private final long toMs;
    private RecordVisitor visitor;
    private boolean ended;

    /** Ends after seq {@code lastSeq} and before any record with an ingest time above {@code toMs}. */
    BoundedReader(JournalReader reader, long lastSeq, long toMs) {
        this.reader = reader;
        this.lastSeq = lastSeq;
        this.toMs = toMs;
    }

    @Override
    public boolean next(RecordVisitor v) {
        if (ended) {
            return false;
        }
        visitor = v;
        return reader.next(this) && !ended;
    }

    @Override
    public void onRecord(long position, RecordHeader header, Bytes<?> payload) {
        if (header.firstSeq() > lastSeq || header.ingestMs() > toMs) {
            ended = true;
            return;
        }
        visitor.onRecord(position, header, payload);
    }

    @Override
    public void seekAfter(long position) {
        reader.seekAfter(position);
    }

    @Override
    public void close() {
        reader.close();
    }
}
