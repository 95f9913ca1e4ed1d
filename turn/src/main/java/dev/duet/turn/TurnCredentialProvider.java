package dev.duet.turn;

import dev.duet.core.Booking;
import dev.duet.core.ParticipantId;
import java.time.Instant;

/**
 * Issues TURN credentials for the participants of a booking, and ends them with the session.
 * Implementations are thread-safe.
 */
public interface TurnCredentialProvider {

    /**
     * Credentials for {@code participant} of {@code booking}, issued at {@code now} (normally when
     * the participant joins), valid no longer than the booking's join window.
     *
     * @throws IllegalArgumentException if the participant is not booked or the window has closed
     */
    TurnCredential issue(Booking booking, ParticipantId participant, Instant now);

    /**
     * The session is over: stop new allocations with its credentials where the mechanism allows
     * (long-term users are removed; REST credentials simply expire). Allocations already open are not
     * cut at once: see "Revocation" in docs/turn.md.
     */
    void revoke(Booking booking);

    /**
     * The checks every provider makes before issuing: non-null arguments, a booked participant, an
     * open window. For implementations.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static void checkIssuable(Booking booking, ParticipantId participant, Instant now) {
        dev.duet.core.internal.Checks.notNull(booking, "booking");
        dev.duet.core.internal.Checks.notNull(participant, "participant");
        dev.duet.core.internal.Checks.notNull(now, "now");
        if (booking.participant(participant).isEmpty()) {
            throw new IllegalArgumentException("participant " + participant + " is not booked into session " + booking.sessionId());
        }
        if (!now.isBefore(booking.closesAt())) {
            throw new IllegalArgumentException("session " + booking.sessionId() + " closed at " + booking.closesAt()
                    + "; no TURN credential can be issued at " + now);
        }
    }
}
