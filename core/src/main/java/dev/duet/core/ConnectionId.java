package dev.duet.core;

import dev.duet.core.internal.Checks;

/**
 * The relay's id for one signaling connection. Every (re)join gets a fresh one; the pair of the
 * two current connection ids is the negotiation {@link Epoch}.
 *
 * @param value 1 to 64 characters from {@code A-Z a-z 0-9 . _ ~ -}
 */
public record ConnectionId(String value) implements Comparable<ConnectionId> {
    public ConnectionId {
        Checks.identifier(value, "connectionId");
    }

    public static ConnectionId of(String value) {
        return new ConnectionId(value);
    }

    @Override
    public int compareTo(ConnectionId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
