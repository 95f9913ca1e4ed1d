package dev.duet.signaling.client;

import dev.duet.signaling.client.wire.CloseCode;

/** The relay refused to admit this side for good: a bad, expired or early ticket, or the session is over. */
public final class JoinRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient CloseCode code;

    public JoinRefusedException(CloseCode code, String message) {
        super(code.code() + " " + code.label() + ": " + message);
        this.code = code;
    }

    public CloseCode code() {
        return code;
    }
}
