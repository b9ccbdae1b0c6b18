package dev.loyalty.engine.config;

/** How the lots of an account expire (loyalty-rules.md, Expiry). */
public enum ExpiryPolicy {
    /** Lots never expire. */
    NONE,
    /** A lot expires {@code days} after its event time. */
    ROLLING,
    /** A lot expires at the end (23:59:59.999 UTC) of a configured day in the year after its event time's year. */
    CALENDAR,
    /** All lots expire {@code days} after the customer's last activity. */
    LAST_ACTIVITY
}
