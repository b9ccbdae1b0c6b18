package dev.loyalty.engine.event;

import java.util.List;

/**
 * A validated event exactly as journaled: the only input of the rules besides the journal clock.
 *
 * <p>Absent numeric attributes are {@link #ABSENT}; absent strings are {@code null}. Money is in cents
 * (2 decimals, never binary floating point). {@code effectiveTimeMs} is {@link #ABSENT} when the client
 * gave no {@code effective_timestamp}: the rules then use the ingest time.
 *
 * @param customer       customer id, already checked against {@code [A-Za-z0-9._:@-]{1,64}}
 * @param action         built-in or configured custom action name
 * @param id             idempotency key or null
 * @param account        resolved account name (the configured default when the client gave none)
 * @param effectiveTimeMs event time in epoch millis, or {@link #ABSENT}
 * @param points         {@code points} attribute or {@link #ABSENT}
 * @param transactionId  {@code transaction_id} or null
 * @param totalCents     {@code total} in cents or {@link #ABSENT}
 * @param items          checkout lines or null
 * @param pointsBurned   {@code points_burned} or {@link #ABSENT}
 * @param amountCents    {@code amount} (partial refund) in cents or {@link #ABSENT}
 * @param reason         {@code reason} or null
 * @param attributesJson profile attributes of {@code opt_in}/{@code profile} as compact JSON, or null
 */
public record Event(
        String customer,
        String action,
        String id,
        String account,
        long effectiveTimeMs,
        long points,
        String transactionId,
        long totalCents,
        List<Item> items,
        long pointsBurned,
        long amountCents,
        String reason,
        String attributesJson) {

    /** Marker for an absent numeric attribute. */
    public static final long ABSENT = Long.MIN_VALUE;

    /** One checkout line; money in cents. {@code discountCents} is 0 when absent. */
    public record Item(String productId, long priceCents, long quantity, long discountCents) {
    }

    /** Event time: the effective timestamp when given, else the ingest time. */
    public long eventTimeMs(long ingestTimeMs) {
        return effectiveTimeMs == ABSENT ? ingestTimeMs : effectiveTimeMs;
    }
}
