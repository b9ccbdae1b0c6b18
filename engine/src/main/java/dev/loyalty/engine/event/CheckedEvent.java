package dev.loyalty.engine.event;

import java.util.ArrayList;
import java.util.List;

/**
 * The attributes of one event that passed {@link EventChecks}, as {@link Event} holds them, in a holder an
 * {@link EventReader} reuses for every event it reads: the hot path writes them into a journal record from
 * here without building an {@link Event}. Valid until the reader's next read; not thread-safe.
 */
public final class CheckedEvent {

    private final EventFields fields;
    String customer;
    String action;
    String id;
    String account;
    long effectiveTimeMs;
    long points;
    String transactionId;
    long totalCents;
    /** Whether the event has checkout lines (they are read from {@link #fields}). */
    boolean hasItems;
    long pointsBurned;
    long amountCents;
    String reason;
    String attributesJson;
    long bodyHash;

    CheckedEvent(EventFields fields) {
        this.fields = fields;
    }

    public String customer() {
        return customer;
    }

    public String action() {
        return action;
    }

    public String id() {
        return id;
    }

    public String account() {
        return account;
    }

    public long effectiveTimeMs() {
        return effectiveTimeMs;
    }

    public long points() {
        return points;
    }

    public String transactionId() {
        return transactionId;
    }

    public long totalCents() {
        return totalCents;
    }

    /** Checkout lines, or -1 when the event has none ({@link Event#items()} null). */
    public int itemCount() {
        return hasItems ? fields.itemCount : -1;
    }

    public String productId(int i) {
        return fields.item(i).productIdText;
    }

    public long priceCents(int i) {
        return fields.item(i).priceCents;
    }

    public long quantity(int i) {
        return fields.item(i).quantityValue;
    }

    public long discountCents(int i) {
        return fields.item(i).discountCents;
    }

    public long pointsBurned() {
        return pointsBurned;
    }

    public long amountCents() {
        return amountCents;
    }

    public String reason() {
        return reason;
    }

    public String attributesJson() {
        return attributesJson;
    }

    /** The hash of the event's canonical JSON when it carries an {@code id}, else 0 (as {@link ReadEvent}). */
    public long bodyHash() {
        return bodyHash;
    }

    /** The same event as an {@link Event} (bulk slots, the async path and tests). */
    public Event toEvent() {
        List<Event.Item> items = null;
        if (hasItems) {
            List<Event.Item> lines = new ArrayList<>(fields.itemCount);
            for (int i = 0; i < fields.itemCount; i++) {
                lines.add(new Event.Item(productId(i), priceCents(i), quantity(i), discountCents(i)));
            }
            items = List.copyOf(lines);
        }
        return new Event(customer, action, id, account, effectiveTimeMs, points, transactionId, totalCents, items,
                pointsBurned, amountCents, reason, attributesJson);
    }
}
