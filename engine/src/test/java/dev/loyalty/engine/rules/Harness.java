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
    private final List<long[]> clockRecords = new ArrayList<>();
    long seq;
    long clockMs = Long.MIN_VALUE;
    private long lastIngestMs = Long.MIN_VALUE;

    Harness(RulesConfig config) {
        this.rules = new Rules(config);
        this.customer = new Customer("c1", config.accounts().size());
    }

    Harness() {
        this(TestConfigs.defaults());
    }

    private Ctx next(long ingestMs) {
        seq++;
        lastIngestMs = ingestMs;
        boolean moved = ingestMs > clockMs;
        clockMs = Math.max(clockMs, ingestMs);
        if (moved) {
            clockRecords.add(new long[] {seq, clockMs});
        }
        return new Ctx(seq, ingestMs, clockMs);
    }

    /** Journals and applies the event with that ingest time. */
    EventOutcome apply(long ingestMs, Event event) {
        return rules.apply(customer, event, next(ingestMs), ledger);
    }

    EventOutcome apply(long ingestMs, Ev event) {
        return apply(ingestMs, event.build());
    }

    /** A heartbeat at that ingest time: like the processor, runs the customer's due work if any has passed. */
    void tick(long ingestMs) {
        Ctx ctx = next(ingestMs);
        if (rules.nextDueMs(customer) <= ctx.clockMs) {
            rules.runDue(customer, ctx, ledger);
        }
    }

    /** A heartbeat record in the middle of a processor batch: moves the clock, runs nothing. */
    void heartbeat(long ingestMs) {
        next(ingestMs);
    }

    /**
     * End of a processor batch after the current record: like the processor, runs due work with that
     * record's context only when the customer's due time has passed.
     */
    void batchEnd() {
        if (rules.nextDueMs(customer) <= clockMs) {
            rules.runDue(customer, new Ctx(seq, lastIngestMs, clockMs), ledger);
        }
    }

    /** Replaces the customer with its encoded-then-decoded copy, as a processor reloading it would. */
    void reload() {
        customer = CustomerCodec.decode(CustomerCodec.encode(customer));
    }

    CustomerView view() {
        return rules.view(customer, clockMs);
    }

    AccountView points() {
        return view().accounts().get("points");
    }

    AccountView bonus() {
        return view().accounts().get("bonus");
    }

    long seqWhenDue(long dueMs) {
        for (long[] r : clockRecords) {
            if (r[1] >= dueMs) {
                return r[0];
            }
        }
        throw new IllegalStateException("clock never reached " + dueMs);
    }

    private final class Ctx implements ApplyContext {
        private final long seq;
        private final long ingestMs;
        private final long clockMs;

        Ctx(long seq, long ingestMs, long clockMs) {
            this.seq = seq;
            this.ingestMs = ingestMs;
            this.clockMs = clockMs;
        }

        @Override
        public long seq() {
            return seq;
        }

        @Override
        public long ingestTimeMs() {
            return ingestMs;
        }

        @Override
        public long clockMs() {
            return clockMs;
        }

        @Override
        public long seqWhenDue(long dueMs) {
            return Harness.this.seqWhenDue(dueMs);
        }
    }
}
