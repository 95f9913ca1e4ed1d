package dev.duet.core;

import dev.duet.core.internal.Checks;
import java.time.Duration;
import java.time.Instant;

/**
 * Signs join tickets for the participants of a booking. Runs in the app's backend, which holds
 * the secret; the relay verifies with {@link JoinTicketVerifier}. Thread-safe and immutable.
 *
 * <p>A ticket issued at {@code now} is valid from the booking's {@link Booking#opensAt() opening}
 * until {@code max(now, opensAt) + lifetime}, and never after {@link Booking#closesAt()}: a ticket
 * handed out early (in a reminder e-mail, say) still works for {@code lifetime} once the room opens.
 * Times are truncated to whole seconds (the expiry rounds down, so a ticket never outlives the window).
 */
public final class JoinTicketIssuer {
    private final TicketKey signingKey;
    private final Duration lifetime;

    /**
     * @param signingKey the key to sign with (the newest of a rotation)
     * @param lifetime   how long a ticket stays valid once the room is open; at least one second,
     *                   at most 48 hours; the booking's close caps it anyway
     */
    public JoinTicketIssuer(TicketKey signingKey, Duration lifetime) {
        this.signingKey = Checks.notNull(signingKey, "signingKey");
        Checks.positive(lifetime, "lifetime");
        if (lifetime.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("lifetime must be at least 1 second, but was " + lifetime);
        }
        this.lifetime = Checks.atMost(lifetime, Duration.ofHours(48), "lifetime");
    }

    /**
     * The ticket content for {@code participantId} in {@code booking}, issued at {@code now}.
     *
     * @throws IllegalArgumentException if the participant is not booked, or the booking's window has closed at {@code now}
     */
    public JoinTicket ticketFor(Booking booking, ParticipantId participantId, Instant now) {
        Checks.notNull(booking, "booking");
        Checks.notNull(participantId, "participantId");
        Checks.notNull(now, "now");
        Participant participant = booking.participant(participantId).orElseThrow(() -> new IllegalArgumentException(
                "participantId " + participantId + " is not booked into session " + booking.sessionId()
                        + "; expected " + booking.expert().id() + " or " + booking.learner().id()));
        Instant closesAt = truncate(booking.closesAt());
        if (!now.isBefore(closesAt)) {
            throw new IllegalArgumentException("session " + booking.sessionId() + " closed at " + booking.closesAt()
                    + "; no ticket can be issued at " + now);
        }
        Instant notBefore = truncate(booking.opensAt());
        Instant validFrom = now.isAfter(notBefore) ? now : notBefore;
        Instant expiresAt = truncate(validFrom.plus(lifetime));
        if (expiresAt.isAfter(closesAt)) {
            expiresAt = closesAt;
        }
        if (!expiresAt.isAfter(notBefore)) {
            throw new IllegalArgumentException("session " + booking.sessionId()
                    + " leaves less than a second of validity for a ticket issued at " + now);
        }
        return new JoinTicket(booking.sessionId(), participantId, participant.role(), notBefore, expiresAt,
                signingKey.keyId());
    }

    /** Signs a ticket for {@code participantId} in {@code booking} issued at {@code now}; see {@link #ticketFor}. */
    public String issue(Booking booking, ParticipantId participantId, Instant now) {
        return sign(ticketFor(booking, participantId, now));
    }

    /**
     * Signs a ticket made by {@link #ticketFor} (when the caller also needs its content, such as its
     * expiry, without building it twice).
     *
     * @throws IllegalArgumentException if the ticket names another key than this issuer's
     */
    public String sign(JoinTicket ticket) {
        Checks.notNull(ticket, "ticket");
        if (!ticket.keyId().equals(signingKey.keyId())) {
            throw new IllegalArgumentException("ticket names key " + ticket.keyId() + ", but this issuer signs with "
                    + signingKey.keyId());
        }
        return TicketFormat.encode(ticket, signingKey);
    }

    private static Instant truncate(Instant t) {
        return Instant.ofEpochSecond(t.getEpochSecond());
    }

    @Override
    public String toString() {
        return "JoinTicketIssuer[keyId=" + signingKey.keyId() + ", lifetime=" + lifetime + "]";
    }
}
