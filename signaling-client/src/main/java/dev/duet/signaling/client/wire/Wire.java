package dev.duet.signaling.client.wire;

/**
 * One open text connection to a relay, as a transport sees it. The WebSocket transport wraps an
 * OkHttp WebSocket; the in-memory relay hands out pipes. Methods must not block.
 */
public interface Wire {
    /** Queues one text frame; frames go out in call order. */
    void send(String text);

    /** Starts a clean close with a WebSocket close code. */
    void close(int code, String reason);

    /** Drops the connection at once, without a close handshake. */
    void cancel();

    /** Opens wires to one relay session. */
    @FunctionalInterface
    interface Connector {
        /** Starts opening a new wire; the outcome arrives on {@code listener}, on any thread. */
        void connect(Listener listener);
    }

    /** What happens on one wire. After {@link #onClosed} or {@link #onFailure}, nothing more. */
    interface Listener {
        void onOpen(Wire wire);

        void onText(String text);

        void onClosed(int code, String reason);

        void onFailure(Throwable cause);
    }
}
