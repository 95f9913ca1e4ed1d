package dev.duet.signaling.client.internal;

/**
 * A token bucket: {@code rate} tokens per second, at most {@code capacity} saved up. The relay
 * limits each connection with one; the client paces itself with one below the relay's limit.
 * Not thread-safe.
 */
public final class TokenBucket {
    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long last;

    public TokenBucket(int ratePerSecond, int capacity, long nowNanos) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.capacity = capacity;
        this.tokens = capacity;
        this.last = nowNanos;
    }

    public boolean take(long nowNanos) {
        if (nowNanos - last > 0) {
            tokens = Math.min(capacity, tokens + (nowNanos - last) * ratePerNano);
            last = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
