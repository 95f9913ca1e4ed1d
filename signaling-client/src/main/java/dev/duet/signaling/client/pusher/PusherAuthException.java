package dev.duet.signaling.client.pusher;

/** A subscription {@link PusherChannelAuth} would not sign; answer it with HTTP 403 and the message. */
public final class PusherAuthException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What was wrong. */
    public enum Reason {
        /** The request's socket id is not one Pusher assigns. */
        MALFORMED_REQUEST,
        /** The channel is not a Duet session's presence or private channel. */
        NOT_A_DUET_CHANNEL,
        /** No ticket, or one not valid now for the channel's session. */
        TICKET_REFUSED
    }

    private final Reason reason;

    public PusherAuthException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
