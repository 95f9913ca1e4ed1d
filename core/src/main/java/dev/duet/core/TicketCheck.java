package dev.duet.core;

import dev.duet.core.internal.Checks;
import java.time.Instant;
import java.util.Optional;

/**
 * The result of {@link JoinTicketVerifier#verify}: {@link Accepted} with the ticket's content, or
 * {@link Refused} with a reason and a message. The same shape as {@link JoinDecision} and
 * {@link WebhookCheck}: a bad input is an answer, never an exception.
 */
public sealed interface TicketCheck {

    /** Whether the ticket admits its holder. */
    boolean accepted();

    /** The ticket is genuine, for this session, and valid now. */
    record Accepted(JoinTicket ticket) implements TicketCheck {
        public Accepted {
            Checks.notNull(ticket, "ticket");
        }

        @Override
        public boolean accepted() {
            return true;
        }
    }

    /**
     * The ticket must not admit anyone. {@code message} says what was wrong and what was expected;
     * it never contains a secret or the ticket's signature. {@code validFrom}: for
     * {@link Reason#NOT_YET_VALID}, when the ticket becomes valid (the room opens).
     * {@code genuine}: the ticket's content when its signature verified (a genuine ticket refused
     * for its session, its time or its booking), so that the refusal can be put on the record; empty
     * for a malformed ticket or one whose key or signature is wrong.
     */
    record Refused(Reason reason, String message, Optional<Instant> validFrom, Optional<JoinTicket> genuine)
            implements TicketCheck {
        public Refused {
            Checks.notNull(reason, "reason");
            Checks.notNull(message, "message");
            Checks.notNull(validFrom, "validFrom");
            Checks.notNull(genuine, "genuine");
        }

        public Refused(Reason reason, String message) {
            this(reason, message, Optional.empty(), Optional.empty());
        }

        @Override
        public boolean accepted() {
            return false;
        }
    }

    /** Why a ticket was refused, in the order the verifier checks. */
    enum Reason {
        /** Not a ticket: wrong form, wrong version, bad encoding, bad field. */
        MALFORMED,
        /** Signed with a key id the verifier does not hold (rotated out, or forged). */
        UNKNOWN_KEY,
        /** The signature does not match the content: tampered with, or signed with another secret. */
        BAD_SIGNATURE,
        /** Genuine, but for another session. */
        WRONG_SESSION,
        /** Genuine, but its not-before lies ahead (beyond the allowed clock skew). */
        NOT_YET_VALID,
        /** Genuine, but expired (beyond the allowed clock skew). */
        EXPIRED,
        /** Genuine and current, but its participant and role do not match the booking (only when checked against one). */
        NOT_BOOKED
    }
}
