package dev.duet.core.attendance;

import dev.duet.core.ConnectionId;
import dev.duet.core.DepartureReason;
import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.internal.Checks;
import java.time.Instant;
import java.util.List;

/**
 * A fact the relay recorded about a session, stamped with the relay's clock: the one event family
 * the relay hands to its sink, the attendance store keeps and the {@link AttendanceLedger} reads.
 * Every event has an id; the same event may be delivered twice and events may arrive in any order:
 * the ledger gives the same report whatever the order and however often each comes.
 */
public sealed interface AttendanceEvent {
    /** Unique per event; the same fact delivered again carries the same id. */
    String eventId();

    SessionId session();

    /** When the relay saw it (the relay's clock). */
    Instant at();

    /** A participant's connection was admitted to the session. */
    record ParticipantJoined(String eventId, SessionId session, Instant at, ParticipantId participant,
            ConnectionId connection) implements AttendanceEvent {
        public ParticipantJoined {
            check(eventId, session, at);
            Checks.notNull(participant, "participant");
            Checks.notNull(connection, "connection");
        }
    }

    /**
     * A participant's connection ended, for {@code reason} (hung up, left, lost, replaced, idle, the
     * session closed).
     */
    record ParticipantLeft(String eventId, SessionId session, Instant at, ParticipantId participant,
            ConnectionId connection, DepartureReason reason) implements AttendanceEvent {
        public ParticipantLeft {
            check(eventId, session, at);
            Checks.notNull(participant, "participant");
            Checks.notNull(connection, "connection");
            Checks.notNull(reason, "reason");
        }

        /** Whether with this departure the participant ended the session for both (it hung up). */
        public boolean hungUp() {
            return reason == DepartureReason.HUNG_UP;
        }
    }

    /**
     * A participant's stats sampler reported what media flowed, as the relay received it at {@code at}.
     * {@code interval}: the span the report covers, as the sender measured it; the ledger credits
     * exactly that span up to {@code at} (never reaching back before the same participant's previous
     * report, nor more than its maximum report interval). Without it (reports of older senders) the
     * report speaks for the time since the previous one, at most that maximum.
     */
    record MediaReported(String eventId, SessionId session, Instant at, ParticipantId participant, boolean relayed,
            List<MediaFlow> flows, java.util.Optional<java.time.Duration> interval) implements AttendanceEvent {
        public MediaReported {
            check(eventId, session, at);
            Checks.notNull(participant, "participant");
            flows = List.copyOf(Checks.notNull(flows, "flows"));
            if (flows.isEmpty() || flows.size() > 8) {
                throw new IllegalArgumentException("flows must hold 1 to 8 entries, but held " + flows.size());
            }
            Checks.notNull(interval, "interval");
            interval.ifPresent(i -> {
                if (i.isNegative() || i.isZero() || i.compareTo(java.time.Duration.ofMinutes(1)) > 0) {
                    throw new IllegalArgumentException("interval must be positive and at most 1 min, but was " + i);
                }
            });
        }

        /** A report without an interval (as older senders made them). */
        public MediaReported(String eventId, SessionId session, Instant at, ParticipantId participant, boolean relayed,
                List<MediaFlow> flows) {
            this(eventId, session, at, participant, relayed, flows, java.util.Optional.empty());
        }

        /** Whether {@code kind} flowed in {@code direction} in this report. */
        public boolean flowing(MediaDirection direction, MediaKind kind) {
            return flows.stream().anyMatch(f -> f.direction() == direction && f.kind() == kind && f.flowing());
        }
    }

    /**
     * The session was closed, by the relay (its window ended: reason {@code window-ended}; both left
     * after a hang-up: {@code hung-up}) or by the app (its own reason). Every connection was closed;
     * nothing after it counts.
     */
    record SessionClosed(String eventId, SessionId session, Instant at, String reason) implements AttendanceEvent {
        public SessionClosed {
            check(eventId, session, at);
            Checks.notBlank(reason, "reason");
        }
    }

    /**
     * The relay still held these connections of the session at {@code at}: recorded every few
     * seconds while any is joined, so that a relay that dies without recording departures leaves the
     * last moment each connection was known alive. The ledger ends a connection that has no
     * departure there.
     */
    record ConnectionsAlive(String eventId, SessionId session, Instant at, List<ConnectionId> connections)
            implements AttendanceEvent {
        public ConnectionsAlive {
            check(eventId, session, at);
            connections = List.copyOf(Checks.notNull(connections, "connections"));
            if (connections.isEmpty() || connections.size() > 64) {
                throw new IllegalArgumentException("connections must hold 1 to 64 entries, but held " + connections.size());
            }
        }
    }

    /**
     * A participant's join was refused although its ticket was genuine (signed by a known key, for
     * this session): too early, expired, the session already over or already holding its two
     * participants. On the record so that support can answer "the learner tried at 09:50 and was
     * told the room opens at 09:55". A malformed or forged ticket leaves no event: it names nobody
     * for sure. {@code message} is what the relay told the client (no secret, at most 300 characters).
     */
    record JoinRefused(String eventId, SessionId session, Instant at, ParticipantId participant, Refusal reason,
            String message) implements AttendanceEvent {
        public JoinRefused {
            check(eventId, session, at);
            Checks.notNull(participant, "participant");
            Checks.notNull(reason, "reason");
            Checks.notBlank(message, "message");
            if (message.length() > 300) {
                throw new IllegalArgumentException("message must be at most 300 characters, but had " + message.length());
            }
        }
    }

    /** Why a genuine ticket's join was refused. */
    enum Refusal {
        /** The room was not open yet (the ticket's not-before lay ahead). */
        TOO_EARLY,
        /** The ticket had expired, or the session's window had closed. */
        TICKET_EXPIRED,
        /** The session was already closed (ended by the relay or the app). */
        SESSION_CLOSED,
        /** The session already held two other participants. */
        SESSION_FULL;

        /** The lower-case, dashed form used in JSON: {@code too-early}, {@code ticket-expired}, ... */
        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        /** The refusal with this code. */
        public static java.util.Optional<Refusal> of(String code) {
            for (Refusal r : values()) {
                if (r.code().equals(code)) {
                    return java.util.Optional.of(r);
                }
            }
            return java.util.Optional.empty();
        }
    }

    private static void check(String eventId, SessionId session, Instant at) {
        Checks.identifier(eventId, "eventId");
        Checks.notNull(session, "session");
        Checks.notNull(at, "at");
    }
}
