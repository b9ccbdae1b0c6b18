package dev.loyalty.engine.rules;

import java.util.List;

/**
 * One checkout and what has happened to it since: its earned points (pending or accepted), what refunds
 * and rejection reversed, the money refunded so far, and the parts its burned points came from.
 */
final class Checkout {

    /** Life cycle of a checkout's earned points. */
    enum Status {
        PENDING, ACCEPTED, REJECTED, REFUNDED;

        private static final Status[] VALUES = values();

        static Status of(int ordinal) {
            return VALUES[ordinal];
        }
    }

    final String transactionId;
    final int account;
    final long eventTimeMs;
    /** Journal order of the checkout: tie-break of its auto-acceptance among work due at the same instant. */
    final long order;
    final long eligibleCents;
    /** Points earned, gross. */
    final long points;
    /** True when earned into the tier-qualifying account. */
    final boolean qualifies;
    final List<Part> burned;
    /** Due time of auto-acceptance; {@link Long#MAX_VALUE} when none. */
    final long acceptDueMs;
    Status status;
    /** Points reversed so far by refunds, partial refunds or rejection. */
    long reversed;
    long refundedCents;

    Checkout(String transactionId, int account, long eventTimeMs, long order, long eligibleCents, long points,
             boolean qualifies, List<Part> burned, long acceptDueMs, Status status, long reversed,
             long refundedCents) {
        this.transactionId = transactionId;
        this.account = account;
        this.eventTimeMs = eventTimeMs;
        this.order = order;
        this.eligibleCents = eligibleCents;
        this.points = points;
        this.qualifies = qualifies;
        this.burned = List.copyOf(burned);
        this.acceptDueMs = acceptDueMs;
        this.status = status;
        this.reversed = reversed;
        this.refundedCents = refundedCents;
    }

    /** Earned points not reversed: still pending, or accepted into lots. */
    long net() {
        return points - reversed;
    }

    long burnedPoints() {
        return Account.total(burned);
    }
}
