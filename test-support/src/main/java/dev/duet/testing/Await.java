package dev.duet.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that nothing signals (a line another process appends to a file, a
 * connection a server registers on its own thread, an event recorded right after the peer was told),
 * checking it every millisecond, and fails naming {@code what} if it does not hold in time.
 */
public final class Await {
    private Await() {}

    /** Returns as soon as {@code condition} holds; throws {@link AssertionError} after {@code within}. */
    public static void until(BooleanSupplier condition, Duration within, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + " did not happen within " + within);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
