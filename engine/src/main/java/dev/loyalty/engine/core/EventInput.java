package dev.loyalty.engine.core;

import dev.loyalty.engine.event.EligibleValue;
import dev.loyalty.engine.event.Event;

/** An {@link Event} seen as a {@link RuleInput}: one reusable holder per caller, re-pointed per event. */
public final class EventInput implements RuleInput {

    private Event e;

    /** This holder, now showing {@code event}. */
    public EventInput of(Event event) {
        this.e = event;
        return this;
    }

    @Override
    public String customer() {
        return e.customer();
    }

    @Override
    public String action() {
        return e.action();
    }

    @Override
    public String account() {
        return e.account();
    }

    @Override
    public long effectiveTimeMs() {
        return e.effectiveTimeMs();
    }

    @Override
    public long points() {
        return e.points();
    }

    @Override
    public String transactionId() {
        return e.transactionId();
    }

    @Override
    public long eligibleCents() {
        return EligibleValue.cents(e);
    }

    @Override
    public long pointsBurned() {
        return e.pointsBurned();
    }

    @Override
    public long amountCents() {
        return e.amountCents();
    }

    @Override
    public String reason() {
        return e.reason();
    }

    @Override
    public String attributesJson() {
        return e.attributesJson();
    }
}
