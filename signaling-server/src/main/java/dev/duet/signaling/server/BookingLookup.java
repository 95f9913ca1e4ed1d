package dev.duet.signaling.server;

import dev.duet.attendance.SessionOutcomes;
import dev.duet.core.Booking;
import dev.duet.core.SessionId;
import java.util.Optional;

/**
 * Finds the booking of a session: the relay uses it to close a session by itself when its window
 * ends ({@link Booking#closesAt()}), and {@link SessionOutcomes} to build its report. Called on the
 * relay's own threads: answer from memory or a fast store, and never throw for an unknown session
 * (return empty).
 */
@FunctionalInterface
public interface BookingLookup {
    Optional<Booking> find(SessionId session);

    /** A lookup that knows no booking: sessions then close only after a hang-up, or when the app closes them. */
    static BookingLookup none() {
        return session -> Optional.empty();
    }
}
