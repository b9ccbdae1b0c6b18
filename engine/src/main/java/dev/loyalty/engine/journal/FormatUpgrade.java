package dev.loyalty.engine.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.BufferUnderflowException;
import java.nio.file.Path;

/**
 * Copies a journal of format 1 into a new journal of format 2, record by record: same types, seqs, ingest
 * times, clock offsets and payloads (the payload layout did not change), each under a format-2 header with its
 * CRC and partition mask. Chronicle positions differ in the copy, so state written against the old journal does
 * not carry over: it is rebuilt from the copy. The source is only read.
 */
public final class FormatUpgrade {

    private FormatUpgrade() {
    }

    /** What was copied. */
    public record Copied(long records, long lastSeq) {
    }

    /**
     * Copies every record of the format-1 journal in {@code from} into a new journal in {@code to}.
     *
     * @throws dev.loyalty.engine.config.ConfigException when the journal does not start at seq 1
     * @throws JournalCorruptException when {@code from} holds a record that is not format 1 (already upgraded,
     *                                 or damaged), or seqs that do not follow each other
     */
    public static Copied copy(Path from, Path to, int partitions) {
        long records = 0;
        long expectedSeq = -1;
        try (SingleChronicleQueue source = SingleChronicleQueueBuilder.binary(from).rollCycle(RollCycles.FAST_DAILY)
                .readOnly(true).build();
             ExcerptTailer tailer = source.createTailer();
             ChronicleJournal target = ChronicleJournal.open(to, IngestClock.systemWall(), DiskSpaceGuard.off(to),
                     partitions)) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    Bytes<?> b = dc.wire().bytes();
                    byte code = b.readByte();
                    if (code < 1 || code > 4) {
                        throw new JournalCorruptException("the journal record at position " + Long.toHexString(dc.index())
                                + " is not a format-1 record (tag " + code + "): nothing to upgrade, or a damaged journal");
                    }
                    RecordType type = RecordType.of(code);
                    long firstSeq = b.readLong();
                    long ingestMs = b.readLong();
                    long offsetMs = b.readLong();
                    if (expectedSeq < 0 && firstSeq != 1) {
                        throw new dev.loyalty.engine.config.ConfigException("the journal of " + from + " starts at seq "
                                + firstSeq + " (journal.retention dropped its oldest files): the state cannot be "
                                + "rebuilt from a copy of it. Keep serving that folder with the engine version that "
                                + "wrote it");
                    }
                    if (expectedSeq >= 0 && firstSeq != expectedSeq) {
                        throw new JournalCorruptException("the format-1 journal jumps from seq " + (expectedSeq - 1)
                                + " to " + firstSeq + " at position " + Long.toHexString(dc.index()));
                    }
                    int count = 1;
                    if (type == RecordType.EVENTS) {
                        long at = b.readPosition();
                        count = (int) b.readStopBit();
                        b.readPosition(at);
                    }
                    target.appendCopy(type, firstSeq, count, ingestMs, offsetMs, b);
                    expectedSeq = firstSeq + count;
                    records++;
                } catch (BufferUnderflowException e) {
                    throw new JournalCorruptException("a format-1 record ends early (" + e + "): a damaged journal", e);
                }
            }
        }
        return new Copied(records, expectedSeq - 1);
    }
}
