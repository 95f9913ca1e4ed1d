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
}
