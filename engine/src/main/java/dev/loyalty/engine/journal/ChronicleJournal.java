package dev.loyalty.engine.journal;

import dev.loyalty.engine.LoyaltyEngine.Submitted;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The journal on Chronicle Queue: one memory-mapped queue shared by all partitions (daily files), records in
 * journal format 2 ({@link RecordHeader}: a CRC32C per record, a partition mask in the header).
 * Any thread may append (each gets its own appender); the queue's write lock orders records, and the
 * seq and ingest time are taken inside it, so both only grow in journal order.
 */
public final class ChronicleJournal implements Journal {

    /** One file per UTC day, named {@code yyyyMMdd'F'.cq4}. */
    private static final RollCycles ROLL_CYCLE = RollCycles.FAST_DAILY;
    private static final String FILE_SUFFIX = ".cq4";
    private static final DateTimeFormatter FILE_DAY = DateTimeFormatter.ofPattern(ROLL_CYCLE.format());

    private final SingleChronicleQueue queue;
    private final DiskSpaceGuard diskSpace;
    private final IngestClock clock;
    private final AtomicLong lastSeq;
    /** Written under the queue's write lock only; read by metrics from any thread. */
    private final LongAdder bytesAppended = new LongAdder();
    private final ThreadLocal<Appender> appenders;
    private final List<ExcerptAppender> allAppenders = new ArrayList<>();
    /** Partition count the header masks are written for (0: no mask, every partition reads every record). */
    private final int partitions;
    private volatile File lastFile;
    private volatile boolean closed;

    /** A thread's appender and its CRC scratch. */
    private record Appender(ExcerptAppender excerpts, RecordCrc crc) {
    }

    private ChronicleJournal(SingleChronicleQueue queue, DiskSpaceGuard diskSpace, LongSupplier wallMs,
                             int partitions) {
        this.queue = queue;
        this.diskSpace = diskSpace;
        this.partitions = partitions;
        long[] restored;
        try {
            checkFormat(queue);
            restored = restore(queue);
        } catch (RuntimeException e) {
            queue.close();
            diskSpace.close();
            throw e;
        }
        this.lastSeq = new AtomicLong(restored[0]);
        this.clock = new IngestClock(wallMs, restored[2], restored[1]);
        this.appenders = ThreadLocal.withInitial(() -> {
            ExcerptAppender a = queue.createAppender();
            a.singleThreadedCheckDisabled(true);
            synchronized (allAppenders) {
                allAppenders.add(a);
            }
            return new Appender(a, new RecordCrc());
        });
    }

    /** Opens (or creates) the journal in that folder, without a free-space guard (reading, replay, tests). */
    public static ChronicleJournal open(Path dir, LongSupplier wallMs) {
        return open(dir, wallMs, DiskSpaceGuard.off(dir), SystemTimeProvider.INSTANCE);
    }

    /** Opens (or creates) the journal in that folder; appends refused while {@code diskSpace} says so (owns it). */
    public static ChronicleJournal open(Path dir, LongSupplier wallMs, DiskSpaceGuard diskSpace) {
        return open(dir, wallMs, diskSpace, SystemTimeProvider.INSTANCE);
    }

    /**
     * Opens (or creates) the journal in that folder, rolling to a new daily file by {@code fileTime} (tests
     * make days pass with it).
     */
    public static ChronicleJournal open(Path dir, LongSupplier wallMs, TimeProvider fileTime) {
        return open(dir, wallMs, DiskSpaceGuard.off(dir), fileTime);
    }

    /** Opens (or creates) the journal with a free-space guard and a file-rolling clock. */
    public static ChronicleJournal open(Path dir, LongSupplier wallMs, DiskSpaceGuard diskSpace, TimeProvider fileTime) {
        return open(dir, wallMs, diskSpace, fileTime, 0);
    }

    /**
     * Opens (or creates) the journal of a folder of {@code partitions} partitions: each event record's header
     * carries the mask of the partitions it holds events of, so that {@link #reader(int, int)} skips the others'
     * records on a few header bytes.
     */
    public static ChronicleJournal open(Path dir, LongSupplier wallMs, DiskSpaceGuard diskSpace, int partitions) {
        return open(dir, wallMs, diskSpace, SystemTimeProvider.INSTANCE, partitions);
    }

    /** Opens (or creates) the journal with everything: guard, file-rolling clock, partition count of the masks. */
    public static ChronicleJournal open(Path dir, LongSupplier wallMs, DiskSpaceGuard diskSpace, TimeProvider fileTime,
                                        int partitions) {
        SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(dir)
                .rollCycle(ROLL_CYCLE)
                .timeProvider(fileTime)
                .build();
        return new ChronicleJournal(q, diskSpace, wallMs, partitions);
    }

    /**
     * Opens an existing journal for reading only: nothing in the folder is written, and a running engine may
     * go on appending to it (readers tail its new records). Appending through it fails.
     */
    public static ChronicleJournal openReadOnly(Path dir) {
        SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(dir)
                .rollCycle(ROLL_CYCLE)
                .readOnly(true)
                .build();
        return new ChronicleJournal(q, DiskSpaceGuard.off(dir), IngestClock.systemWall(), 0);
    }

    /**
     * Refuses a journal of another format on its first record (the whole journal has one format: an engine
     * never appends to a journal it cannot read).
     */
    private static void checkFormat(SingleChronicleQueue queue) {
        try (ExcerptTailer t = queue.createTailer()) {
            t.toStart();
            try (DocumentContext dc = t.readingDocument()) {
                if (dc.isPresent()) {
                    new RecordHeader().read(dc.wire().bytes());
                }
            }
        }
    }

    /** Reads the newest record: {last seq, last ingest time, clock offset}. */
    private static long[] restore(SingleChronicleQueue queue) {
        try (ExcerptTailer t = queue.createTailer()) {
            t.direction(TailerDirection.BACKWARD).toEnd();
            try (DocumentContext dc = t.readingDocument()) {
                if (!dc.isPresent()) {
                    return new long[] {0, Long.MIN_VALUE, 0};
                }
                // The newest record decides the seqs and clock to go on with: it must be intact.
                RecordHeader h = ChronicleReader.checked(dc, new RecordCrc(), new RecordHeader(), -1);
                return new long[] {h.lastSeq(), h.ingestMs, h.clockOffsetMs};
            }
        }
    }

    private Appender appender() {
        if (closed) {
            throw new JournalUnavailableException("journal closed");
        }
        diskSpace.check();
        return appenders.get();
    }

    /**
     * A write into a mapped page that cannot be backed (disk full, I/O error) faults (SIGBUS), which the JVM
     * reports as an {@link InternalError}: the record is rolled back, never committed half-written.
     */
    private static JournalUnavailableException faulted(InternalError e) {
        return new JournalUnavailableException("journal write faulted (disk full or I/O error?): " + e.getMessage(), e);
    }

    private long writeHeader(Bytes<?> b, RecordType type, long firstSeq, int count) {
        long t = clock.next();
        RecordHeader.write(b, type, firstSeq, t, clock.offsetMs(), count, type == RecordType.EVENTS ? partitions : 0);
        return t;
    }

    /** Seals a record written at {@code [start, writePosition)}: its header's check word, then its CRC32C. */
    private static void seal(Bytes<?> b, long start, RecordCrc crc) {
        b.writeInt(start + RecordHeader.HEADER_CHECK_AT, RecordHeader.check(b, start));
        b.writeInt(start + RecordHeader.CRC_AT, crc.of(b, start, b.writePosition()));
    }

    /**
     * The common end of an events record of {@code count} events written from {@code start}: sealed, its seqs
     * taken, the hook told before the record becomes visible (when the document closes); returns its first seq.
     */
    private long sealEvents(Bytes<?> b, long start, Appender a, long first, int count, long ingestMs,
                            AppendHook hook) {
        seal(b, start, a.crc());
        lastSeq.set(first + count - 1);
        if (hook != null) {
            hook.beforeVisible(first, ingestMs);
        }
        bytesAppended.add(b.writePosition() - start);
        return first;
    }

    @Override
    public long appendEvents(List<Submitted> events, AppendHook hook) {
        try {
            return writeEvents(events, hook);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    private long writeEvents(List<Submitted> events, AppendHook hook) {
        Appender a = appender();
        try (DocumentContext dc = a.excerpts().writingDocument()) {
            try {
                long first = lastSeq.get() + 1;
                Bytes<?> b = dc.wire().bytes();
                long start = b.writePosition();
                long t = writeHeader(b, RecordType.EVENTS, first, events.size());
                b.writeStopBit(events.size());
                long mask = 0;
                for (Submitted s : events) {
                    int hash = PartitionHash.of(s.event().customer());
                    if (partitions > 0) {
                        mask |= 1L << (PartitionHash.partition(hash, partitions) & 63);
                    }
                    b.writeInt(hash);
                    long lengthAt = b.writePosition();
                    b.writeInt(0);
                    EventCodec.write(b, s.event(), s.bodyHash());
                    b.writeInt(lengthAt, (int) (b.writePosition() - lengthAt - Integer.BYTES));
                }
                if (partitions > 0) {
                    b.writeLong(start + RecordHeader.MASK_AT, mask);
                }
                return sealEvents(b, start, a, first, events.size(), t, hook);
            } catch (RuntimeException | InternalError e) {
                dc.rollbackOnClose();
                throw e;
            }
        } finally {
            noteFile(a.excerpts());
        }
    }

    /**
     * {@link #appendEvents} of one event already encoded: its bytes are copied into the record as they are
     * (the same record {@code appendEvents} writes for the same event).
     */
    public long appendEvent(EventRecord event, AppendHook hook) {
        try {
            return writeEvent(event, hook);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    private long writeEvent(EventRecord event, AppendHook hook) {
        Appender a = appender();
        try (DocumentContext dc = a.excerpts().writingDocument()) {
            try {
                long first = lastSeq.get() + 1;
                Bytes<?> b = dc.wire().bytes();
                long start = b.writePosition();
                long t = writeHeader(b, RecordType.EVENTS, first, 1);
                b.writeStopBit(1);
                int hash = PartitionHash.of(event.customer());
                b.writeInt(hash);
                Bytes<byte[]> encoded = event.bytes();
                int length = (int) encoded.writePosition();
                b.writeInt(length);
                b.write(encoded, 0L, (long) length);
                if (partitions > 0) {
                    b.writeLong(start + RecordHeader.MASK_AT, 1L << (PartitionHash.partition(hash, partitions) & 63));
                }
                return sealEvents(b, start, a, first, 1, t, hook);
            } catch (RuntimeException | InternalError e) {
                dc.rollbackOnClose();
                throw e;
            }
        } finally {
            noteFile(a.excerpts());
        }
    }

    /**
     * {@link #appendEvents} of a bulk's events already encoded ({@link BulkRecord}): their entries are copied into
     * one record as they are (the same record {@code appendEvents} writes for the same events, in order).
     */
    public long appendBulk(BulkRecord events, AppendHook hook) {
        try {
            return writeBulk(events, hook);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    private long writeBulk(BulkRecord events, AppendHook hook) {
        int n = events.count();
        Appender a = appender();
        try (DocumentContext dc = a.excerpts().writingDocument()) {
            try {
                long first = lastSeq.get() + 1;
                Bytes<?> b = dc.wire().bytes();
                long start = b.writePosition();
                long t = writeHeader(b, RecordType.EVENTS, first, n);
                b.writeStopBit(n);
                Bytes<byte[]> encoded = events.bytes();
                // From the backing array in one copy: the Bytes-to-Bytes copy showed in the loops' profile as
                // per-offset checks against the mapped chunk (ChunkedMappedBytes.writeCheckOffset).
                b.write(encoded.underlyingObject(), 0, (int) encoded.writePosition());
                if (partitions > 0) {
                    long mask = 0;
                    for (int j = 0; j < n; j++) {
                        mask |= 1L << (PartitionHash.partition(events.partitionHash(j), partitions) & 63);
                    }
                    b.writeLong(start + RecordHeader.MASK_AT, mask);
                }
                return sealEvents(b, start, a, first, n, t, hook);
            } catch (RuntimeException | InternalError e) {
                dc.rollbackOnClose();
                throw e;
            }
        } finally {
            noteFile(a.excerpts());
        }
    }

    @Override
    public long appendHeartbeat() {
        return appendBare(RecordType.HEARTBEAT, null, 0, null);
    }

    @Override
    public long appendClockAdvance(long advanceMs, AppendHook hook) {
        long[] ingest = new long[1];
        appendBare(RecordType.CLOCK, null, advanceMs, (seq, t) -> {
            ingest[0] = t;
            if (hook != null) {
                hook.beforeVisible(seq, t);
            }
        });
        return ingest[0];
    }

    @Override
    public long appendRules(String rulesJson) {
        return appendBare(RecordType.RULES, rulesJson, 0, null);
    }

    private long appendBare(RecordType type, String text, long advanceMs, AppendHook hook) {
        try {
            return writeBare(type, text, advanceMs, hook);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    private long writeBare(RecordType type, String text, long advanceMs, AppendHook hook) {
        Appender a = appender();
        try (DocumentContext dc = a.excerpts().writingDocument()) {
            try {
                long seq = lastSeq.get() + 1;
                if (advanceMs > 0) {
                    clock.advance(advanceMs);
                }
                Bytes<?> b = dc.wire().bytes();
                long start = b.writePosition();
                long t = writeHeader(b, type, seq, 1);
                if (text != null) {
                    b.writeUtf8(text);
                }
                seal(b, start, a.crc());
                lastSeq.set(seq);
                if (hook != null) {
                    hook.beforeVisible(seq, t);
                }
                bytesAppended.add(b.writePosition() - start);
                return seq;
            } catch (RuntimeException | InternalError e) {
                dc.rollbackOnClose();
                throw e;
            }
        } finally {
            noteFile(a.excerpts());
        }
    }

    /**
     * Appends a record copied from another journal ({@link FormatUpgrade}): its seqs, times and payload as they
     * were; the payload is read from {@code payload}'s read position to its limit.
     */
    void appendCopy(RecordType type, long firstSeq, int count, long ingestMs, long offsetMs, Bytes<?> payload) {
        long mask = -1L;
        if (type == RecordType.EVENTS && partitions > 0) {
            long at = payload.readPosition();
            mask = 0;
            long n = payload.readStopBit();
            for (long i = 0; i < n; i++) {
                mask |= 1L << (PartitionHash.partition(payload.readInt(), partitions) & 63);
                payload.readSkip(payload.readInt());
            }
            payload.readPosition(at);
        }
        Appender a = appender();
        try (DocumentContext dc = a.excerpts().writingDocument()) {
            Bytes<?> b = dc.wire().bytes();
            long start = b.writePosition();
            RecordHeader.write(b, type, firstSeq, ingestMs, offsetMs, count,
                    type == RecordType.EVENTS ? partitions : 0);
            b.writeLong(start + RecordHeader.MASK_AT, mask);
            b.write(payload, payload.readPosition(), payload.readRemaining());
            seal(b, start, a.crc());
            lastSeq.set(firstSeq + count - 1);
        } finally {
            noteFile(a.excerpts());
        }
    }

    private void noteFile(ExcerptAppender a) {
        File f = a.currentFile();
        if (f != null && f != lastFile) {
            lastFile = f;
        }
    }

    @Override
    public long lastSeq() {
        return lastSeq.get();
    }

    @Override
    public IngestClock clock() {
        return clock;
    }

    @Override
    public long bytesAppended() {
        return bytesAppended.sum();
    }

    @Override
    public long lastPosition() {
        return queue.lastIndex();
    }

    @Override
    public long firstPosition() {
        return queue.firstIndex() == Long.MAX_VALUE ? -1 : queue.firstIndex();
    }

    @Override
    public long firstSeq() {
        try (ExcerptTailer t = queue.createTailer()) {
            t.toStart();
            try (DocumentContext dc = t.readingDocument()) {
                if (!dc.isPresent()) {
                    return 0;
                }
                return ChronicleReader.checked(dc, new RecordCrc(), new RecordHeader(), -1).firstSeq;
            }
        }
    }

    /**
     * Reads the record at {@code position} into the visitor (a backup's position, to check that it belongs to
     * this journal and when it was ingested); false when the journal holds no record there.
     */
    public boolean readAt(long position, JournalReader.RecordVisitor visitor) {
        try (ExcerptTailer t = queue.createTailer()) {
            if (!t.moveToIndex(position)) {
                return false;
            }
            try (DocumentContext dc = t.readingDocument()) {
                if (!dc.isPresent() || dc.index() != position) {
                    return false;
                }
                RecordHeader h = ChronicleReader.checked(dc, new RecordCrc(), new RecordHeader(), -1);
                visitor.onRecord(position, h, dc.wire().bytes());
                return true;
            }
        }
    }

    @Override
    public JournalReader reader() {
        return new ChronicleReader(queue, queue.createTailer(), 0, 0);
    }

    /**
     * A reader for one partition: every record's header, but the payload (and CRC) only of records that may
     * hold that partition's events; the others come with {@link RecordHeader#skipped()} set.
     */
    @Override
    public JournalReader reader(int partition, int partitions) {
        return new ChronicleReader(queue, queue.createTailer(), partition, partitions);
    }

    // ---- files, for retention (package-private: only JournalRetention deletes files) ----

    /** A daily file of the journal. */
    record CycleFile(int cycle, Path path, long bytes) {
    }

    /** The journal's daily files, oldest first. */
    List<CycleFile> cycleFiles() {
        List<CycleFile> files = new ArrayList<>();
        File[] listed = queue.file().listFiles((d, name) -> name.endsWith(FILE_SUFFIX));
        if (listed == null) {
            return files;
        }
        for (File f : listed) {
            String day = f.getName().substring(0, f.getName().length() - FILE_SUFFIX.length());
            try {
                long epochDay = LocalDate.parse(day, FILE_DAY).toEpochDay();
                files.add(new CycleFile((int) (epochDay * 86_400_000L / ROLL_CYCLE.lengthInMillis()),
                        f.toPath(), f.length()));
            } catch (DateTimeParseException notAJournalFile) {
                // a stray file: not ours to delete
            }
        }
        files.sort(java.util.Comparator.comparingInt(CycleFile::cycle));
        return files;
    }

    /** The cycle (day) whose file holds that position. */
    int cycleOf(long position) {
        return ROLL_CYCLE.toCycle(position);
    }

    /** The cycle new records go to now. */
    int currentCycle() {
        return queue.cycle();
    }

    /** When that cycle's day ends (epoch millis). */
    static long cycleEndMs(int cycle) {
        return (cycle + 1L) * ROLL_CYCLE.lengthInMillis();
    }

    /** Tells the queue that files were deleted behind its back (it caches the directory listing). */
    void filesDeleted() {
        queue.refreshDirectoryListing();
    }

    @Override
    public void sync() {
        File f = lastFile;
        if (f == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(f.toPath(), StandardOpenOption.WRITE)) {
            ch.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("journal sync failed: " + f, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (allAppenders) {
            for (ExcerptAppender a : allAppenders) {
                a.close();
            }
        }
        queue.close();
        diskSpace.close(); // the journal owns its guard: its timer readings end with it
    }

    /** Tailer-backed reader: of every record (partitions 0), or of one partition's. */
    private static final class ChronicleReader implements JournalReader {
        private final SingleChronicleQueue queue;
        private final ExcerptTailer tailer;
        private final RecordHeader header = new RecordHeader();
        private final RecordCrc crc = new RecordCrc();
        private final int partition;
        private final int partitions;
        /** Last seq of the last record read, to name where a damaged record lies (-1 before the first). */
        private long lastSeq = -1;

        ChronicleReader(SingleChronicleQueue queue, ExcerptTailer tailer, int partition, int partitions) {
            this.queue = queue;
            this.tailer = tailer;
            this.partition = partition;
            this.partitions = partitions;
            tailer.singleThreadedCheckDisabled(true);
        }

        @Override
        public boolean next(RecordVisitor visitor) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return false;
                }
                Bytes<?> b = dc.wire().bytes();
                long start = b.readPosition();
                try {
                    header.read(b);
                } catch (JournalFormatException e) {
                    throw e;
                } catch (JournalCorruptException | BufferUnderflowException | InternalError e) {
                    throw damaged(dc.index(), lastSeq, e);
                }
                if (header.type == RecordType.EVENTS && !header.mayHold(partition, partitions)) {
                    if (RecordHeader.check(b, start) != header.headerCheck) {
                        throw failedCheck(header, dc.index(), lastSeq, "header check word");
                    }
                    header.skipped = true;
                } else {
                    verify(b, start, crc, header, dc.index(), lastSeq);
                }
                long before = lastSeq;
                lastSeq = header.lastSeq();
                try {
                    visitor.onRecord(dc.index(), header, b);
                } catch (JournalCorruptException | BufferUnderflowException | InternalError e) {
                    throw damaged(dc.index(), before, e);
                }
                return true;
            }
        }

        /** Reads and checks the header and CRC of the record {@code dc} holds (payload left at its start). */
        static RecordHeader checked(DocumentContext dc, RecordCrc crc, RecordHeader header, long seqBefore) {
            Bytes<?> b = dc.wire().bytes();
            long start = b.readPosition();
            try {
                header.read(b);
            } catch (JournalFormatException e) {
                throw e;
            } catch (JournalCorruptException | BufferUnderflowException e) {
                throw damaged(dc.index(), seqBefore, e);
            }
            verify(b, start, crc, header, dc.index(), seqBefore);
            return header;
        }

        private static void verify(Bytes<?> b, long start, RecordCrc crc, RecordHeader header, long position,
                                   long seqBefore) {
            if (crc.of(b, start, b.readLimit()) != header.crc) {
                throw failedCheck(header, position, seqBefore, "CRC32C");
            }
        }

        private static JournalCorruptException failedCheck(RecordHeader header, long position, long seqBefore,
                                                           String check) {
            return new JournalCorruptException("the journal record of seq " + header.firstSeq
                    + (header.count > 1 ? ".." + header.lastSeq() : "") + " (as its header says"
                    + (seqBefore >= 0 ? "; the record before it ends at seq " + seqBefore : "")
                    + ") at position " + Long.toHexString(position) + " fails its " + check + " check: the journal"
                    + " is damaged (a changed byte). Nothing from it on is applied; restore the data folder from"
                    + " a backup");
        }

        private static JournalCorruptException damaged(long position, long seqBefore, Throwable e) {
            return new JournalCorruptException("the journal record at position " + Long.toHexString(position)
                    + (seqBefore >= 0 ? " (after seq " + seqBefore + ")" : "")
                    + " cannot be read (" + e.getMessage() + "): the journal is damaged (truncated or overwritten)."
                    + " Nothing after it is applied; restore the data folder from a backup", e);
        }

        @Override
        public void seekAfter(long position) {
            if (!tailer.moveToIndex(position)) {
                long first = queue.firstIndex();
                if (first != Long.MAX_VALUE && position < first) {
                    throw new JournalCorruptException("the journal no longer holds position "
                            + Long.toHexString(position) + " (its oldest record is at " + Long.toHexString(first)
                            + "; older files were dropped by journal.retention): restore the state from a backup "
                            + "taken after that, or rebuild it with replay --from-backup");
                }
                throw new JournalCorruptException("the journal ends before position " + Long.toHexString(position)
                        + " that the state has already applied: journal pages were lost (machine crash "
                        + "without journal.sync=batch?). Restore the data folder from a backup.");
            }
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent() || dc.index() != position) {
                    throw new JournalCorruptException("no journal record at stored position "
                            + Long.toHexString(position) + ": restore the data folder from a backup");
                }
            }
        }

        @Override
        public void close() {
            tailer.close();
        }
    }
}
