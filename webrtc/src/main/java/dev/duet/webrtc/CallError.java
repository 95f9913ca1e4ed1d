package dev.duet.webrtc;

import dev.duet.core.internal.Checks;

/**
 * Something that went wrong in a call, typed so an app can react, with a message for people. A
 * message never holds a secret (no ticket, no TURN password).
 */
public record CallError(Kind kind, String message) {
    public enum Kind {
        /** The relay refused the join for good (bad or expired ticket, session over, a 4xx to the WebSocket upgrade). */
        JOIN_REFUSED,
        /** The relay could not be reached within the transport's join timeout (nothing listens, no route). */
        RELAY_UNREACHABLE,
        /** A TURN server refused this side's credentials (401): wrong or expired. */
        TURN_AUTH_FAILED,
        /** A TURN server could not be reached or answered with another error. */
        TURN_UNREACHABLE,
        /** No media path was found within the connect timeout. */
        CONNECT_TIMEOUT,
        /** New ICE servers could not be fetched before the old credentials expired. */
        ICE_SERVER_REFRESH_FAILED,
        /** A native peer-connection operation failed. */
        PEER_CONNECTION,
        /** Local media could not be set up (no camera, ...). */
        MEDIA
    }

    public CallError {
        Checks.notNull(kind, "kind");
        Checks.notNull(message, "message");
    }
}
