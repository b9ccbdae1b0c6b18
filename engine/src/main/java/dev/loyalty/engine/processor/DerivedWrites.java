package dev.loyalty.engine.processor;

import dev.loyalty.engine.LoyaltyEngine.LedgerPage;
import dev.loyalty.engine.core.EffectSink;
import dev.loyalty.engine.derived.DerivedLog;
import dev.loyalty.engine.derived.DerivedMark;
import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.rules.RuleError;
import dev.loyalty.engine.state.BinaryWriter;
import dev.loyalty.engine.state.OutcomeCodec;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a partition writes outcomes and ledger entries, and reads them back: its append-only
 * {@link DerivedLog} (outcome per event by seq, ledger entries chained per customer from the head the
 * customer's row keeps), in the bytes of {@link OutcomeCodec}. Appended records are readable at once, staged or
 * not, so reads see every applied event before any commit. Owned by the partition thread.
 */
final class DerivedWrites implements AutoCloseable {

    private final DerivedLog log;
    private final BinaryWriter writer = new BinaryWriter(1024);

    DerivedWrites(DerivedLog log) {
        this.log = log;
    }

    void outcome(EventOutcome outcome, long ingestMs) {
        OutcomeCodec.writeOutcome(writer.reset(), outcome);
        log.appendOutcome(outcome.seq(), ingestMs, writer.buffer(), 0, writer.length());
    }

    /**
     * Appends the outcome of event {@code seq} of {@code customer}: rejected with {@code error}, or applied with the
     * entries of {@code sink} from {@code from} on; the same bytes as {@link #outcome(EventOutcome, long)} of that
     * outcome, without building it.
     */
    void outcome(long seq, String customer, RuleError error, EffectSink sink, int from, long ingestMs) {
        OutcomeCodec.writeOutcome(writer.reset(), seq, customer, error, sink, from);
        log.appendOutcome(seq, ingestMs, writer.buffer(), 0, writer.length());
    }

    /** Appends the {@code i}-th entry of {@code sink} after the customer's {@code head}; returns the new head. */
    long ledger(long head, String customer, EffectSink sink, int i) {
        OutcomeCodec.writeEntry(writer.reset(), sink, i);
        return log.appendLedger(head, customer, sink.id(i), sink.seq(i), writer.buffer(), 0, writer.length());
    }

    /**
     * Appends a ledger entry after the customer's {@code head}.
     *
     * @return the customer's new head
     */
    long ledger(long head, String customer, LedgerEntry entry) {
        OutcomeCodec.writeEntry(writer.reset(), entry);
        return log.appendLedger(head, customer, entry.id(), entry.seq(), writer.buffer(), 0, writer.length());
    }

    /** The outcome of that seq, committed or not, or null (unknown, or forgotten after the retention). */
    EventOutcome outcome(long seq) {
        byte[] o = log.outcome(seq);
        return o == null ? null : OutcomeCodec.decode(o);
    }

    /** Up to {@code limit} entries of the customer (newest at {@code head}) with id below {@code beforeId}. */
    LedgerPage page(String customer, long head, int limit, long beforeId) {
        if (head == DerivedLog.NO_ENTRY) {
            return new LedgerPage(List.of(), -1);
        }
        DerivedLog.LedgerPage page = log.ledgerPage(customer, head, beforeId, limit);
        List<LedgerEntry> entries = new ArrayList<>(page.entries().size());
        for (DerivedLog.LedgerRecord r : page.entries()) {
            entries.add(OutcomeCodec.decodeEntry(r.entry()));
        }
        return new LedgerPage(List.copyOf(entries), page.nextBefore());
    }

    /** Writes the staged records to the files; returns the mark to commit with the snapshot. */
    DerivedMark mark() {
        return log.mark();
    }

    /**
     * Forces what the marks so far point into; any thread (see {@link DerivedLog#forceWritten()}): the committer's
     * before a batch with the WAL, RocksDB's flush thread before a flush.
     */
    void forceWritten() {
        log.forceWritten();
    }

    /** Forgets outcomes ingested before {@code horizonMs} (whole segments below the last mark). */
    void forgetOutcomesBefore(long horizonMs) {
        log.forgetOutcomesBefore(horizonMs);
    }

    @Override
    public void close() {
        log.close();
    }
}
