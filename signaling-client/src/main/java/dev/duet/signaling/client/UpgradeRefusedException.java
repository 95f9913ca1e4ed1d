package dev.duet.signaling.client;

/**
 * The relay's address answered the WebSocket upgrade with an HTTP error ({@code 404} for a wrong
 * path, {@code 401}/{@code 403} from a proxy, ...). A {@code 4xx} is permanent: the transport does
 * not retry and the join fails with this exception. A {@code 5xx} (a proxy whose relay is down) is
 * retried like an unreachable relay.
 */
public final class UpgradeRefusedException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public UpgradeRefusedException(int status, String message) {
        super("the relay refused the WebSocket upgrade with HTTP " + status + (message == null || message.isBlank() ? "" : " " + message));
        this.status = status;
    }

    /** The HTTP status of the refusal. */
    public int status() {
        return status;
    }

    /** Whether retrying cannot help (a {@code 4xx} other than 408 and 429). */
    public boolean permanent() {
        return status >= 400 && status < 500 && status != 408 && status != 429;
    }
}
