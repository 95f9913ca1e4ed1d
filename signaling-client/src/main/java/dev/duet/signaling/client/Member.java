package dev.duet.signaling.client;

import dev.duet.core.ParticipantId;
import dev.duet.core.Role;
import dev.duet.core.internal.Checks;
import dev.duet.core.ConnectionId;
import dev.duet.core.Presence;
import java.time.Instant;

/**
 * A participant present in a session, as the relay states it: who, in which role, on which
 * connection, arrived when (the relay's clock).
 */
public record Member(ParticipantId participant, Role role, ConnectionId connection, Instant arrivedAt) {
    public Member {
        Checks.notNull(participant, "member.participant");
        Checks.notNull(role, "member.role");
        Checks.notNull(connection, "member.connection");
        Checks.notNull(arrivedAt, "member.arrivedAt");
    }

    /** The arrival fact the negotiation machine takes. */
    public Presence presence() {
        return new Presence(participant, connection, arrivedAt);
    }
}
