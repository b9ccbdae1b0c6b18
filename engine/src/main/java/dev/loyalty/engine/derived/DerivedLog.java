package dev.loyalty.engine.derived;

import java.nio.file.Path;
import java.util.List;

/**
 * A partition's derived data, written once and sequentially: the outcome of each event by seq (forgotten
 * after the retention) and each ledger entry, chained per customer (kept forever), in two append-only logs
 * under one folder. Positions are logical, so replaying the same journal writes the same bytes. Every method
 * is for the partition thread only (appends while applying, reads between batches); the crash protocol is in
 * the package documentation.
 */
public final class DerivedLog implements AutoCloseable {
    /** The previous position of a customer's first ledger entry, and {@code nextBefore} of a last page. */
    public static final long NO_ENTRY = -1;

    /**
     * Sizes of the logs' parts.
     *
     * @param segmentBytes  a segment file is started when a record would take the current one past this
     * @param bufferBytes   records staged in memory before a positional write
     * @param indexSpacing  bytes of outcome records between two entries of the in-memory seq index: a lookup
     *                      reads at most about this much
     */
    public record Sizes(long segmentBytes, int bufferBytes, long indexSpacing) {
        public static final Sizes DEFAULT = new Sizes(64L << 20, 256 << 10, 16 << 10);

        public Sizes {
            // a sealed segment is mapped whole for reads: one mapping holds at most 2 GiB
            if (segmentBytes < 64 || segmentBytes > 1L << 30 || bufferBytes < 64 || indexSpacing < 1) {
                throw new IllegalArgumentException("derived log sizes " + segmentBytes + "/" + bufferBytes + "/"
                        + indexSpacing);
            }
        }
    }

    /** One ledger record: where it lies, its entry id and seq, and the entry's bytes as appended. */
    public record LedgerRecord(long position, long entryId, long seq, byte[] entry) {
    }

    /**
     * A page of a customer's ledger, newest first.
     *
     * @param nextBefore   the entry id to ask the next page before, or {@link #NO_ENTRY} when nothing is older
     * @param nextPosition where the next page starts, or {@link #NO_ENTRY}: passed as the head of the next
     *                     {@link #ledgerPage} call (with {@code nextBefore}) it reads only that page; positions
     *                     stay valid until a truncation, so a caller may keep them for pages asked in sequence
     */
    public record LedgerPage(List<LedgerRecord> entries, long nextBefore, long nextPosition) {
    }

    private final OutcomeLog outcomes;
    private final LedgerLog ledger;
    /** The last mark handed out (or opened at): outcome segments are dropped only below it. */
    private DerivedMark committed;

    private DerivedLog(OutcomeLog outcomes, LedgerLog ledger, DerivedMark mark) {
        this.outcomes = outcomes;
        this.ledger = ledger;
        this.committed = mark;
    }

    /** Opens the logs in {@code dir} and drops whatever lies past {@code mark} (the committed snapshot's). */
    public static DerivedLog open(Path dir, DerivedMark mark) {
        return open(dir, mark, Sizes.DEFAULT);
    }

    /** Outcome records the open's scans read (tests). */
    long outcomeRecordsScanned() {
        return outcomes.recordsScanned();
    }

    public static DerivedLog open(Path dir, DerivedMark mark, Sizes sizes) {
        OutcomeLog o = new OutcomeLog(dir.resolve("outcomes"), sizes.segmentBytes(), sizes.bufferBytes(),
                sizes.indexSpacing());
        LedgerLog l = null;
        try {
            l = new LedgerLog(dir.resolve("ledger"), sizes.segmentBytes(), sizes.bufferBytes());
            DerivedLog log = new DerivedLog(o, l, mark);
            log.truncateTo(mark);
            return log;
        } catch (RuntimeException e) {
            o.close();
            if (l != null) {
                l.close();
            }
            throw e;
        }
    }

    /**
     * Appends the outcome of event {@code seq}, which must be greater than every seq appended before.
     *
     * @param ingestMs the event's ingest time: the retention counts from it
     * @return the outcome's position
     */
    public long appendOutcome(long seq, long ingestMs, byte[] outcome, int offset, int length) {
        return outcomes.append(seq, ingestMs, outcome, offset, length);
    }

    /**
     * Appends a ledger entry of {@code customer}.
     *
     * @param prev the customer's ledger head before this entry (its newest entry's position), or
     *             {@link #NO_ENTRY} for its first; entry ids must increase along a customer's chain
     * @return the entry's position: the customer's new head
     */
    public long appendLedger(long prev, String customer, long entryId, long seq, byte[] entry, int offset,
                             int length) {
        return ledger.append(prev, customer, entryId, seq, entry, offset, length);
    }

    /** The outcome bytes of {@code seq}, or null when unknown or forgotten. */
    public byte[] outcome(long seq) {
        return outcomes.outcome(seq);
    }

    /**
     * Up to {@code limit} entries of {@code customer}'s chain from {@code head} with ids below {@code beforeId}
     * ({@link Long#MAX_VALUE} for the newest), newest first. Cost: one record read per entry newer than the
     * page, then {@code limit + 1} reads; from a page's {@code nextPosition} instead of the head, only the latter.
     */
    public LedgerPage ledgerPage(String customer, long head, long beforeId, int limit) {
        return ledger.page(customer, head, beforeId, limit);
    }

    /**
     * Writes the staged records to the files (they then survive a crash of the process) and returns where the
     * logs end: commit it in the same atomic write as the state it goes with.
     */
    public DerivedMark mark() {
        committed = new DerivedMark(outcomes.flush(), ledger.flush());
        return committed;
    }

    /** Forces the files to the device: call before making a committed mark durable (a RocksDB flush). */
    public void sync() {
        outcomes.sync();
        ledger.sync();
    }

    /**
     * Forces to the device what every {@link #mark()} so far points into; unlike {@link #sync()}, safe from
     * another thread while the owner appends (RocksDB's flush thread, just before a flush makes marks durable).
     */
    public void forceWritten() {
        outcomes.forceWritten();
        ledger.forceWritten();
    }

    /** Drops everything past {@code mark}: it is re-derived by re-applying the journal after the snapshot. */
    public void truncateTo(DerivedMark mark) {
        outcomes.truncateTo(mark.outcomes());
        ledger.truncateTo(mark.ledger());
        committed = mark;
    }

    /**
     * Forgets outcomes ingested before {@code horizonMs} by whole segments: those whose outcomes are all older
     * and that lie below the last mark. Outcomes of the oldest kept segment may thus outlive the horizon by
     * up to one segment of traffic.
     *
     * @return segments dropped
     */
    public int forgetOutcomesBefore(long horizonMs) {
        return outcomes.forgetBefore(horizonMs, committed.outcomes());
    }

    /** Where the logs end now, staged records included (a mark without writing anything). */
    public DerivedMark end() {
        return new DerivedMark(outcomes.end(), ledger.end());
    }

    /**
     * Where this partition's derived logs first differ from {@code other}'s (a replay's), or null when they
     * end at the same positions and hold the same bytes wherever both still keep outcomes (retention may have
     * dropped different old segments) and over the whole ledger.
     */
    public String firstDifference(DerivedLog other) {
        String d = outcomes.firstDifference(other.outcomes);
        if (d != null) {
            return "outcome log: " + d;
        }
        d = ledger.firstDifference(other.ledger);
        return d == null ? null : "ledger log: " + d;
    }

    /** First outcome position still kept (0 until retention dropped a segment). */
    public long outcomesStart() {
        return outcomes.start();
    }

    @Override
    public void close() {
        try {
            outcomes.close();
        } finally {
            ledger.close();
        }
    }
}
