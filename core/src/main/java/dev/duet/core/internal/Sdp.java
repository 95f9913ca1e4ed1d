package dev.duet.core.internal;

import java.util.Optional;

/** The little Duet needs to read from an SDP. */
public final class Sdp {
    private static final String UFRAG = "a=ice-ufrag:";

    private Sdp() {}

    /** The first {@code a=ice-ufrag:} value in {@code sdp} (all m-sections share it when bundled). */
    public static Optional<String> iceUfrag(String sdp) {
        int at = sdp.startsWith(UFRAG) ? 0 : sdp.indexOf("\n" + UFRAG);
        if (at < 0) {
            return Optional.empty();
        }
        int from = at == 0 ? UFRAG.length() : at + 1 + UFRAG.length();
        int end = from;
        while (end < sdp.length() && sdp.charAt(end) != '\r' && sdp.charAt(end) != '\n') {
            end++;
        }
        String ufrag = sdp.substring(from, end).strip();
        return ufrag.isEmpty() || ufrag.length() > 256 ? Optional.empty() : Optional.of(ufrag);
    }
}
