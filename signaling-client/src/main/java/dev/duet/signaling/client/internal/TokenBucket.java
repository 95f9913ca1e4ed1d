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
        this(ratePerSecond / 1e9, capacity, nowNanos);
    }

    private TokenBucket(double ratePerNano, int capacity, long nowNanos) {
        this.ratePerNano = ratePerNano;
        this.capacity = capacity;
        this.tokens = capacity;
        this.last = nowNanos;
    }

    /** {@code ratePerMinute} tokens a minute, all of them available at once (the relay's join allowance). */
    public static TokenBucket perMinute(int ratePerMinute, long nowNanos) {
        return new TokenBucket(ratePerMinute / 60e9, ratePerMinute, nowNanos);
    }

    public boolean take(long nowNanos) {
        refill(nowNanos);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Whether it has refilled completely by {@code nowNanos} (then it is no different from a new one). */
    public boolean isFull(long nowNanos) {
        refill(nowNanos);
        return tokens >= capacity;
    }

    private void refill(long nowNanos) {
        if (nowNanos - last > 0) {
            tokens = Math.min(capacity, tokens + (nowNanos - last) * ratePerNano);
            last = nowNanos;
        }
    }
}
