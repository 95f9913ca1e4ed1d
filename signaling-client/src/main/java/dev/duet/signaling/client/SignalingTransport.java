package dev.duet.signaling.client;

import java.util.concurrent.CompletableFuture;

/**
 * The one interface the peer code talks to: join a session through a relay, learn who is there,
 * exchange {@link PeerMessage}s with the other participant, leave.
 *
 * <h2>Lifecycle</h2>
 * <pre>
 *   NEW --join()--> CONNECTING --joined--> JOINED &lt;--reconnected-- RECONNECTING
 *                        |                    |  \--connection lost--^    |
 *                        +--------------------+---------------------------+--> CLOSED (terminal)
 * </pre>
 * <ul>
 *   <li>{@link #join} may be called once; its future completes when the relay admits this side, or
 *       fails with {@link JoinRefusedException} when the relay refuses for good (bad ticket, session
 *       over). Until then a transport retries with backoff.</li>
 *   <li>{@link #send} may be called from {@code CONNECTING} on; messages are kept and sent, in
 *       order, whenever a connection is up, and resent after a reconnect until the relay has
 *       accepted them. Its future completes when the relay accepted the message.</li>
 *   <li>A lost connection is retried with exponential backoff and jitter; meanwhile the peer
 *       connection and the call go on. {@link SignalingListener#onDisconnected} and
 *       {@link SignalingListener#onRejoined} bracket the gap.</li>
 *   <li>{@link #leave} ends the session for this participant (the peer is told it left; it may
 *       come back); {@link #hangUp} ends it for both (the peer is told it hung up); {@link #close}
 *       leaves as {@link #leave} does, with the reason {@code closed by the app}, and releases
 *       the connection: the same meaning as {@code DuetCall.close()}. All three are terminal and
 *       idempotent. A process that dies without any of them is seen leaving when the relay notices
 *       the lost connection ({@code connection-lost}).</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Every {@link SignalingListener} callback, and the completion of every returned future, runs on
 * the callback executor given when the transport was built (normally the session's own serial
 * executor), one at a time, in the order the relay produced the events. After
 * {@link SignalingListener#onClosed} no further callback comes. Methods may be called from any
 * thread and never block.
 */
public interface SignalingTransport extends AutoCloseable {

    /** Where a transport is in its lifecycle. */
    enum State { NEW, CONNECTING, JOINED, RECONNECTING, CLOSED }

    /** Joins the session; callable once. */
    CompletableFuture<JoinResult> join(SignalingListener listener);

    /** Sends a message to the other participant, in order, at most once; completes when the relay accepted it. */
    CompletableFuture<Void> send(PeerMessage message);

    /** Leaves the session for good; completes when the leave was handed to the connection (or there was none). */
    CompletableFuture<Void> leave(String reason);

    /**
     * Ends the session for both sides: first waits, at most {@code flushWithin}, until every message
     * sent before (such as a {@code bye}) was accepted by the relay, also across a reconnect; then
     * sends {@code leave} with {@code hangUp}, so the relay tells the peer that this side hung up
     * even when a message did not get through. Completes when the leave was handed to the
     * connection, or when {@code flushWithin} passed without a connection to hand it to.
     */
    CompletableFuture<Void> hangUp(String reason, java.time.Duration flushWithin);

    State state();

    /** The session this transport joins, when it knows it (for log lines; the relay's answer has it too). */
    default java.util.Optional<dev.duet.core.SessionId> session() {
        return java.util.Optional.empty();
    }

    /**
     * Leaves the session without ending it for the peer (it is told {@code left}, and this side may
     * come back with a new transport), then releases the connection; a pending {@link #hangUp} is
     * sent at once instead. Idempotent; never blocks.
     */
    @Override
    void close();
}
