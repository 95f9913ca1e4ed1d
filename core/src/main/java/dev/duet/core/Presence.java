package dev.duet.core;

import dev.duet.core.ConnectionId;
import dev.duet.core.ParticipantId;
import dev.duet.core.internal.Checks;
import java.time.Instant;

/**
 * A fact from the relay: this participant is present on this connection, and arrived at this
 * instant by the relay's clock. Client clocks never decide who came first.
 */
public record Presence(ParticipantId participant, ConnectionId connection, Instant arrivedAt) {
    public Presence {
        Checks.notNull(participant, "presence.participant");
        Checks.notNull(connection, "presence.connection");
        Checks.notNull(arrivedAt, "presence.arrivedAt");
    }

    /**
     * Is this the later arrival of the two, and so the initiator? Later relay stamp wins; equal
     * stamps go to the greater participant id. Both sides compute the same answer from the same facts.
     */
    public boolean arrivedAfter(Presence other) {
        int byTime = arrivedAt.compareTo(other.arrivedAt);
        return byTime != 0 ? byTime > 0 : participant.compareTo(other.participant) > 0;
    }
}
