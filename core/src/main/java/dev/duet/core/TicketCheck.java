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
     * it never contains a secret or the ticket's signature. {@code validFrom}: for
     * {@link Reason#NOT_YET_VALID}, when the ticket becomes valid (the room opens).
     */
    record Invalid(Reason reason, String message, java.util.Optional<java.time.Instant> validFrom) implements TicketCheck {
        public Invalid {
            dev.duet.core.internal.Checks.notNull(reason, "reason");
            dev.duet.core.internal.Checks.notNull(message, "message");
            dev.duet.core.internal.Checks.notNull(validFrom, "validFrom");
        }

        public Invalid(Reason reason, String message) {
            this(reason, message, java.util.Optional.empty());
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
