package dev.duet.signaling.server.internal;

import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.attendance.MediaFlow;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.StreamReport;
import java.time.Instant;
import java.util.List;

/** A media report off the wire as the attendance event the relay records. */
final class AttendanceEvents {
    private AttendanceEvents() {}

    static AttendanceEvent.MediaReported mediaReported(String eventId, SessionId session, Instant at,
            ParticipantId participant, MediaReport report) {
        List<MediaFlow> flows = report.streams().stream().map(AttendanceEvents::flow).toList();
        return new AttendanceEvent.MediaReported(eventId, session, at, participant, report.relayed(), flows, report.interval());
    }

    private static MediaFlow flow(StreamReport s) {
        return new MediaFlow(s.direction(), s.kind(), s.flowing(), s.lossRatio(), s.roundTripMs(), s.jitterMs(),
                s.framesPerSecond(), s.width(), s.height());
    }
}
