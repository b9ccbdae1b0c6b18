package dev.loyalty.engine.rules;

import dev.loyalty.engine.event.Event;

import java.util.List;

/** Fluent builder of validated events for rules tests. */
final class Ev {

    private final String customer;
    private final String action;
    private String account = "points";
    private long effectiveTimeMs = Event.ABSENT;
    private long points = Event.ABSENT;
    private String transactionId;
    private long totalCents = Event.ABSENT;
    private List<Event.Item> items;
    private long pointsBurned = Event.ABSENT;
    private long amountCents = Event.ABSENT;
    private String reason;
    private String attributesJson;

    private Ev(String customer, String action) {
        this.customer = customer;
        this.action = action;
    }

    static Ev of(String action) {
        return new Ev("c1", action);
    }

    Ev account(String a) {
        account = a;
        return this;
    }

    Ev at(long ms) {
        effectiveTimeMs = ms;
        return this;
    }

    Ev points(long p) {
        points = p;
        return this;
    }

    Ev txn(String t) {
        transactionId = t;
        return this;
    }

    Ev total(long cents) {
        totalCents = cents;
        return this;
    }

    Ev items(Event.Item... lines) {
        items = List.of(lines);
        return this;
    }

    Ev burned(long p) {
        pointsBurned = p;
        return this;
    }

    Ev amount(long cents) {
        amountCents = cents;
        return this;
    }

    Ev reason(String r) {
        reason = r;
        return this;
    }

    Ev attributes(String json) {
        attributesJson = json;
        return this;
    }

    Event build() {
        return new Event(customer, action, null, account, effectiveTimeMs, points, transactionId, totalCents, items,
                pointsBurned, amountCents, reason, attributesJson);
    }
}
