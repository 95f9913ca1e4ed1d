package dev.duet.signaling.server;

import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

/** A booking, its tickets, and a settable clock, for relay tests. */
final class TestSession {
    static final SessionId SESSION = SessionId.of("s-42");
    static final ParticipantId EXPERT = ParticipantId.of("expert-ada");
    static final ParticipantId LEARNER = ParticipantId.of("learner-bo");
    static final Booking BOOKING = new Booking(SESSION, Participant.expert(EXPERT.value(), "Ada"),
            Participant.learner(LEARNER.value(), "Bo"), Instant.parse("2026-11-24T10:00:00Z"), Duration.ofHours(1),
            Duration.ofMinutes(10), Duration.ofMinutes(15));
    static final TicketKey KEY = TicketKey.of("k1", new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
    static final JoinTicketIssuer ISSUER = new JoinTicketIssuer(KEY, Duration.ofHours(2));
    static final JoinTicketVerifier VERIFIER = new JoinTicketVerifier(List.of(KEY), Duration.ofSeconds(30));

    static String ticket(ParticipantId who) {
        return ISSUER.issue(BOOKING, who, Instant.parse("2026-11-24T09:55:00Z"));
    }

    /** A ticket for {@code who} in another session of the same two participants, at the same hour. */
    static String ticket(SessionId session, ParticipantId who) {
        Booking other = new Booking(session, BOOKING.expert(), BOOKING.learner(), BOOKING.start(), BOOKING.duration(),
                BOOKING.openBefore(), BOOKING.graceAfter());
        return ISSUER.issue(other, who, Instant.parse("2026-11-24T09:55:00Z"));
    }

    /**
     * A one-hour booking of the same two participants, starting now (to the second), for tests
     * that run a relay process on the real clock; its session id is {@code sessionPrefix} and the
     * start's epoch second, so reruns do not meet.
     */
    static Booking startingNow(String sessionPrefix) {
        Instant start = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return new Booking(SessionId.of(sessionPrefix + start.getEpochSecond()), BOOKING.expert(), BOOKING.learner(), start,
                Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
    }

    /** Inside the booking's window. */
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T09:58:00Z"), ZoneOffset.UTC);

    /** A clock the test moves; starts inside the booking's window. */
    static final class SettableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-11-24T09:58:00Z");

        void set(Instant instant) {
            now = instant;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private TestSession() {}
}
