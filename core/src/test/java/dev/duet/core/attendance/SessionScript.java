package dev.duet.core.attendance;

import dev.duet.core.DepartureReason;
import dev.duet.core.MediaKind;
import dev.duet.core.MediaDirection;
import dev.duet.core.Booking;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.ConnectionId;
import java.time.Duration;
import java.util.Optional;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Writes a session's attendance events the way the relay would, for tests: joins and leaves, and
 * media reports from both sides every 3 s (the real sampler's cadence). The booking: 10:00 to 11:00 UTC on 2026-11-24, room open
 * from 09:50, grace until 11:15.
 */
final class SessionScript {
    static final SessionId SESSION = SessionId.of("s-7");
    static final ParticipantId EXPERT = ParticipantId.of("expert-ada");
    static final ParticipantId LEARNER = ParticipantId.of("learner-bo");
    static final Booking BOOKING = new Booking(SESSION, Participant.expert(EXPERT.value(), "Ada"),
            Participant.learner(LEARNER.value(), "Bo"), at("10:00"), Duration.ofHours(1), Duration.ofMinutes(10),
            Duration.ofMinutes(15));

    final List<AttendanceEvent> events = new ArrayList<>();
    private int ids;
    private int connections;
    private double loss;
    private double roundTripMs = 40;

    static Instant at(String hhmmss) {
        return LocalTime.parse(hhmmss).atDate(java.time.LocalDate.of(2026, 11, 24)).toInstant(ZoneOffset.UTC);
    }

    private String id() {
        return "e" + (++ids);
    }

    /** Joins on a new connection; returns it so the script can leave it. */
    ConnectionId join(ParticipantId who, String time) {
        ConnectionId c = ConnectionId.of("c" + (++connections));
        events.add(new AttendanceEvent.ParticipantJoined(id(), SESSION, at(time), who, c));
        return c;
    }

    /** The relay marks {@code connections} alive at {@code time} (it does every 5 s). */
    SessionScript alive(String time, ConnectionId... connections) {
        events.add(new AttendanceEvent.ConnectionsAlive(id(), SESSION, at(time), List.of(connections)));
        return this;
    }

    SessionScript leave(ParticipantId who, ConnectionId c, String time) {
        events.add(new AttendanceEvent.ParticipantLeft(id(), SESSION, at(time), who, c, DepartureReason.LEFT));
        return this;
    }

    /** Leaves by hanging up: the session ends for both. */
    SessionScript hangUp(ParticipantId who, ConnectionId c, String time) {
        events.add(new AttendanceEvent.ParticipantLeft(id(), SESSION, at(time), who, c, DepartureReason.HUNG_UP));
        return this;
    }

    /** Joins at {@code from} and leaves at {@code to}. */
    SessionScript stay(ParticipantId who, String from, String to) {
        return leave(who, join(who, from), to);
    }

    SessionScript closed(String time) {
        events.add(new AttendanceEvent.SessionClosed(id(), SESSION, at(time), "window-ended"));
        return this;
    }

    SessionScript quality(double lossRatio, double rtt) {
        this.loss = lossRatio;
        this.roundTripMs = rtt;
        return this;
    }

    /** Audio and video both ways from {@code from} to {@code to}. */
    SessionScript media(String from, String to) {
        return media(from, to, true, true, true, true);
    }

    /** The real peer's sampling interval ({@code DuetCall}'s and duet-web's default). */
    static final Duration SAMPLING = Duration.ofSeconds(3);

    /**
     * Reports every 3 s (the real sampler's cadence, each saying it covers 3 s) from both sides
     * during [from, to]; each side reports what it receives ({@code audioToLearner} is the learner's
     * inbound audio) and that it sends everything.
     */
    SessionScript media(String from, String to, boolean audioToLearner, boolean audioToExpert, boolean videoToLearner,
            boolean videoToExpert) {
        for (Instant t = at(from).plus(SAMPLING); !t.isAfter(at(to)); t = t.plus(SAMPLING)) {
            events.add(report(EXPERT, t, audioToExpert, videoToExpert, Optional.of(SAMPLING)));
            events.add(report(LEARNER, t, audioToLearner, videoToLearner, Optional.of(SAMPLING)));
        }
        return this;
    }

    /**
     * As {@link #media(String, String)}, but each report reaches the relay up to {@code maxDelayMs}
     * late (uniformly, from {@code random}), as a real network delivers them; the sender still says
     * it covers 3 s.
     */
    SessionScript jitteredMedia(String from, String to, java.util.Random random, int maxDelayMs) {
        for (Instant t = at(from).plus(SAMPLING); !t.isAfter(at(to)); t = t.plus(SAMPLING)) {
            events.add(report(EXPERT, t.plusMillis(random.nextInt(maxDelayMs + 1)), true, true, Optional.of(SAMPLING)));
            events.add(report(LEARNER, t.plusMillis(random.nextInt(maxDelayMs + 1)), true, true, Optional.of(SAMPLING)));
        }
        return this;
    }

    /** Media both ways reported as senders before 0.1.0 did: every {@code every}, without saying what span a report covers. */
    SessionScript legacyMedia(String from, String to, Duration every) {
        for (Instant t = at(from).plus(every); !t.isAfter(at(to)); t = t.plus(every)) {
            events.add(report(EXPERT, t, true, true, Optional.empty()));
            events.add(report(LEARNER, t, true, true, Optional.empty()));
        }
        return this;
    }

    private AttendanceEvent.MediaReported report(ParticipantId who, Instant t, boolean audioIn, boolean videoIn,
            Optional<Duration> interval) {
        return new AttendanceEvent.MediaReported(id(), SESSION, t, who, false, List.of(
                flow(MediaDirection.INBOUND, MediaKind.AUDIO, audioIn),
                flow(MediaDirection.INBOUND, MediaKind.VIDEO, videoIn),
                flow(MediaDirection.OUTBOUND, MediaKind.AUDIO, true),
                flow(MediaDirection.OUTBOUND, MediaKind.VIDEO, true)), interval);
    }

    private MediaFlow flow(MediaDirection d, MediaKind k, boolean flowing) {
        boolean video = k == MediaKind.VIDEO;
        return new MediaFlow(d, k, flowing, loss, OptionalDouble.of(roundTripMs),
                d == MediaDirection.INBOUND ? OptionalDouble.of(8) : OptionalDouble.empty(),
                video ? OptionalDouble.of(15) : OptionalDouble.empty(), video ? OptionalInt.of(320) : OptionalInt.empty(),
                video ? OptionalInt.of(240) : OptionalInt.empty());
    }

    SessionReport report(AttendanceRules rules) {
        AttendanceLedger ledger = new AttendanceLedger(BOOKING, rules);
        ledger.addAll(events);
        return ledger.report();
    }

    SessionReport report() {
        return report(AttendanceRules.defaults());
    }
}
