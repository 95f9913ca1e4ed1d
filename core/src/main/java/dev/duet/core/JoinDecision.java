package dev.duet.core;

import dev.duet.core.internal.Checks;

/**
 * The answer of {@link JoinWindow#check}: {@link Accepted} with the participant, or {@link Refused}
 * with a reason and a message (the same shape as {@link TicketCheck} and {@link WebhookCheck}).
 */
public sealed interface JoinDecision {

    /** Whether the participant may join now. */
    boolean accepted();

    /** The participant may join now. */
    record Accepted(Participant participant) implements JoinDecision {
        public Accepted {
            Checks.notNull(participant, "participant");
        }

        @Override
        public boolean accepted() {
            return true;
        }
    }

    /** The participant may not join now; {@code message} says why in words. */
    record Refused(Reason reason, String message) implements JoinDecision {
        public Refused {
            Checks.notNull(reason, "reason");
            Checks.notNull(message, "message");
        }

        @Override
        public boolean accepted() {
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
