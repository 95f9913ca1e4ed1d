package dev.duet.webrtc;

import dev.duet.core.internal.Checks;
import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import java.time.Instant;

/**
 * One-way media seen from this side: for {@code kind}, only {@code flowing} moved (this side sends
 * but receives nothing: {@code OUTBOUND}; or receives but sends nothing: {@code INBOUND}) since
 * {@code since}, for longer than the call's threshold. {@code ended} reports the end of the episode.
 */
public record OneWayMedia(MediaKind kind, MediaDirection flowing, Instant since, boolean ended) {
    public OneWayMedia {
        Checks.notNull(kind, "kind");
        Checks.notNull(flowing, "flowing");
        Checks.notNull(since, "since");
    }
}
