package dev.duet.webrtc.internal;

import dev.duet.signaling.client.MediaReport;
import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Watches one side's media reports for one-way media: for a kind, exactly one direction flowing
 * (this side sends but receives nothing, or the reverse) without a break for at least
 * {@code threshold}. Reports each episode once when it passes the threshold, and once when it ends
 * (both directions flow again, or neither does). Pure: time comes from the reports' arrival instants.
 */
public final class OneWayMediaDetector {

    /** A change the detector saw. {@code flowing} is the one direction that flows; {@code since} is when the episode began. */
    public record Change(MediaKind kind, MediaDirection flowing, Instant since, boolean ended) {}

    private final Duration threshold;
    private final Map<MediaKind, Episode> episodes = new EnumMap<>(MediaKind.class);

    private static final class Episode {
        final MediaDirection flowing;
        final Instant since;
        boolean reported;

        Episode(MediaDirection flowing, Instant since) {
            this.flowing = flowing;
            this.since = since;
        }
    }

    public OneWayMediaDetector(Duration threshold) {
        this.threshold = threshold;
    }

    /** Feeds the report that arrived at {@code now}; returns what changed (usually nothing). */
    public List<Change> observe(MediaReport report, Instant now) {
        List<Change> changes = new ArrayList<>(2);
        for (MediaKind kind : MediaKind.values()) {
            boolean in = MediaReports.flowing(report, MediaDirection.INBOUND, kind);
            boolean out = MediaReports.flowing(report, MediaDirection.OUTBOUND, kind);
            Episode episode = episodes.get(kind);
            if (in == out) {
                if (episode != null) {
                    episodes.remove(kind);
                    if (episode.reported) {
                        changes.add(new Change(kind, episode.flowing, episode.since, true));
                    }
                }
                continue;
            }
            MediaDirection flowing = in ? MediaDirection.INBOUND : MediaDirection.OUTBOUND;
            if (episode == null || episode.flowing != flowing) {
                if (episode != null && episode.reported) {
                    changes.add(new Change(kind, episode.flowing, episode.since, true));
                }
                episode = new Episode(flowing, now);
                episodes.put(kind, episode);
            }
            if (!episode.reported && !now.isBefore(episode.since.plus(threshold))) {
                episode.reported = true;
                changes.add(new Change(kind, flowing, episode.since, false));
            }
        }
        return changes;
    }
}
