package dev.loyalty.engine.rules;

import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.event.Event;

import java.util.ArrayList;
import java.util.List;

/**
 * One customer driven through {@link Rules} like a processor would: every record gets the next seq, the
 * clock is the largest ingest time so far, and {@code seqWhenDue} answers the first record whose clock
 * reached the due time.
 */
final class Harness {

    static final long DAY = 86_400_000L;
    /** 2026-01-01T00:00:00Z. */
    static final long T0 = 1_767_225_600_000L;

    final Rules rules;
    Customer customer;
    final List<LedgerEntry> ledger = new ArrayList<>();
    final TestJournal journal = new TestJournal();

    Harness(RulesConfig config) {
        this.rules = new Rules(config);
        this.customer = new Customer("c1", config.accounts().size());
    }

    Harness() {
        this(TestConfigs.defaults());
    }

    /** Journals and applies the event with that ingest time. */
    EventOutcome apply(long ingestMs, Event event) {
        return rules.apply(customer, event, journal.next(ingestMs), ledger);
    }

    EventOutcome apply(long ingestMs, Ev event) {
        return apply(ingestMs, event.build());
    }

    /** A heartbeat at that ingest time: like the processor, runs the customer's due work if any has passed. */
    void tick(long ingestMs) {
        ApplyContext ctx = journal.next(ingestMs);
        if (rules.nextDueMs(customer) <= ctx.clockMs()) {
            rules.runDue(customer, ctx, ledger);
        }
    }

    /** A heartbeat record in the middle of a processor batch: moves the clock, runs nothing. */
    void heartbeat(long ingestMs) {
        journal.next(ingestMs);
    }

    /**
     * End of a processor batch after the current record: like the processor, runs due work with that
     * record's context only when the customer's due time has passed.
     */
    void batchEnd() {
        if (rules.nextDueMs(customer) <= journal.clockMs) {
            rules.runDue(customer, journal.current(), ledger);
        }
    }

    /** Replaces the customer with its encoded-then-decoded copy, as a processor reloading it would. */
    void reload() {
        customer = CustomerCodec.decode(CustomerCodec.encode(customer));
    }

    CustomerView view() {
        return rules.view(customer, journal.clockMs);
    }

    AccountView points() {
        return view().accounts().get("points");
    }

    AccountView bonus() {
        return view().accounts().get("bonus");
    }

}
