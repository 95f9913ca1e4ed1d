package dev.duet.signaling.client.pusher;

/** A webhook request that is not genuine or not readable; answer it with HTTP 401 (or 400) and drop it. */
public final class PusherWebhookException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PusherWebhookException(String message) {
        super(message);
    }
}
