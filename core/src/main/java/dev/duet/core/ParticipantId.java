package dev.duet.core;

import dev.duet.core.internal.Checks;

/**
 * Identifies a person in a session (the app's own user id, or any stable alias of it).
 * Participant ids are ordered by their string value; the order breaks arrival ties.
 *
 * @param value 1 to 64 characters from {@code A-Z a-z 0-9 . _ ~ -}
 */
public record ParticipantId(String value) implements Comparable<ParticipantId> {
    public ParticipantId {
        Checks.identifier(value, "participantId");
    }

    public static ParticipantId of(String value) {
        return new ParticipantId(value);
    }

    @Override
    public int compareTo(ParticipantId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
