package dev.duet.core;

import java.util.Locale;
import java.util.Optional;

/**
 * Why a participant's connection left a session, as the relay decided it. Carried by the relay's
 * {@code peer-left} frame ({@code reason}, the {@link #code()}) and by the departures it records
 * ({@link dev.duet.core.attendance.AttendanceEvent.ParticipantLeft}).
 */
public enum DepartureReason {
    /** The participant ended the session for both (sent {@code bye}, or {@code leave} with {@code hangUp: true}). */
    HUNG_UP,
    /** The participant left after the other one hung up. */
    PEER_HUNG_UP,
    /** The participant sent {@code leave} without ending the session: it may come back. */
    LEFT,
    /** The connection closed or broke without a {@code leave}. */
    CONNECTION_LOST,
    /** A newer connection of the same participant took over (the peer gets {@code peer-joined}, not {@code peer-left}). */
    REPLACED,
    /** No frame or pong within the relay's idle timeout. */
    IDLE,
    /** The session was closed (window end, both left after a hang-up, or the app). */
    SESSION_CLOSED;

    /** The wire code and the attendance store's: {@code hung-up}, {@code peer-hung-up}, {@code left}, {@code connection-lost}, {@code replaced}, {@code idle}, {@code session-closed}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The reason with this wire code. */
    public static Optional<DepartureReason> of(String code) {
        for (DepartureReason r : values()) {
            if (r.code().equals(code)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** Whether the session is over for the participant who is still there (its peer hung up, or the session closed). */
    public boolean endsSession() {
        return this == HUNG_UP || this == SESSION_CLOSED;
    }
}
