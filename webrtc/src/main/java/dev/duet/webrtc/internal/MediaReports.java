package dev.duet.webrtc.internal;

import dev.duet.core.Epoch;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.StreamReport;
import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Turns two consecutive {@link MediaCounters} of one peer connection into a {@link MediaReport}
 * for the interval between them. Flowing means: outbound, packets were sent; inbound audio, packets
 * arrived; inbound video, frames were <em>decoded</em> (packets alone could be undecodable).
 */
public final class MediaReports {
    private MediaReports() {}

    /** The report for the interval from {@code previous} to {@code current}; empty when neither saw any stream. */
    public static Optional<MediaReport> between(MediaCounters previous, MediaCounters current, Epoch epoch, Instant sampledAt) {
        double seconds = Math.max(0.001, (current.timestampMicros() - previous.timestampMicros()) / 1e6);
        List<StreamReport> streams = new ArrayList<>(4);
        for (MediaDirection direction : MediaDirection.values()) {
            for (MediaKind kind : MediaKind.values()) {
                boolean seen = current.streams().getOrDefault(direction, java.util.Map.of()).containsKey(kind);
                if (!seen) {
                    continue;
                }
                MediaCounters.Stream before = previous.stream(direction, kind);
                MediaCounters.Stream now = current.stream(direction, kind);
                streams.add(stream(direction, kind, before, now, seconds, current.pairRoundTripMs()));
            }
        }
        if (streams.isEmpty()) {
            return Optional.empty();
        }
        long intervalMillis = Math.round(seconds * 1000);
        MediaReport report = new MediaReport(epoch, sampledAt, current.relayed(), streams);
        return Optional.of(intervalMillis >= 1 && intervalMillis <= MediaReport.MAX_INTERVAL.toMillis()
                ? report.withInterval(java.time.Duration.ofMillis(intervalMillis)) : report);
    }

    private static StreamReport stream(MediaDirection direction, MediaKind kind, MediaCounters.Stream before,
            MediaCounters.Stream now, double seconds, OptionalDouble pairRtt) {
        long packets = Math.max(0, now.packets() - before.packets());
        long bytes = Math.max(0, now.bytes() - before.bytes());
        long frames = Math.max(0, now.frames() - before.frames());
        long lost = Math.max(0, now.packetsLost() - before.packetsLost());
        boolean flowing = direction == MediaDirection.INBOUND && kind == MediaKind.VIDEO ? frames > 0 : packets > 0;
        double loss;
        if (direction == MediaDirection.OUTBOUND && now.fractionLost().isPresent()) {
            loss = now.fractionLost().getAsDouble();
        } else {
            loss = packets + lost == 0 ? 0 : (double) lost / (packets + lost);
        }
        loss = Math.min(1, Math.max(0, loss));
        double kbps = Math.min(1e7, bytes * 8 / seconds / 1000);
        OptionalDouble rtt = now.roundTripMs().isPresent() ? now.roundTripMs() : pairRtt;
        boolean video = kind == MediaKind.VIDEO;
        return new StreamReport(direction, kind, flowing, kbps, loss,
                direction == MediaDirection.INBOUND ? clamp(now.jitterMs(), 1e6) : OptionalDouble.empty(),
                clamp(rtt, 1e6),
                video ? clamp(now.framesPerSecond(), 1000) : OptionalDouble.empty(),
                video ? now.width() : OptionalInt.empty(),
                video ? now.height() : OptionalInt.empty());
    }

    private static OptionalDouble clamp(OptionalDouble value, double max) {
        return value.isPresent() ? OptionalDouble.of(Math.min(max, value.getAsDouble())) : value;
    }

    /** Whether {@code report} says this kind flows in this direction. */
    public static boolean flowing(MediaReport report, MediaDirection direction, MediaKind kind) {
        return report.streams().stream().anyMatch(s -> s.direction() == direction && s.kind() == kind && s.flowing());
    }
}
