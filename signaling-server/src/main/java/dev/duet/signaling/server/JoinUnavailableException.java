package dev.duet.signaling.server;

import dev.duet.core.internal.Checks;

/**
 * {@link DuetServer#join} cannot hand out join details; {@link #reason()} says why, so that an HTTP
 * backend can answer 404, 403 or 410 without parsing the message.
 */
public final class JoinUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why no join details were handed out. */
    public enum Reason {
        /** No booking with that session id was given to {@link DuetServer#book}. */
        UNKNOWN_SESSION,
        /** The participant is neither the booking's expert nor its learner. */
        NOT_A_PARTICIPANT,
        /** The booking's join window has closed, or the session has been closed. */
        SESSION_OVER
    }

    private final Reason reason;

    JoinUnavailableException(Reason reason, String message) {
        super(Checks.notNull(message, "message"));
        this.reason = Checks.notNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
