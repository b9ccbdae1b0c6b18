package dev.loyalty.engine.rules;

/**
 * Points taken from one lot by a consumption (spend, reservation, burn): enough to give them back with
 * the lot's event time and journal order, hence the lot's expiry under the account's policy.
 *
 * @param eventTimeMs event time of the lot the points came from
 * @param order       journal order of that lot (per-customer creation counter)
 * @param points      how many points, always positive
 */
record Part(long eventTimeMs, long order, long points) {

    /** Consumption order of lots and parts: earliest expiry first, i.e. earliest event time, then journal order. */
    static int compare(long eventTimeA, long orderA, long eventTimeB, long orderB) {
        int c = Long.compare(eventTimeA, eventTimeB);
        return c != 0 ? c : Long.compare(orderA, orderB);
    }
}
