package dev.duet.signaling.server.internal;

import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.signaling.client.MediaReport;
import java.time.Instant;

/** A media report off the wire as the attendance event the relay records. */
final class AttendanceEvents {
    private AttendanceEvents() {}

    static AttendanceEvent.MediaReported mediaReported(String eventId, SessionId session, Instant at,
            ParticipantId participant, MediaReport report) {
        return report.toEvent(eventId, session, at, participant);
    }
}
