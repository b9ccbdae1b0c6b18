package dev.loyalty.engine.rules;

/**
 * Spendable points of one credit, still unspent. Its expiry is not stored: it is a function of the event
 * time under the account's expiry policy (see {@link Expiry}), monotone in the event time, so sorting lots
 * by (event time, journal order) sorts them by expiry too.
 */
final class Lot {

    final long eventTimeMs;
    final long order;
    long points;

    Lot(long eventTimeMs, long order, long points) {
        this.eventTimeMs = eventTimeMs;
        this.order = order;
        this.points = points;
    }
}
