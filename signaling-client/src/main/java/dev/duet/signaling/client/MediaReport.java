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
 */
public record MediaReport(java.util.Optional<Epoch> epoch, Instant sampledAt, boolean relayed, List<StreamReport> streams)
        implements PeerMessage {
    public static final int MAX_STREAMS = 8;

    /** A report made while a negotiation epoch exists (both present). */
    public MediaReport(Epoch epoch, Instant sampledAt, boolean relayed, List<StreamReport> streams) {
        this(java.util.Optional.of(Checks.notNull(epoch, "mediaReport.epoch")), sampledAt, relayed, streams);
    }

    public MediaReport {
        Checks.notNull(epoch, "mediaReport.epoch");
        Checks.notNull(sampledAt, "mediaReport.sampledAt");
        Checks.notNull(streams, "mediaReport.streams");
        if (streams.isEmpty() || streams.size() > MAX_STREAMS) {
            throw new IllegalArgumentException("mediaReport.streams must hold 1 to " + MAX_STREAMS + " reports, but held "
                    + streams.size());
        }
        streams = List.copyOf(streams);
    }
}
