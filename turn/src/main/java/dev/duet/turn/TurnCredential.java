package dev.duet.turn;

import dev.duet.core.internal.Checks;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * A TURN username and password for one participant of one booking, valid until {@code expiresAt},
 * for the listed TURN URIs. The password never appears in {@link #toString()}.
 */
public final class TurnCredential {
    private final String username;
    private final String password;
    private final Instant expiresAt;
    private final List<String> uris;

    public TurnCredential(String username, String password, Instant expiresAt, List<String> uris) {
        this.username = Checks.notNull(username, "username");
        this.password = Checks.notNull(password, "password");
        this.expiresAt = Checks.notNull(expiresAt, "expiresAt");
        this.uris = List.copyOf(Checks.notNull(uris, "uris"));
        if (username.isEmpty() || password.isEmpty()) {
            throw new IllegalArgumentException("username and password must not be empty");
        }
    }

    public String username() {
        return username;
    }

    /** The password, for the ICE server list handed to the peer; never log it. */
    public String password() {
        return password;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    public List<String> uris() {
        return uris;
    }

    /** Compares {@code candidate} with the password in constant time. */
    public boolean passwordMatches(String candidate) {
        return candidate != null && MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8),
                candidate.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "TurnCredential[username=" + username + ", password=(redacted), expiresAt=" + expiresAt + ", uris=" + uris + "]";
    }
}
