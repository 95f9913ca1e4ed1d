package dev.duet.webrtc;

import dev.duet.core.ParticipantId;
import dev.duet.core.NegotiationState;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.MediaReport;
import java.time.Instant;

/**
 * What a {@link DuetCall} tells the app. Every method has an empty default.
 *
 * <p><b>Threads.</b> All callbacks run on the call's own thread, one at a time, in the order things
 * happened. Do not block in them (it stalls the call); hand long work elsewhere. An exception thrown
 * by a callback is logged and does not affect the call. After {@link #onEnded} no callback comes.
 */
public interface CallListener {

    /** The relay admitted this side (the first time, or again after a reconnect). */
    default void onJoined(Member self) {}

    /** The other participant is present (arrived, or arrived again on a new connection). */
    default void onPeerPresent(Member peer) {}

    /** The other participant's connection left the relay (it may come back). */
    default void onPeerLeft(ParticipantId peer, Instant leftAt) {}

    /** The negotiation moved between states; {@code why} says what caused it. */
    default void onStateChanged(NegotiationState from, NegotiationState to, String why) {}

    /** This side made (or received) an offer; {@code iceRestart} for ICE restarts. */
    default void onOffer(boolean local, boolean iceRestart) {}

    /** The peer's track arrived. It lasts until the peer connection closes. */
    default void onRemoteTrack(RemoteTrack track) {}

    /** The first remote video frame of this peer connection was decoded ({@code width}×{@code height}). */
    default void onFirstRemoteVideoFrame(int width, int height) {}

    /** A chat line from the peer; {@code relayedAt} is the relay's clock. */
    default void onChat(ParticipantId from, Instant relayedAt, String text) {}

    /** This side's stats sampler produced a report (it was also sent to the relay). */
    default void onMediaReport(MediaReport report) {}

    /** The peer's media report, as the relay forwarded it. */
    default void onPeerMediaReport(MediaReport report) {}

    /** One-way media began (past the threshold) or ended. */
    default void onOneWayMedia(OneWayMedia event) {}

    /** The signaling connection dropped; the call goes on while it reconnects. */
    default void onSignalingInterrupted(String reason) {}

    /** Something went wrong; the call may go on (a TURN URL refused) or end right after ({@link #onEnded}). */
    default void onError(CallError error) {}

    /** The call ended; the last callback. */
    default void onEnded(CallEnd end) {}
}
