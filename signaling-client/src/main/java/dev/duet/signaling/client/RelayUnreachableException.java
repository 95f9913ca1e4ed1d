package dev.duet.signaling.client;

import java.time.Duration;

/** The transport tried to reach the relay for the whole join timeout, with backoff, and never got in. */
public final class RelayUnreachableException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    private final int attempts;

    public RelayUnreachableException(String relay, Duration timeout, int attempts, String lastError) {
        super("could not reach the relay at " + relay + " within " + timeout.toMillis() + " ms (" + attempts + " attempt"
                + (attempts == 1 ? "" : "s") + "; last: " + lastError + ")");
        this.attempts = attempts;
    }

    /** How many connections were tried. */
    public int attempts() {
        return attempts;
    }
}
