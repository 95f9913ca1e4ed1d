package dev.duet.signaling.client;

import dev.duet.core.internal.Checks;
import dev.duet.core.Epoch;
import java.time.Instant;
import java.util.List;

/**
 * What a peer's stats sampler saw over its last interval: per direction and kind, whether media
 * flowed, with quality figures. The relay stamps it with its own clock when it arrives; that stamp,
 * not {@code sampledAt}, counts for attendance.
 *
 * @param epoch     the negotiation epoch the figures belong to; empty while the sender is alone (no epoch yet)
 * @param sampledAt the sender's clock when sampled; informational only
 * @param relayed   whether the selected ICE candidate pair goes through a TURN relay
 * @param streams   1 to {@value #MAX_STREAMS} stream reports
 * @param interval  the span the figures cover, as the sender measured it (between its previous sample and
 *                  this one, by the stats' own timestamps): 1 ms to 60 s. Attendance credits exactly this
 *                  span, bounded by the relay's stamps; empty in reports of older senders
 */
public record MediaReport(java.util.Optional<Epoch> epoch, Instant sampledAt, boolean relayed, List<StreamReport> streams,
        java.util.Optional<java.time.Duration> interval) implements PeerMessage {
    public static final int MAX_STREAMS = 8;
    /** The longest {@code interval} a report may claim. */
    public static final java.time.Duration MAX_INTERVAL = java.time.Duration.ofSeconds(60);

    /** A report made while a negotiation epoch exists (both present), without an interval. */
    public MediaReport(Epoch epoch, Instant sampledAt, boolean relayed, List<StreamReport> streams) {
        this(java.util.Optional.of(Checks.notNull(epoch, "mediaReport.epoch")), sampledAt, relayed, streams);
    }

    /** A report without an interval (as older senders make them). */
    public MediaReport(java.util.Optional<Epoch> epoch, Instant sampledAt, boolean relayed, List<StreamReport> streams) {
        this(epoch, sampledAt, relayed, streams, java.util.Optional.empty());
    }

    public MediaReport {
        Checks.notNull(epoch, "mediaReport.epoch");
        Checks.notNull(sampledAt, "mediaReport.sampledAt");
        Checks.notNull(streams, "mediaReport.streams");
        Checks.notNull(interval, "mediaReport.interval");
        if (streams.isEmpty() || streams.size() > MAX_STREAMS) {
            throw new IllegalArgumentException("mediaReport.streams must hold 1 to " + MAX_STREAMS + " reports, but held "
                    + streams.size());
        }
        interval.ifPresent(i -> {
            if (i.compareTo(java.time.Duration.ofMillis(1)) < 0 || i.compareTo(MAX_INTERVAL) > 0) {
                throw new IllegalArgumentException("mediaReport.interval must be 1 ms to 60 s, but was " + i);
            }
        });
        streams = List.copyOf(streams);
    }

    /**
     * The attendance event that records this report as received from {@code participant} at
     * {@code at} (the receiving server's clock: the relay's, or Pusher's webhook time).
     */
    public dev.duet.core.attendance.AttendanceEvent.MediaReported toEvent(String eventId, dev.duet.core.SessionId session,
            Instant at, dev.duet.core.ParticipantId participant) {
        List<dev.duet.core.attendance.MediaFlow> flows = streams.stream().map(s -> new dev.duet.core.attendance.MediaFlow(
                s.direction(), s.kind(), s.flowing(), s.lossRatio(), s.roundTripMs(), s.jitterMs(), s.framesPerSecond(), s.width(),
                s.height())).toList();
        return new dev.duet.core.attendance.AttendanceEvent.MediaReported(eventId, session, at, participant, relayed, flows, interval);
    }

    /** This report, saying it covers {@code interval} (1 ms to 60 s). */
    public MediaReport withInterval(java.time.Duration interval) {
        return new MediaReport(epoch, sampledAt, relayed, streams, java.util.Optional.of(Checks.notNull(interval, "interval")));
    }
}
