package dev.loyalty.engine.rules;

/**
 * Points of one account that expire at one instant (api.md, "Expiring points").
 *
 * @param atMs   the expiry instant, epoch millis: the lots are expired once the clock reaches it
 * @param points the points of the lots expiring then (never zero)
 */
public record ExpiringPoints(long atMs, long points) {
}
