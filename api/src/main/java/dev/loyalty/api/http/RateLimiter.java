package dev.loyalty.api.http;

/**
 * A token bucket for one API key: {@code ratePerSecond} tokens a second, at most {@code burst} saved up.
 * Thread-safe (a short lock per request of that key).
 */
final class RateLimiter {

    private final double tokensPerNs;
    private final double burst;
    private double tokens;
    private long lastNs;

    RateLimiter(double ratePerSecond, int burst, long nowNs) {
        this.tokensPerNs = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.lastNs = nowNs;
    }

    /** Takes a token; returns 0 when one was free, else the whole seconds until one will be (at least 1). */
    synchronized int acquire(long nowNs) {
        tokens = Math.min(burst, tokens + (nowNs - lastNs) * tokensPerNs);
        lastNs = nowNs;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (int) Math.max(1, Math.ceil((1 - tokens) / tokensPerNs / 1e9));
    }
}
