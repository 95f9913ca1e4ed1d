package dev.duet.signaling.client;

import dev.duet.core.internal.Checks;
import dev.duet.signaling.client.CloseCode;
import java.util.Optional;

/**
 * Why a transport closed for good.
 *
 * @param code    the relay's close code, when the relay closed it ({@link CloseCode} names them)
 * @param local   true when this side closed it ({@code leave} or {@code close})
 * @param message what happened, in words
 */
public record CloseReason(Optional<CloseCode> code, boolean local, String message) {
    public CloseReason {
        Checks.notNull(code, "code");
        Checks.notNull(message, "message");
    }
}
