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
     * (long-term users are removed; REST credentials simply expire). See the revocation notes in
     * the README: allocations already open are not cut at once.
     */
    void revoke(Booking booking);
}
