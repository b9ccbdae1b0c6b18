package dev.loyalty.engine.processor;

import dev.loyalty.engine.LoyaltyEngine.LedgerPage;
import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.state.BinaryWriter;
import dev.loyalty.engine.state.Keys;
import dev.loyalty.engine.state.OutcomeCodec;
import dev.loyalty.engine.state.PartitionStore;
import dev.loyalty.engine.state.StateException;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Where a partition writes outcomes and ledger entries, and reads them back: today RocksDB keys put in the
 * partition's write-behind batch (committed with the snapshot and the journal position), plus an index of
 * what is in that batch and not committed yet, so that reads see every applied event at once. The one place
 * to swap for the append-only derived log. Owned by the partition thread.
 */
final class DerivedWrites {

    private final PartitionStore store;
    private final BinaryWriter writer = new BinaryWriter(1024);
    /** Outcomes put since the last commit, by seq. */
    private final HashMap<Long, byte[]> outcomes = new HashMap<>();
    /** Ledger entries put since the last commit, per customer, oldest first (entry ids ascend). */
    private final HashMap<String, List<LedgerEntry>> ledger = new HashMap<>();

    DerivedWrites(PartitionStore store) {
        this.store = store;
    }

    void outcome(WriteBatch batch, EventOutcome outcome) {
        byte[] value = OutcomeCodec.encode(writer, outcome);
        put(batch, Keys.outcome(outcome.seq()), value);
        outcomes.put(outcome.seq(), value);
    }

    void ledger(WriteBatch batch, String customer, LedgerEntry entry) {
        put(batch, Keys.ledger(customer, entry.id()), OutcomeCodec.encodeEntry(writer, entry));
        ledger.computeIfAbsent(customer, k -> new ArrayList<>(4)).add(entry);
    }

    /** The outcome of that seq, committed or not, or null. */
    EventOutcome outcome(long seq) {
        byte[] o = outcomes.get(seq);
        if (o == null) {
            o = store.get(Keys.outcome(seq));
        }
        return o == null ? null : OutcomeCodec.decode(o);
    }

    /** Up to {@code limit} entries of the customer with id below {@code beforeId}, newest first. */
    LedgerPage page(String customer, int limit, long beforeId) {
        List<LedgerEntry> entries = new ArrayList<>(Math.min(limit + 1, 128));
        long storedBefore = beforeId;
        List<LedgerEntry> pending = ledger.get(customer);
        if (pending != null) {
            for (int i = pending.size() - 1; i >= 0 && entries.size() <= limit; i--) {
                LedgerEntry e = pending.get(i);
                if (e.id() < beforeId) {
                    entries.add(e);
                }
            }
            // committed entries are older than every pending one
            storedBefore = Math.min(beforeId, pending.get(0).id());
        }
        if (entries.size() <= limit) {
            for (byte[] raw : store.ledgerBefore(customer, storedBefore, limit + 1 - entries.size())) {
                entries.add(OutcomeCodec.decodeEntry(raw));
            }
        }
        long next = -1;
        if (entries.size() > limit) {
            entries = entries.subList(0, limit);
            next = entries.get(limit - 1).id();
        }
        return new LedgerPage(List.copyOf(entries), next);
    }

    /** The batch was committed: its contents are readable from the store. */
    void committed() {
        outcomes.clear();
        ledger.clear();
    }

    private static void put(WriteBatch batch, byte[] key, byte[] value) {
        try {
            batch.put(key, value);
        } catch (RocksDBException e) {
            throw new StateException("write batch failed: " + e.getMessage(), e);
        }
    }
}
