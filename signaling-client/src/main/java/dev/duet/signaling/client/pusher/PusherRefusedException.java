package dev.duet.signaling.client.pusher;

/**
 * A {@link PusherTransport} stopped for good because it cannot get in: the app's backend refused to
 * sign the subscription, the Pusher server refused the signature or the app key, or closed the
 * connection with a code that says not to retry unchanged (4000 to 4099). The message says which,
 * and what was wrong. Unchecked: it arrives as the cause of the failed {@code join()} future.
 */
public final class PusherRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PusherRefusedException(String message) {
        super(message);
    }

    public PusherRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
