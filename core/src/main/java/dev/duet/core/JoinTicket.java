package dev.duet.core;

import dev.duet.core.internal.Checks;
import java.time.Instant;

/**
 * The verified content of a join ticket: who may join which session, in which role, when.
 * Tickets are signed by {@link JoinTicketIssuer} and checked by {@link JoinTicketVerifier};
 * this record is what a valid check yields.
 *
 * @param sessionId     the one session the ticket admits to
 * @param participantId who it admits
 * @param role          in which role
 * @param notBefore     valid from (inclusive), second precision
 * @param expiresAt     valid until (exclusive), second precision; after {@code notBefore}
 * @param keyId         id of the {@link TicketKey} that signed it
 */
public record JoinTicket(
        SessionId sessionId,
        ParticipantId participantId,
        Role role,
        Instant notBefore,
        Instant expiresAt,
        String keyId) {

    public JoinTicket {
        Checks.notNull(sessionId, "ticket.sessionId");
        Checks.notNull(participantId, "ticket.participantId");
        Checks.notNull(role, "ticket.role");
        Checks.notNull(notBefore, "ticket.notBefore");
        Checks.notNull(expiresAt, "ticket.expiresAt");
        Checks.identifier(keyId, "ticket.keyId");
        if (!expiresAt.isAfter(notBefore)) {
            throw new IllegalArgumentException("ticket.expiresAt (" + expiresAt + ") must be after ticket.notBefore ("
                    + notBefore + ")");
        }
    }
}
