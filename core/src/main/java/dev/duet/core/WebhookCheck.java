package dev.duet.core;

import dev.duet.core.internal.Checks;
import java.time.Instant;

/**
 * The result of {@link WebhookSignature#verify}: {@link Accepted} with the time the sender signed
 * at, or {@link Refused} with a reason and a message (the same shape as {@link TicketCheck} and
 * {@link JoinDecision}). A message never contains the secret or the expected signature.
 */
public sealed interface WebhookCheck {

    /** Whether the request is genuine and fresh. */
    boolean accepted();

    /** The body was signed with the shared secret at {@code signedAt}, within the replay window. */
    record Accepted(Instant signedAt) implements WebhookCheck {
        public Accepted {
            Checks.notNull(signedAt, "signedAt");
        }

        @Override
        public boolean accepted() {
            return true;
        }
    }

    /** The request must be ignored; {@code message} says what was wrong and what was expected. */
    record Refused(Reason reason, String message) implements WebhookCheck {
        public Refused {
            Checks.notNull(reason, "reason");
            Checks.notNull(message, "message");
        }

        @Override
        public boolean accepted() {
            return false;
        }
    }

    /** Why a webhook request was refused. */
    enum Reason {
        /** No header or body, or a header not of the form {@code t=<unix seconds>,v1=<64 hex digits>}. */
        MALFORMED,
        /** Signed further from the receiver's clock than the replay window allows. */
        STALE,
        /** The signature does not match the body: tampered with, or signed with another secret. */
        BAD_SIGNATURE
    }
}
