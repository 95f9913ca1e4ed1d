package dev.duet.webrtc.internal;

import dev.duet.core.Epoch;
import dev.duet.core.negotiation.IceCandidate;
import dev.duet.core.negotiation.IceConnectionState;
import dev.duet.core.negotiation.SdpType;
import dev.onvoid.webrtc.media.MediaStreamTrack;

/**
 * What a {@link PeerSession}'s native peer connection reports, already handed to the session's
 * thread. Each carries the epoch of the peer connection it came from; the receiver drops events of
 * other epochs (late callbacks of a closed connection are normal).
 */
public interface PeerEvents {
    void localDescriptionReady(Epoch epoch, SdpType type, String sdp);

    void remoteDescriptionApplied(Epoch epoch, SdpType type);

    void operationFailed(Epoch epoch, String operation, String reason);

    void localCandidate(Epoch epoch, String ufrag, IceCandidate candidate);

    void iceStateChanged(Epoch epoch, IceConnectionState state);

    void remoteTrack(Epoch epoch, MediaStreamTrack track);

    void firstRemoteVideoFrame(Epoch epoch, int width, int height);

    void iceCandidateError(Epoch epoch, String url, int code, String text);

    void statsSampled(Epoch epoch, MediaCounters counters);
}
