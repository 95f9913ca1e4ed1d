package dev.duet.core;

/** The answer of {@link JoinWindow#check}. */
public sealed interface JoinDecision {

    boolean allowed();

    /** The participant may join now. */
    record Allowed(Participant participant) implements JoinDecision {
        public Allowed {
            dev.duet.core.internal.Checks.notNull(participant, "participant");
        }

        @Override
        public boolean allowed() {
            return true;
        }
    }

    /** The participant may not join now; {@code message} says why in words. */
    record Refused(Reason reason, String message) implements JoinDecision {
        public Refused {
            dev.duet.core.internal.Checks.notNull(reason, "reason");
            dev.duet.core.internal.Checks.notNull(message, "message");
        }

        @Override
        public boolean allowed() {
            return false;
        }
    }

    /** Why a join was refused. */
    enum Reason {
        /** The id is neither the booking's expert nor its learner. */
        NOT_BOOKED,
        /** The room is not open yet. */
        TOO_EARLY,
        /** The room has closed (booked end plus grace has passed). */
        CLOSED
    }
}
