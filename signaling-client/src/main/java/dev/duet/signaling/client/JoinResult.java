package dev.duet.signaling.client;

import dev.duet.core.SessionId;
import dev.duet.core.internal.Checks;
import java.util.Optional;

/** What the relay said on admitting this side: its member entry, and the peer's if present. */
public record JoinResult(SessionId session, Member self, Optional<Member> peer) {
    public JoinResult {
        Checks.notNull(session, "session");
        Checks.notNull(self, "self");
        Checks.notNull(peer, "peer");
    }
}
