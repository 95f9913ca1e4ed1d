package dev.duet.turn;

import dev.duet.core.Booking;
import dev.duet.core.ParticipantId;
import dev.duet.core.internal.Checks;
import dev.duet.core.internal.Hmac;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Ephemeral TURN credentials of the "REST API" kind that coturn accepts with {@code use-auth-secret}
 * and {@code static-auth-secret}: nothing is stored anywhere; coturn recomputes the password.
 *
 * <pre>
 *   username = "&lt;expiry&gt;:&lt;sessionId&gt;:&lt;participantId&gt;"   expiry in Unix seconds
 *   password = base64( HMAC-SHA1( secret, username ) )
 * </pre>
 *
 * coturn reads the expiry up to the first ':' and refuses the credential once the expiry has
 * passed (by its own clock). The expiry is the booking's close (end plus grace), so joining late,
 * reconnecting and ICE restarts are all covered, but never more than {@code maxTtl} after issue.
 * Several secrets may be configured (newest first): the newest signs, as coturn accepts any of its
 * configured {@code static-auth-secret} lines. Thread-safe and immutable.
 */
public final class RestTurnCredentials implements TurnCredentialProvider {
    private final List<TurnSecret> secrets;
    private final TurnServerAddress server;
    private final Duration maxTtl;

    /**
     * @param secrets newest first; at least one, distinct ids
     * @param server  where the TURN server listens
     * @param maxTtl  the longest a credential may live, 1 minute to 48 hours
     */
    public RestTurnCredentials(List<TurnSecret> secrets, TurnServerAddress server, Duration maxTtl) {
        Checks.notNull(secrets, "secrets");
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("secrets must hold at least one TurnSecret");
        }
        if (secrets.stream().map(TurnSecret::id).distinct().count() != secrets.size()) {
            throw new IllegalArgumentException("secrets must have distinct ids");
        }
        this.secrets = List.copyOf(secrets);
        this.server = Checks.notNull(server, "server");
        Checks.notNull(maxTtl, "maxTtl");
        if (maxTtl.compareTo(Duration.ofMinutes(1)) < 0 || maxTtl.compareTo(Duration.ofHours(48)) > 0) {
            throw new IllegalArgumentException("maxTtl must be between PT1M and PT48H, but was " + maxTtl);
        }
        this.maxTtl = maxTtl;
    }

    @Override
    public TurnCredential issue(Booking booking, ParticipantId participant, Instant now) {
        TurnCredentialProvider.checkIssuable(booking, participant, now);
        Instant expiry = booking.closesAt().isBefore(now.plus(maxTtl)) ? booking.closesAt() : now.plus(maxTtl);
        if (!expiry.isAfter(booking.opensAt())) {
            throw new IllegalArgumentException("a TURN credential issued at " + now + " would expire at " + expiry
                    + ", before session " + booking.sessionId() + " opens at " + booking.opensAt()
                    + "; issue it when the participant joins (at most " + maxTtl + " before it opens)");
        }
        long expirySeconds = expiry.getEpochSecond();
        String username = expirySeconds + ":" + booking.sessionId().value() + ":" + participant.value();
        return new TurnCredential(username, password(secrets.get(0), username), Instant.ofEpochSecond(expirySeconds),
                server.turnUris());
    }

    /** REST credentials cannot be withdrawn; they end at their expiry (see "Revocation" in docs/turn.md). */
    @Override
    public void revoke(Booking booking) {
        Checks.notNull(booking, "booking");
    }

    /**
     * Would coturn, configured with these secrets, accept {@code username}/{@code password} at
     * {@code now}? Passwords are compared in constant time.
     */
    public boolean accepts(String username, String password, Instant now) {
        if (username == null || password == null) {
            return false;
        }
        int colon = username.indexOf(':');
        long expiry;
        try {
            expiry = Long.parseLong(colon < 0 ? username : username.substring(0, colon));
        } catch (NumberFormatException e) {
            return false;
        }
        boolean matched = false;
        for (TurnSecret secret : secrets) {
            matched |= MessageDigest.isEqual(password(secret, username).getBytes(StandardCharsets.US_ASCII),
                    password.getBytes(StandardCharsets.US_ASCII));
        }
        return matched && now.getEpochSecond() < expiry;
    }

    static String password(TurnSecret secret, String username) {
        return Base64.getEncoder().encodeToString(Hmac.sha1(secret.bytes(), username.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String toString() {
        return "RestTurnCredentials[secrets=" + secrets + ", server=" + server + ", maxTtl=" + maxTtl + "]";
    }
}
