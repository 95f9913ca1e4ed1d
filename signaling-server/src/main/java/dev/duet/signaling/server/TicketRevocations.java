package dev.duet.signaling.server;

import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.internal.Checks;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Revoked join tickets: for one participant of one session, every ticket that expires at or before
 * an instant is refused, with {@code 4401}. Every ticket handed out so far expires at or before the
 * one an issuer would hand out now, so revoking up to that one's expiry revokes them all, copies
 * included; a replacement ticket expires after it (a second later, say), so it is a different
 * ticket and is let in. Revocations only grow: revoking again moves the instant later. The relay
 * asks on every join; keep it quick and thread-safe.
 *
 * <p>{@link #inMemory()} forgets them when the process ends; {@link #file(Path)} keeps them in a
 * JSON-lines file, synced to disk before {@link #revoke} returns, and reads them back at start.
 */
public interface TicketRevocations {

    /** Tickets of {@code participant} in {@code session} expiring at or before {@code expiringUpTo} are refused from now on. */
    void revoke(SessionId session, ParticipantId participant, Instant expiringUpTo);

    /** The instant up to which {@code participant}'s tickets for {@code session} are refused (by expiry), if any are. */
    Optional<Instant> revokedUpTo(SessionId session, ParticipantId participant);

    /** Whether a ticket of {@code participant} for {@code session} that expires at {@code expiresAt} is revoked. */
    default boolean isRevoked(SessionId session, ParticipantId participant, Instant expiresAt) {
        return revokedUpTo(session, participant).map(upTo -> !expiresAt.isAfter(upTo)).orElse(false);
    }

    /** Revocations kept in memory only (lost when the process ends). */
    static TicketRevocations inMemory() {
        return new dev.duet.signaling.server.internal.RevocationMap();
    }

    /**
     * Revocations kept in {@code file} (created if missing; one JSON object per line), read at once
     * and appended to, synced, on each {@link #revoke}. A torn last line (a crash while writing) is
     * ignored.
     *
     * @throws UncheckedIOException when the file cannot be read or created
     */
    static TicketRevocations file(Path file) {
        return new dev.duet.signaling.server.internal.RevocationFile(Checks.notNull(file, "file"));
    }
}
