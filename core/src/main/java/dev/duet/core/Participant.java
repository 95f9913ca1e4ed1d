package dev.duet.core;

import dev.duet.core.internal.Checks;

/**
 * A person booked into a session.
 *
 * @param id          stable id of the person
 * @param role        expert or learner
 * @param displayName what the other side sees; 1 to 100 characters, not blank
 */
public record Participant(ParticipantId id, Role role, String displayName) {
    public static final int MAX_DISPLAY_NAME_LENGTH = 100;

    public Participant {
        Checks.notNull(id, "participant.id");
        Checks.notNull(role, "participant.role");
        Checks.notNull(displayName, "participant.displayName");
        if (displayName.isBlank()) {
            throw new IllegalArgumentException("participant.displayName must not be blank");
        }
        if (displayName.length() > MAX_DISPLAY_NAME_LENGTH) {
            throw new IllegalArgumentException("participant.displayName must be at most " + MAX_DISPLAY_NAME_LENGTH
                    + " characters, but had " + displayName.length());
        }
    }

    public static Participant expert(String id, String displayName) {
        return new Participant(ParticipantId.of(id), Role.EXPERT, displayName);
    }

    public static Participant learner(String id, String displayName) {
        return new Participant(ParticipantId.of(id), Role.LEARNER, displayName);
    }
}
