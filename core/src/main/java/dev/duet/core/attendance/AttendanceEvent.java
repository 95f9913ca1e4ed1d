package dev.duet.core.attendance;

import dev.duet.core.MediaKind;
import dev.duet.core.MediaDirection;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.internal.Checks;
import dev.duet.core.ConnectionId;
import java.time.Instant;
import java.util.List;

/**
 * A fact the relay recorded about a session, stamped with the relay's clock. Every event has an id;
 * the same event may be delivered twice and events may arrive in any order: the
 * {@link AttendanceLedger} gives the same report whatever the order and however often each comes.
 */
public sealed interface AttendanceEvent {
    /** Unique per event; the same fact delivered again carries the same id. */
    String eventId();

    SessionId session();

    /** When the relay saw it (the relay's clock). */
    Instant at();

    /** A participant's connection was admitted. */
    record Joined(String eventId, SessionId session, Instant at, ParticipantId participant, ConnectionId connection)
            implements AttendanceEvent {
        public Joined {
            check(eventId, session, at);
            Checks.notNull(participant, "participant");
            Checks.notNull(connection, "connection");
        }
    }

    /**
     * A participant's connection ended (left, dropped, timed out, or replaced by a newer one).
     * {@code hungUp}: with this departure the participant ended the session for both (it hung up).
     */
    record Left(String eventId, SessionId session, Instant at, ParticipantId participant, ConnectionId connection,
            boolean hungUp) implements AttendanceEvent {
        public Left {
            check(eventId, session, at);
            Checks.notNull(participant, "participant");
            Checks.notNull(connection, "connection");
        }

        /** A departure that did not end the session (the participant left, or its connection was lost). */
        public Left(String eventId, SessionId session, Instant at, ParticipantId participant, ConnectionId connection) {
            this(eventId, session, at, participant, connection, false);
        }
    }

    /**
     * A participant's stats sampler reported what media flowed, as the relay received it at {@code at}.
     * The report speaks for the time since that participant's previous report (at most the ledger's
     * maximum report interval).
     */
    record MediaReported(String eventId, SessionId session, Instant at, ParticipantId participant, boolean relayed,
            List<MediaFlow> flows) implements AttendanceEvent {
        public MediaReported {
            check(eventId, session, at);
            Checks.notNull(participant, "participant");
            flows = List.copyOf(Checks.notNull(flows, "flows"));
            if (flows.isEmpty() || flows.size() > 8) {
                throw new IllegalArgumentException("flows must hold 1 to 8 entries, but held " + flows.size());
            }
        }

        /** Whether {@code kind} flowed in {@code direction} in this report. */
        public boolean flowing(MediaDirection direction, MediaKind kind) {
            return flows.stream().anyMatch(f -> f.direction() == direction && f.kind() == kind && f.flowing());
        }
    }

    /** The session was closed (its window ended, or the app closed it). Nothing after it counts. */
    record SessionClosed(String eventId, SessionId session, Instant at) implements AttendanceEvent {
        public SessionClosed {
            check(eventId, session, at);
        }
    }

    private static void check(String eventId, SessionId session, Instant at) {
        Checks.identifier(eventId, "eventId");
        Checks.notNull(session, "session");
        Checks.notNull(at, "at");
    }
}
