package dev.duet.signaling.server;

import dev.duet.core.ParticipantId;
import dev.duet.core.Role;
import dev.duet.core.SessionId;
import dev.duet.core.internal.Checks;
import dev.duet.core.ConnectionId;
import dev.duet.signaling.client.DepartureReason;
import dev.duet.signaling.client.MediaReport;
import java.time.Instant;

/**
 * What the relay saw happen in a session, with an event id (unique, for idempotent storage) and the
 * relay's own timestamp. Handed to a {@link RelayEventSink}; attendance and billing are built on it.
 */
public sealed interface RelayEvent {
    String eventId();

    SessionId session();

    Instant at();

    /** A participant's connection was admitted. */
    record Joined(String eventId, SessionId session, Instant at, ParticipantId participant, Role role,
            ConnectionId connection) implements RelayEvent {
        public Joined {
            check(eventId, session, at);
            Checks.notNull(participant, "participant");
            Checks.notNull(role, "role");
            Checks.notNull(connection, "connection");
        }
    }

    /** A participant's connection ended, for {@code reason} (hung up, left, lost, replaced, idle, session closed). */
    record Left(String eventId, SessionId session, Instant at, ParticipantId participant, ConnectionId connection,
            DepartureReason reason) implements RelayEvent {
        public Left {
            check(eventId, session, at);
            Checks.notNull(participant, "participant");
            Checks.notNull(connection, "connection");
            Checks.notNull(reason, "reason");
        }
    }

    /** A participant reported what media flowed, as received by the relay at {@code at}. */
    record MediaReported(String eventId, SessionId session, Instant at, ParticipantId participant, MediaReport report)
            implements RelayEvent {
        public MediaReported {
            check(eventId, session, at);
            Checks.notNull(participant, "participant");
            Checks.notNull(report, "report");
        }
    }

    /**
     * The session was closed, by the relay itself (its window ended: reason {@code window-ended};
     * both left after a hang-up: {@code hung-up}) or by the app ({@link RelayServer#closeSession});
     * every connection was closed with 4499.
     */
    record SessionClosed(String eventId, SessionId session, Instant at, String reason) implements RelayEvent {
        public SessionClosed {
            check(eventId, session, at);
            Checks.notNull(reason, "reason");
        }
    }

    private static void check(String eventId, SessionId session, Instant at) {
        Checks.identifier(eventId, "eventId");
        Checks.notNull(session, "session");
        Checks.notNull(at, "at");
    }
}
