package dev.duet.signaling.client;

import dev.duet.core.ParticipantId;
import dev.duet.core.ConnectionId;
import dev.duet.core.DepartureReason;
import java.time.Instant;

/**
 * Callbacks of a {@link SignalingTransport}, on its callback executor, one at a time. Every method
 * has an empty default. An exception thrown by a callback is logged and does not stop the transport.
 */
public interface SignalingListener {

    /** The other participant arrived, or arrived again on a new connection that replaces its old one. */
    default void onPeerJoined(Member peer) {}

    /**
     * As {@link #onPeerJoined(Member)}, saying whether the peer's new connection is of another
     * client instance than its earlier ones in this session (a page reload, another device, or
     * someone holding a copy of its ticket: show it). By default calls {@link #onPeerJoined(Member)}.
     */
    default void onPeerJoined(Member peer, boolean newClient) {
        onPeerJoined(peer);
    }

    /**
     * The other participant's connection {@code connection} left, at {@code leftAt} by the relay's
     * clock, for {@code reason} ({@link DepartureReason#HUNG_UP}: it ended the session, even if its
     * {@code bye} never arrived).
     */
    default void onPeerLeft(ParticipantId participant, ConnectionId connection, Instant leftAt, DepartureReason reason) {}

    /** A message from the other participant ({@code from} is stamped by the relay). Each comes once, in order. */
    default void onMessage(ParticipantId from, Instant relayedAt, PeerMessage message) {}

    /** The connection to the relay was lost; the transport is reconnecting. */
    default void onDisconnected(String reason) {}

    /** Reconnected on a new connection: this side has a new connection id and arrival stamp. */
    default void onRejoined(JoinResult result) {}

    /** The relay refused one of this side's messages (it will not be delivered). */
    default void onSendRefused(PeerMessage message, String reason) {}

    /** The transport is closed for good; the last callback. */
    default void onClosed(CloseReason reason) {}
}
