package dev.duet.signaling.server.internal;

import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.internal.Checks;
import dev.duet.signaling.server.TicketRevocations;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Revocations in memory: per session and participant, the latest expiry up to which tickets are refused. */
public class RevocationMap implements TicketRevocations {
    private final Map<String, Instant> upTo = new ConcurrentHashMap<>();

    private static String key(SessionId session, ParticipantId participant) {
        return session.value() + "\n" + participant.value();
    }

    @Override
    public void revoke(SessionId session, ParticipantId participant, Instant expiringUpTo) {
        Checks.notNull(session, "session");
        Checks.notNull(participant, "participant");
        Checks.notNull(expiringUpTo, "expiringUpTo");
        upTo.merge(key(session, participant), expiringUpTo, (a, b) -> a.isAfter(b) ? a : b);
    }

    @Override
    public Optional<Instant> revokedUpTo(SessionId session, ParticipantId participant) {
        return Optional.ofNullable(upTo.get(key(session, participant)));
    }

    @Override
    public String toString() {
        return "TicketRevocations[" + upTo.size() + " revoked]";
    }
}
