package dev.duet.signaling.server.internal;

/** A token bucket: {@code rate} tokens per second, at most {@code capacity} saved up. Not thread-safe. */
final class TokenBucket {
    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long last;

    TokenBucket(int ratePerSecond, int capacity, long nowNanos) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.capacity = capacity;
        this.tokens = capacity;
        this.last = nowNanos;
    }

    boolean take(long nowNanos) {
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
