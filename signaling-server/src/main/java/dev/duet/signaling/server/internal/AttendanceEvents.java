package dev.duet.signaling.server.internal;

import dev.duet.core.MediaKind;
import dev.duet.core.MediaDirection;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.attendance.MediaFlow;
import dev.duet.signaling.client.StreamReport;
import dev.duet.signaling.server.RelayEvent;
import java.util.List;

/** The relay's events as the attendance ledger's events. */
public final class AttendanceEvents {
    private AttendanceEvents() {}

    public static AttendanceEvent from(RelayEvent event) {
        if (event instanceof RelayEvent.Joined j) {
            return new AttendanceEvent.Joined(j.eventId(), j.session(), j.at(), j.participant(), j.connection());
        } else if (event instanceof RelayEvent.Left l) {
            return new AttendanceEvent.Left(l.eventId(), l.session(), l.at(), l.participant(), l.connection(),
                    l.reason() == dev.duet.signaling.client.DepartureReason.HUNG_UP);
        } else if (event instanceof RelayEvent.MediaReported m) {
            List<MediaFlow> flows = m.report().streams().stream().map(AttendanceEvents::flow).toList();
            return new AttendanceEvent.MediaReported(m.eventId(), m.session(), m.at(), m.participant(), m.report().relayed(), flows);
        } else if (event instanceof RelayEvent.SessionClosed c) {
            return new AttendanceEvent.SessionClosed(c.eventId(), c.session(), c.at());
        }
        throw new IllegalArgumentException("unknown relay event " + event.getClass().getSimpleName());
    }

    private static MediaFlow flow(StreamReport s) {
        return new MediaFlow(s.direction() == MediaDirection.INBOUND ? MediaDirection.INBOUND : MediaDirection.OUTBOUND,
                s.kind() == MediaKind.AUDIO ? MediaKind.AUDIO : MediaKind.VIDEO, s.flowing(), s.lossRatio(),
                s.roundTripMs(), s.jitterMs(), s.framesPerSecond(), s.width(), s.height());
    }
}
