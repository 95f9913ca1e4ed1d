package dev.duet.signaling.client;

/**
 * The relay's WebSocket close codes (the protocol notes list what a client must do on each).
 * {@link #retry()} says whether a client should reconnect.
 */
public enum CloseCode {
    NORMAL(1000, "normal", false),
    GOING_AWAY(1001, "going-away", true),
    INTERNAL_ERROR(1011, "internal-error", true),
    IDLE_TIMEOUT(4002, "idle-timeout", true),
    TOO_SLOW(4003, "too-slow", true),
    BAD_JOIN(4400, "bad-join", false),
    TICKET_INVALID(4401, "ticket-invalid", false),
    TICKET_WRONG_SESSION(4403, "ticket-wrong-session", false),
    JOIN_TIMEOUT(4408, "join-timeout", true),
    REPLACED(4409, "replaced", false),
    TICKET_EXPIRED(4410, "ticket-expired", false),
    /** Another client instance holds this participant's live connection (the ticket is in use elsewhere). */
    TICKET_IN_USE(4423, "ticket-in-use", true),
    TOO_EARLY(4425, "too-early", false),
    RATE_LIMITED(4429, "rate-limited", true),
    SESSION_CLOSED(4499, "session-closed", false),
    NODE_FULL(4503, "node-full", true);

    private final int code;
    private final String label;
    private final boolean retry;

    CloseCode(int code, String label, boolean retry) {
        this.code = code;
        this.label = label;
        this.retry = retry;
    }

    public int code() {
        return code;
    }

    public String label() {
        return label;
    }

    /** Should a client reconnect (with backoff) after this close? */
    public boolean retry() {
        return retry;
    }

    /** The close code with this number, if the relay uses it. */
    public static java.util.Optional<CloseCode> of(int code) {
        for (CloseCode c : values()) {
            if (c.code == code) {
                return java.util.Optional.of(c);
            }
        }
        return java.util.Optional.empty();
    }
}
