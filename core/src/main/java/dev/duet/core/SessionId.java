package dev.duet.core;

import dev.duet.core.internal.Checks;

/**
 * Identifies one booked session.
 *
 * @param value 1 to 64 characters from {@code A-Z a-z 0-9 . _ ~ -}
 */
public record SessionId(String value) {
    public SessionId {
        Checks.identifier(value, "sessionId");
    }

    public static SessionId of(String value) {
        return new SessionId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
