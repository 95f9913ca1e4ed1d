package dev.duet.core.negotiation;

import dev.duet.core.internal.Checks;

/**
 * One ICE candidate as WebRTC hands it out ({@code RTCIceCandidate}). As in WebRTC, {@code sdpMid}
 * and {@code sdpMLineIndex} may each be null, but not both: the media section is named by its mid,
 * or else by its index.
 *
 * @param sdpMid        media stream id it belongs to; null when unknown
 * @param sdpMLineIndex index of the m-line, 0 to 1024; null when unknown
 * @param candidate     the {@code candidate:...} attribute; not blank, at most 1024 characters
 */
public record IceCandidate(String sdpMid, Integer sdpMLineIndex, String candidate) {
    public static final int MAX_CANDIDATE_LENGTH = 1024;
    public static final int MAX_MLINE_INDEX = 1024;

    public IceCandidate {
        Checks.notNull(candidate, "candidate.candidate");
        if (sdpMid == null && sdpMLineIndex == null) {
            throw new IllegalArgumentException("candidate.sdpMid and candidate.sdpMLineIndex must not both be null");
        }
        if (sdpMLineIndex != null && (sdpMLineIndex < 0 || sdpMLineIndex > MAX_MLINE_INDEX)) {
            throw new IllegalArgumentException("candidate.sdpMLineIndex must be 0 to " + MAX_MLINE_INDEX + ", but was "
                    + sdpMLineIndex);
        }
        if (sdpMid != null && sdpMid.length() > 64) {
            throw new IllegalArgumentException("candidate.sdpMid must be at most 64 characters, but had " + sdpMid.length());
        }
        if (candidate.isBlank() || candidate.length() > MAX_CANDIDATE_LENGTH) {
            throw new IllegalArgumentException("candidate.candidate must be 1 to " + MAX_CANDIDATE_LENGTH
                    + " characters, not blank, but had " + candidate.length());
        }
    }
}
