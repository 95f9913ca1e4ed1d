package dev.duet.signaling.client;

import dev.duet.signaling.client.CloseCode;

/**
 * The relay refused to admit this side for good: a bad, expired or early ticket, or the session is
 * over. Unchecked: it arrives as the cause of a failed future ({@code join()}), never thrown to a
 * caller directly.
 */
public final class JoinRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient CloseCode code;
    private final java.time.Instant opensAt;

    public JoinRefusedException(CloseCode code, String message) {
        this(code, message, java.util.Optional.empty());
    }

    /** @param opensAt for {@link CloseCode#TOO_EARLY}: when the room opens (from the relay's {@code refused} frame) */
    public JoinRefusedException(CloseCode code, String message, java.util.Optional<java.time.Instant> opensAt) {
        super(code.code() + " " + code.label() + ": " + message + opensAt.map(t -> "; the room opens at " + t).orElse(""));
        this.code = code;
        this.opensAt = opensAt.orElse(null);
    }

    public CloseCode code() {
        return code;
    }

    /** For {@link CloseCode#TOO_EARLY}: when the room opens, so the app can try again then. */
    public java.util.Optional<java.time.Instant> opensAt() {
        return java.util.Optional.ofNullable(opensAt);
    }
}
