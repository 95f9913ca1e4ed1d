package dev.duet.core;

import dev.duet.core.internal.Checks;
import java.time.Instant;

/**
 * When a booked participant may join: from {@link Booking#opensAt()} inclusive to
 * {@link Booking#closesAt()} exclusive. Pure: the caller says what time it is.
 */
public final class JoinWindow {
    private final Booking booking;

    JoinWindow(Booking booking) {
        this.booking = booking;
    }

    public Instant opensAt() {
        return booking.opensAt();
    }

    public Instant closesAt() {
        return booking.closesAt();
    }

    public boolean contains(Instant t) {
        Checks.notNull(t, "instant");
        return !t.isBefore(opensAt()) && t.isBefore(closesAt());
    }

    /** May {@code participantId} join at {@code t}? A refusal says why. */
    public JoinDecision check(ParticipantId participantId, Instant t) {
        Checks.notNull(participantId, "participantId");
        Checks.notNull(t, "instant");
        var participant = booking.participant(participantId);
        if (participant.isEmpty()) {
            return new JoinDecision.Refused(JoinDecision.Reason.NOT_BOOKED,
                    participantId + " is not booked into session " + booking.sessionId());
        }
        if (t.isBefore(opensAt())) {
            return new JoinDecision.Refused(JoinDecision.Reason.TOO_EARLY,
                    "session " + booking.sessionId() + " opens at " + opensAt() + "; it is " + t);
        }
        if (!t.isBefore(closesAt())) {
            return new JoinDecision.Refused(JoinDecision.Reason.CLOSED,
                    "session " + booking.sessionId() + " closed at " + closesAt() + "; it is " + t);
        }
        return new JoinDecision.Accepted(participant.get());
    }

    @Override
    public String toString() {
        return "JoinWindow[" + opensAt() + " .. " + closesAt() + ")";
    }
}
