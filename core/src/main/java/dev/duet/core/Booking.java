package dev.duet.core;

import dev.duet.core.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One booked session between an expert and a learner. Everything Duet does for the session,
 * from ticket lifetimes to TURN credentials to billing, is bounded by it.
 *
 * <pre>
 *   opensAt            start                 end             closesAt
 *     |--- openBefore ---|----- duration ------|--- graceAfter ---|
 *     \_______________________ join window ______________________/
 * </pre>
 *
 * @param sessionId   the session
 * @param expert      the expert; role must be {@link Role#EXPERT}
 * @param learner     the learner; role must be {@link Role#LEARNER}, id different from the expert's
 * @param start       booked start
 * @param duration    booked length: positive, at most {@link #MAX_DURATION}
 * @param openBefore  how long before {@code start} the room opens: zero or positive, at most {@link #MAX_MARGIN}
 * @param graceAfter  how long after the booked end the room stays open: zero or positive, at most {@link #MAX_MARGIN}
 */
public record Booking(
        SessionId sessionId,
        Participant expert,
        Participant learner,
        Instant start,
        Duration duration,
        Duration openBefore,
        Duration graceAfter) {

    public static final Duration MAX_DURATION = Duration.ofHours(24);
    public static final Duration MAX_MARGIN = Duration.ofHours(24);

    public Booking {
        Checks.notNull(sessionId, "booking.sessionId");
        Checks.notNull(expert, "booking.expert");
        Checks.notNull(learner, "booking.learner");
        Checks.notNull(start, "booking.start");
        if (expert.role() != Role.EXPERT) {
            throw new IllegalArgumentException("booking.expert must have role EXPERT, but had " + expert.role());
        }
        if (learner.role() != Role.LEARNER) {
            throw new IllegalArgumentException("booking.learner must have role LEARNER, but had " + learner.role());
        }
        if (expert.id().equals(learner.id())) {
            throw new IllegalArgumentException(
                    "booking.learner must be a different participant from booking.expert, but both are " + expert.id());
        }
        Checks.notNull(duration, "booking.duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("booking.duration is negative (" + duration
                    + "): the end would be before the start; expected a positive duration");
        }
        Checks.positive(duration, "booking.duration");
        Checks.atMost(duration, MAX_DURATION, "booking.duration");
        Checks.atMost(Checks.notNegative(openBefore, "booking.openBefore"), MAX_MARGIN, "booking.openBefore");
        Checks.atMost(Checks.notNegative(graceAfter, "booking.graceAfter"), MAX_MARGIN, "booking.graceAfter");
    }

    /** The booked end: {@code start + duration}. */
    public Instant end() {
        return start.plus(duration);
    }

    /** When the room opens: {@code start - openBefore}. */
    public Instant opensAt() {
        return start.minus(openBefore);
    }

    /** When the room closes for good: {@code end + graceAfter}. Nothing of the session outlives this. */
    public Instant closesAt() {
        return end().plus(graceAfter);
    }

    public JoinWindow joinWindow() {
        return new JoinWindow(this);
    }

    /** The booked participant with this id, if any. */
    public Optional<Participant> participant(ParticipantId id) {
        Checks.notNull(id, "participantId");
        if (expert.id().equals(id)) {
            return Optional.of(expert);
        }
        if (learner.id().equals(id)) {
            return Optional.of(learner);
        }
        return Optional.empty();
    }

    /** The other participant of the booking. */
    public Participant otherThan(ParticipantId id) {
        Participant self = participant(id).orElseThrow(() -> new IllegalArgumentException(
                "participantId " + id + " is not booked into session " + sessionId));
        return self.equals(expert) ? learner : expert;
    }

    /**
     * A booking with every part named, so that no two durations can be swapped:
     * <pre>{@code
     * Booking.builder(SessionId.of("s-42"))
     *         .expert(Participant.expert("expert-ada", "Ada")).learner(Participant.learner("learner-bo", "Bo"))
     *         .start(Instant.parse("2026-11-24T10:00:00Z")).duration(Duration.ofHours(1))
     *         .roomOpensBefore(Duration.ofMinutes(10)).graceAfterEnd(Duration.ofMinutes(15))
     *         .build();
     * }</pre>
     * The room opens 10 minutes before the start and stays open 15 minutes after the end unless told otherwise.
     */
    public static Builder builder(SessionId sessionId) {
        return new Builder(sessionId);
    }

    /** Builds a {@link Booking}; expert, learner, start and duration are required. */
    public static final class Builder {
        private final SessionId sessionId;
        private Participant expert;
        private Participant learner;
        private Instant start;
        private Duration duration;
        private Duration openBefore = Duration.ofMinutes(10);
        private Duration graceAfter = Duration.ofMinutes(15);

        private Builder(SessionId sessionId) {
            this.sessionId = Checks.notNull(sessionId, "sessionId");
        }

        public Builder expert(Participant expert) {
            this.expert = Checks.notNull(expert, "expert");
            return this;
        }

        public Builder learner(Participant learner) {
            this.learner = Checks.notNull(learner, "learner");
            return this;
        }

        /** The booked start. */
        public Builder start(Instant start) {
            this.start = Checks.notNull(start, "start");
            return this;
        }

        /** The booked length (positive, at most {@link Booking#MAX_DURATION}). */
        public Builder duration(Duration duration) {
            this.duration = Checks.notNull(duration, "duration");
            return this;
        }

        /** How long before the start the room opens (default 10 minutes). */
        public Builder roomOpensBefore(Duration openBefore) {
            this.openBefore = Checks.notNull(openBefore, "openBefore");
            return this;
        }

        /** How long after the booked end the room stays open (default 15 minutes). */
        public Builder graceAfterEnd(Duration graceAfter) {
            this.graceAfter = Checks.notNull(graceAfter, "graceAfter");
            return this;
        }

        /** @throws IllegalArgumentException naming what is missing or wrong */
        public Booking build() {
            for (Object[] required : new Object[][] {{expert, "expert"}, {learner, "learner"}, {start, "start"}, {duration, "duration"}}) {
                if (required[0] == null) {
                    throw new IllegalArgumentException("booking." + required[1] + " is missing: call " + required[1]
                            + "(...) before build()");
                }
            }
            return new Booking(sessionId, expert, learner, start, duration, openBefore, graceAfter);
        }
    }
}
