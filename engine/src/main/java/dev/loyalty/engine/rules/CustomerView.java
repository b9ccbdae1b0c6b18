package dev.loyalty.engine.rules;

import java.util.Map;

/**
 * Immutable snapshot of a customer as the API shows it. Times are epoch millis; {@code lastActivityAtMs}
 * and {@code tierValidUntilMs} are {@link Long#MIN_VALUE} when null. {@code accounts} holds every
 * configured account, in configuration order.
 */
public record CustomerView(
        String id,
        boolean active,
        long optedInAtMs,
        long lastActivityAtMs,
        String tier,
        long tierValidUntilMs,
        long qualifyingPoints,
        Map<String, AccountView> accounts) {

    /** Marker for a null time. */
    public static final long NONE = Long.MIN_VALUE;
}
