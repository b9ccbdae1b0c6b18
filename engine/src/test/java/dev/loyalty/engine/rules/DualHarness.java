package dev.loyalty.engine.rules;

import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.core.CoreCustomerCodec;
import dev.loyalty.engine.core.CoreRules;
import dev.loyalty.engine.core.CustomerTable;
import dev.loyalty.engine.core.EffectSink;
import dev.loyalty.engine.core.LotList;
import dev.loyalty.engine.core.QualifyingWindow;
import dev.loyalty.engine.core.TransactionArchive;
import dev.loyalty.engine.core.Transactions;
import dev.loyalty.engine.event.Event;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One journal driven through today's {@link Rules} (the reference) and the processor core v2
 * ({@link CoreRules} on a {@link CustomerTable}) side by side, like a processor would drive them (next seq per
 * record, clock = largest ingest time, {@code seqWhenDue} = first record whose clock reached the due time),
 * asserting after every record that both give the same outcome, the same ledger entries, the same customer
 * views, the same next due time and the same state (lots, counters, transactions, qualifying earnings).
 */
final class DualHarness {

    final RulesConfig config;
    final Rules reference;
    final CoreRules core;
    final CustomerTable table;
    final CoreCustomerCodec codec;
    final Map<String, Customer> customers = new LinkedHashMap<>();
    private final List<LedgerEntry> referenceLedger = new ArrayList<>();
    private final EffectSink sink = new EffectSink();
    final TestJournal journal = new TestJournal();
    /** Ledger entries compared so far (a test that never compares one proves nothing). */
    long entriesCompared;
    long rejectionsCompared;

    DualHarness(RulesConfig config, int capacity) {
        this.config = config;
        this.reference = new Rules(config);
        this.table = new CustomerTable(capacity, config.accounts().size());
        this.core = new CoreRules(config, table, TransactionArchive.NONE);
        this.codec = new CoreCustomerCodec(config.customActions());
    }

    /** Journals the event and applies it to both, comparing outcome, entries, views and state. */
    void apply(long ingestMs, Event event) {
        ApplyContext ctx = journal.next(ingestMs);
        Customer c = customers.computeIfAbsent(event.customer(), id -> new Customer(id, config.accounts().size()));
        int mark = referenceLedger.size();
        EventOutcome expected = reference.apply(c, event, ctx, referenceLedger);
        int slot = slotOf(event.customer());
        sink.clear();
        RuleError error = core.apply(slot, event, ctx, sink);
        String where = "seq " + journal.seq + " " + event;
        assertThat(error).as("outcome of %s", where).isEqualTo(expected.error());
        assertThat(sink.entries(0)).as("entries of %s", where)
                .isEqualTo(referenceLedger.subList(mark, referenceLedger.size()));
        if (error == null) {
            assertThat(sink.entries(sink.eventStart())).as("effects of %s", where).isEqualTo(expected.effects());
        } else {
            rejectionsCompared++;
        }
        entriesCompared += sink.size();
        compareAll(where);
    }

    /** A heartbeat that runs every customer's due work, as the processor does at its due index. */
    void tick(long ingestMs) {
        ApplyContext ctx = journal.next(ingestMs);
        for (Customer c : customers.values()) {
            int slot = slotOf(c.id());
            if (reference.nextDueMs(c) <= ctx.clockMs()) {
                int mark = referenceLedger.size();
                reference.runDue(c, ctx, referenceLedger);
                sink.clear();
                core.runDue(slot, ctx, sink);
                assertThat(sink.entries(0)).as("due work of %s at seq %s", c.id(), journal.seq)
                        .isEqualTo(referenceLedger.subList(mark, referenceLedger.size()));
                entriesCompared += sink.size();
            } else {
                assertThat(core.nextDueMs(slot)).isGreaterThan(ctx.clockMs());
            }
        }
        compareAll("tick at seq " + journal.seq);
    }

    /** A heartbeat in the middle of a batch: moves the clock, runs nothing. */
    void heartbeat(long ingestMs) {
        journal.next(ingestMs);
    }

    /** End of a batch after the last record: due work with that record's context, for every customer. */
    void batchEnd() {
        ApplyContext ctx = journal.current();
        for (Customer c : customers.values()) {
            if (reference.nextDueMs(c) <= journal.clockMs) {
                int mark = referenceLedger.size();
                reference.runDue(c, ctx, referenceLedger);
                sink.clear();
                core.runDue(slotOf(c.id()), ctx, sink);
                assertThat(sink.entries(0)).as("batch-end work of %s", c.id())
                        .isEqualTo(referenceLedger.subList(mark, referenceLedger.size()));
                entriesCompared += sink.size();
            }
        }
        compareAll("batch end at seq " + journal.seq);
    }

    /** Evicts every core customer and reads it back from its snapshot, checking the bytes are stable. */
    void reloadCore() {
        for (String id : customers.keySet()) {
            int slot = table.find(id);
            if (slot < 0) {
                continue;
            }
            byte[] bytes = codec.encode(table, slot);
            table.remove(slot);
            int back = codec.decode(bytes, table);
            assertThat(codec.encode(table, back)).as("snapshot round trip of %s", id).isEqualTo(bytes);
        }
    }

    private int slotOf(String id) {
        int slot = table.find(id);
        return slot >= 0 ? slot : table.create(id);
    }

    void compareAll(String where) {
        for (Customer c : customers.values()) {
            int slot = table.find(c.id());
            assertThat(slot).as("core holds %s", c.id()).isNotNegative();
            assertThat(core.view(slot, journal.clockMs)).as("view of %s after %s", c.id(), where)
                    .isEqualTo(reference.view(c, journal.clockMs));
            assertThat(core.nextDueMs(slot)).as("next due of %s after %s", c.id(), where)
                    .isEqualTo(reference.nextDueMs(c));
            assertSameState(c, slot, where);
        }
    }

    /** Field by field: the reference customer and the core row hold the same state. */
    void assertSameState(Customer c, int slot, String where) {
        String who = c.id() + " after " + where;
        assertThat(table.exists(slot)).as("exists %s", who).isEqualTo(c.exists);
        assertThat(table.active(slot)).as("active %s", who).isEqualTo(c.active());
        assertThat(table.tierIndex(slot)).as("tier %s", who).isEqualTo(c.tierIndex);
        assertThat(table.tierOrder(slot)).as("tier order %s", who).isEqualTo(c.tierOrder);
        assertThat(table.nextEntryId(slot)).as("next entry id %s", who).isEqualTo(c.nextEntryId);
        assertThat(table.nextOrder(slot)).as("next order %s", who).isEqualTo(c.nextOrder);
        assertThat(table.attributesJson(slot)).as("attributes %s", who).isEqualTo(c.attributesJson);
        List<String> once = new ArrayList<>();
        for (int i = 0; i < config.customActions().size(); i++) {
            if ((table.onceDone(slot) & (1L << i)) != 0) {
                once.add(config.customActions().get(i).name());
            }
        }
        assertThat(once).as("once-only actions done %s", who).containsExactlyInAnyOrderElementsOf(c.onceDone);
        for (int a = 0; a < config.accounts().size(); a++) {
            Account acc = c.account(a);
            assertThat(new long[] {table.counter(slot, a, CustomerTable.RESERVED),
                table.counter(slot, a, CustomerTable.DEBT), table.counter(slot, a, CustomerTable.PENDING),
                table.counter(slot, a, CustomerTable.EARNED), table.counter(slot, a, CustomerTable.SPENT),
                table.counter(slot, a, CustomerTable.EXPIRED), table.counter(slot, a, CustomerTable.DEDUCTED)})
                    .as("counters of account %s of %s", a, who)
                    .containsExactly(acc.reserved, acc.debt, acc.pending, acc.earned, acc.spent, acc.expired,
                            acc.deducted);
            List<List<Long>> lots = new ArrayList<>();
            LotList l = table.lotsOrNull(slot, a);
            for (int i = 0; l != null && i < l.size(); i++) {
                lots.add(List.of(l.eventTimeMs(i), l.order(i), l.points(i)));
            }
            List<List<Long>> expectedLots = new ArrayList<>();
            for (Lot lot : acc.lots) {
                expectedLots.add(List.of(lot.eventTimeMs, lot.order, lot.points));
            }
            assertThat(lots).as("lots of account %s of %s", a, who).isEqualTo(expectedLots);
        }
        List<List<Long>> qualifying = new ArrayList<>();
        QualifyingWindow q = table.qualifyingOrNull(slot);
        for (int i = 0; q != null && i < q.size(); i++) {
            qualifying.add(List.of(q.eventTimeMs(i), q.points(i)));
        }
        List<List<Long>> expectedQualifying = new ArrayList<>();
        for (Customer.Qualifying e : c.qualifying) {
            expectedQualifying.add(List.of(e.eventTimeMs, e.points));
        }
        Comparator<List<Long>> byTimeThenPoints = Comparator.<List<Long>, Long>comparing(x -> x.get(0))
                .thenComparing(x -> x.get(1));
        qualifying.sort(byTimeThenPoints);
        expectedQualifying.sort(byTimeThenPoints);
        assertThat(qualifying).as("qualifying earnings of %s", who).isEqualTo(expectedQualifying);
        assertSameTransactions(c, slot, who);
    }

    private void assertSameTransactions(Customer c, int slot, String who) {
        Transactions t = table.transactionsOrNull(slot);
        int rows = t == null ? 0 : t.size();
        assertThat(rows).as("transactions of %s", who)
                .isEqualTo(c.checkouts.size() + c.spends.size() + c.reservations.size());
        for (int row = 0; row < rows; row++) {
            String txn = t.transactionId(row);
            switch (t.kind(row)) {
                case Transactions.CHECKOUT: {
                    Checkout co = c.checkouts.get(txn);
                    assertThat(co).as("checkout %s of %s", txn, who).isNotNull();
                    assertThat(new long[] {t.status(row), t.account(row), t.eventTimeMs(row), t.order(row),
                        t.eligibleCents(row), t.points(row), t.qualifies(row) ? 1 : 0, t.acceptDueMs(row),
                        t.reversed(row), t.refundedCents(row)})
                            .as("checkout %s of %s", txn, who)
                            .containsExactly(co.status.ordinal(), co.account, co.eventTimeMs, co.order,
                                    co.eligibleCents, co.points, co.qualifies ? 1 : 0, co.acceptDueMs, co.reversed,
                                    co.refundedCents);
                    boolean closed = co.status == Checkout.Status.REJECTED || co.status == Checkout.Status.REFUNDED;
                    assertThat(parts(t, row)).as("burned parts of %s of %s", txn, who)
                            .isEqualTo(closed ? List.of() : co.burned);
                    break;
                }
                case Transactions.SPEND: {
                    Spend s = c.spends.get(txn);
                    assertThat(s).as("spend %s of %s", txn, who).isNotNull();
                    assertThat(t.status(row) == Transactions.CLOSED).isEqualTo(s.undone);
                    assertThat(new long[] {t.account(row), t.points(row)}).containsExactly(s.account, s.points);
                    assertThat(parts(t, row)).as("parts of spend %s of %s", txn, who)
                            .isEqualTo(s.undone ? List.of() : s.parts);
                    break;
                }
                default: {
                    Reservation r = c.reservations.get(txn);
                    assertThat(r).as("reservation %s of %s", txn, who).isNotNull();
                    assertThat(t.status(row) == Transactions.OPEN).isEqualTo(r.open);
                    assertThat(new long[] {t.account(row), t.points(row)}).containsExactly(r.account, r.points);
                    assertThat(parts(t, row)).as("parts of reservation %s of %s", txn, who)
                            .isEqualTo(r.open ? r.parts : List.of());
                    break;
                }
            }
        }
        int pending = 0;
        for (Checkout co : c.checkouts.values()) {
            if (co.status == Checkout.Status.PENDING) {
                pending++;
            }
        }
        assertThat(t == null ? 0 : t.pendingCount()).as("pending checkouts of %s", who).isEqualTo(pending);
    }

    private static List<Part> parts(Transactions t, int row) {
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < t.partCount(row); i++) {
            parts.add(new Part(t.partTimeMs(row, i), t.partOrder(row, i), t.partPoints(row, i)));
        }
        return parts;
    }

}
