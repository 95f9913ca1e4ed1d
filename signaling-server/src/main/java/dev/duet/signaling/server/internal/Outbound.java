package dev.duet.signaling.server.internal;

/** The relay's side of one client connection: what the node may do to it. Implementations must not block. */
public interface Outbound {
    /** Queues a text frame; frames go out in the order of the calls. */
    void send(String text);

    /** Pings the client. */
    void ping();

    /** Closes the connection with a close code and a reason text (at most 123 bytes). */
    void close(int code, String reason);

    /** A label for logs (remote address). */
    String describe();
}
