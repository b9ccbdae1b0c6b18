package dev.loyalty.engine.journal;

import dev.loyalty.engine.event.Event;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;
import java.util.List;

/**
 * Writes a journal the way engines before journal format 2 did (kept here as the format-1 fixture): a header of
 * the bare type byte, first seq, ingest time and clock offset; the payload as today.
 */
public final class FormatOneJournal implements AutoCloseable {
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private long nextSeq = 1;

    public FormatOneJournal(Path dir) {
        queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_DAILY).build();
        appender = queue.createAppender();
    }

    /** One events record; returns its first seq. */
    public long events(long ingestMs, List<Event> events) {
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> b = header(dc, RecordType.EVENTS, ingestMs, 0);
            b.writeStopBit(events.size());
            for (Event e : events) {
                b.writeInt(PartitionHash.of(e.customer()));
                long lengthAt = b.writePosition();
                b.writeInt(0);
                EventCodec.write(b, e, 0);
                b.writeInt(lengthAt, (int) (b.writePosition() - lengthAt - Integer.BYTES));
            }
        }
        long first = nextSeq;
        nextSeq += events.size();
        return first;
    }

    /** A heartbeat, or a clock record carrying the new offset. */
    public long bare(RecordType type, long ingestMs, long offsetMs) {
        try (DocumentContext dc = appender.writingDocument()) {
            header(dc, type, ingestMs, offsetMs);
        }
        return nextSeq++;
    }

    private Bytes<?> header(DocumentContext dc, RecordType type, long ingestMs, long offsetMs) {
        Bytes<?> b = dc.wire().bytes();
        b.writeByte(type.code());
        b.writeLong(nextSeq);
        b.writeLong(ingestMs);
        b.writeLong(offsetMs);
        return b;
    }

    @Override
    public void close() {
        appender.close();
        queue.close();
    }
}
