package dev.duet.core.negotiation;

import dev.duet.core.internal.Checks;

/**
 * One ICE candidate as WebRTC hands it out ({@code RTCIceCandidate}).
 *
 * @param sdpMid        media stream id it belongs to; may be empty, not null
 * @param sdpMLineIndex index of the m-line; zero or positive
 * @param candidate     the {@code candidate:...} attribute; not blank, at most 1024 characters
 */
public record IceCandidate(String sdpMid, int sdpMLineIndex, String candidate) {
    public static final int MAX_CANDIDATE_LENGTH = 1024;

    public IceCandidate {
        Checks.notNull(sdpMid, "candidate.sdpMid");
        Checks.notNull(candidate, "candidate.candidate");
        if (sdpMLineIndex < 0) {
            throw new IllegalArgumentException("candidate.sdpMLineIndex must be zero or positive, but was " + sdpMLineIndex);
        }
        if (candidate.isBlank() || candidate.length() > MAX_CANDIDATE_LENGTH) {
            throw new IllegalArgumentException("candidate.candidate must be 1 to " + MAX_CANDIDATE_LENGTH
                    + " characters, not blank, but had " + candidate.length());
        }
    }
}
