package dev.duet.signaling.client.wire;

/** A frame that cannot be accepted: typed by {@link ProtocolError}, with a message naming the field. */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ProtocolError error;

    public ProtocolException(ProtocolError error, String message) {
        super(error.code() + ": " + message);
        this.error = error;
    }

    public ProtocolError error() {
        return error;
    }

    /** The message without the error code prefix. */
    public String detail() {
        return getMessage().substring(error.code().length() + 2);
    }
}
