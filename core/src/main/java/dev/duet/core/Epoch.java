package dev.duet.core;

import dev.duet.core.ConnectionId;
import dev.duet.core.internal.Checks;

/**
 * One negotiation lifetime: the unordered pair of the two current connection ids, stored in
 * ascending order so both sides compute the same value. Every negotiation message carries it; a
 * message of another epoch is dropped, never applied. A rejoin on either side starts a new epoch.
 */
public record Epoch(ConnectionId first, ConnectionId second) {
    public Epoch {
        Checks.notNull(first, "epoch.first");
        Checks.notNull(second, "epoch.second");
        if (first.compareTo(second) >= 0) {
            throw new IllegalArgumentException("epoch.first must sort before epoch.second (use Epoch.of), but got "
                    + first + " and " + second);
        }
    }

    /** The epoch of two connections, in either order. */
    public static Epoch of(ConnectionId a, ConnectionId b) {
        Checks.notNull(a, "a");
        Checks.notNull(b, "b");
        if (a.equals(b)) {
            throw new IllegalArgumentException("an epoch joins two different connections, but both are " + a);
        }
        return a.compareTo(b) < 0 ? new Epoch(a, b) : new Epoch(b, a);
    }

    @Override
    public String toString() {
        return first + "+" + second;
    }
}
