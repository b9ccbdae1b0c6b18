package dev.loyalty.engine.event;

import java.util.Arrays;

/**
 * The fields of one streamed event the checks read, gathered in one pass whatever the key order: the
 * envelope, the {@code data} attributes any action uses, and the checkout lines. Reused; not thread-safe.
 */
final class EventFields {

    /** Slots kept between events; a hostile body's thousands of lines are not kept alive. */
    private static final int KEEP_ITEMS = 256;

    /** Whether the event itself is a JSON object. */
    boolean isObject;
    final JsonValue customer = new JsonValue();
    final JsonValue action = new JsonValue();
    final JsonValue id = new JsonValue();
    final JsonValue account = new JsonValue();
    /** {@code data} when it is not an object ({@code OTHER} then means a non-object value). */
    final JsonValue data = new JsonValue();
    /** Whether {@code data} is an object; its byte range in the body is kept for profile attributes. */
    boolean dataIsObject;
    long dataStart;
    long dataEnd;

    final JsonValue effectiveTimestamp = new JsonValue();
    final JsonValue points = new JsonValue();
    /** Only whether {@code data.tier} is there (even as null): profile refuses it. */
    boolean tierGiven;
    final JsonValue reason = new JsonValue();
    final JsonValue transactionId = new JsonValue();
    final JsonValue total = new JsonValue();
    final JsonValue pointsBurned = new JsonValue();
    final JsonValue amount = new JsonValue();
    /** {@code data.items} when it is not an array. */
    final JsonValue items = new JsonValue();
    boolean itemsIsArray;
    int itemCount;
    private Item[] itemSlots = new Item[0];

    /** One element of {@code data.items}. */
    static final class Item {
        boolean isObject;
        final JsonValue productId = new JsonValue();
        final JsonValue price = new JsonValue();
        final JsonValue quantity = new JsonValue();
        final JsonValue discount = new JsonValue();
        /** The line as checked ({@link EventChecks}): read back when the event is written, no object per line. */
        String productIdText;
        long priceCents;
        long quantityValue;
        long discountCents;

        void clear() {
            isObject = false;
            productIdText = null;
            productId.clear();
            price.clear();
            quantity.clear();
            discount.clear();
        }
    }

    void clear() {
        isObject = false;
        customer.clear();
        action.clear();
        id.clear();
        account.clear();
        data.clear();
        dataIsObject = false;
        effectiveTimestamp.clear();
        points.clear();
        tierGiven = false;
        reason.clear();
        transactionId.clear();
        total.clear();
        pointsBurned.clear();
        amount.clear();
        items.clear();
        itemsIsArray = false;
        itemCount = 0;
        if (itemSlots.length > KEEP_ITEMS) {
            itemSlots = new Item[0];
        }
    }

    /** A cleared slot for the next checkout line. */
    Item nextItem() {
        if (itemCount == itemSlots.length) {
            itemSlots = Arrays.copyOf(itemSlots, Math.max(4, itemCount * 2));
        }
        Item item = itemSlots[itemCount];
        if (item == null) {
            item = new Item();
            itemSlots[itemCount] = item;
        }
        item.clear();
        itemCount++;
        return item;
    }

    Item item(int i) {
        return itemSlots[i];
    }
}
