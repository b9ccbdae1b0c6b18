package dev.loyalty.engine.rules;

/**
 * One point movement of a customer (api.md, Ledger). {@code points} is always positive; {@code kind}
 * gives the direction. {@code transactionId} and {@code reason} may be null.
 *
 * @param id            entry number, increasing per customer from 1
 * @param seq           journal record that caused the entry
 * @param atMs          when it happened (event time, or due time for time-driven work), epoch millis
 * @param action        action of the causing event, or for time-driven work the work's name
 *                      ({@code auto_accept}, {@code expiry})
 */
public record LedgerEntry(
        long id,
        long seq,
        long atMs,
        String action,
        String account,
        LedgerKind kind,
        long points,
        String transactionId,
        String reason) {
}
