package dev.duet.core;

/** The result of {@link JoinTicketVerifier#verify}: valid with its content, or invalid with a reason. */
public sealed interface TicketCheck {

    /** The ticket is genuine, for this session, and valid now. */
    record Valid(JoinTicket ticket) implements TicketCheck {
        public Valid {
            dev.duet.core.internal.Checks.notNull(ticket, "ticket");
        }
    }

    /**
     * The ticket must not admit anyone. {@code message} says what was wrong and what was expected;
     * it never contains a secret or the ticket's signature.
     */
    record Invalid(Reason reason, String message) implements TicketCheck {
        public Invalid {
            dev.duet.core.internal.Checks.notNull(reason, "reason");
            dev.duet.core.internal.Checks.notNull(message, "message");
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

    default boolean isValid() {
        return this instanceof Valid;
    }
}
