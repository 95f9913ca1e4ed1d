package dev.duet.signaling.client;

import dev.duet.core.internal.Checks;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Random;

/**
 * Reconnect delays: exponential with full jitter. Attempt {@code n} (from 0) waits a uniformly
 * random time between 0 and {@code min(max, initial × 2^n)}.
 *
 * @param initial the ceiling of the first delay; positive
 * @param max     the largest ceiling; at least {@code initial}
 * @param random  the source of jitter (seed it in tests)
 */
public record Backoff(Duration initial, Duration max, Random random) {
    public Backoff {
        Checks.positive(initial, "initial");
        Checks.positive(max, "max");
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max (" + max + ") must be at least initial (" + initial + ")");
        }
        Checks.notNull(random, "random");
    }

    /** 0.5 s doubling to 30 s. */
    public static Backoff defaults() {
        return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new SecureRandom());
    }

    /** The delay before reconnect attempt {@code attempt} (0 for the first). */
    public Duration delay(int attempt) {
        long ceiling = initial.toMillis() << Math.min(Math.max(attempt, 0), 20);
        ceiling = Math.min(ceiling, max.toMillis());
        return Duration.ofMillis((long) (random.nextDouble() * (ceiling + 1)));
    }
}
