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

    /** Positional, for the providers of this package; everyone else names the parts with {@link #builder()}. */
    TurnCredential(String username, String password, Instant expiresAt, List<String> uris) {
        this.username = Checks.notNull(username, "username");
        this.password = Checks.notNull(password, "password");
        this.expiresAt = Checks.notNull(expiresAt, "expiresAt");
        this.uris = List.copyOf(Checks.notNull(uris, "uris"));
        if (username.isEmpty() || password.isEmpty()) {
            throw new IllegalArgumentException("username and password must not be empty");
        }
    }

    /**
     * A credential with every part named, so that the username and the password cannot be swapped:
     * {@code TurnCredential.builder().username(u).password(p).expiresAt(t).uris(server.turnUris()).build()}.
     * Providers ({@link RestTurnCredentials}, {@link LongTermTurnUsers}) make them for you.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link TurnCredential}; every part is required. */
    public static final class Builder {
        private String username;
        private String password;
        private Instant expiresAt;
        private List<String> uris;

        private Builder() {
        }

        public Builder username(String username) {
            this.username = Checks.notNull(username, "username");
            return this;
        }

        /** Never logged. */
        public Builder password(String password) {
            this.password = Checks.notNull(password, "password");
            return this;
        }

        public Builder expiresAt(Instant expiresAt) {
            this.expiresAt = Checks.notNull(expiresAt, "expiresAt");
            return this;
        }

        /** The TURN URIs the credential is for, as {@link TurnServerAddress#turnUris()} gives them. */
        public Builder uris(List<String> uris) {
            this.uris = Checks.notNull(uris, "uris");
            return this;
        }

        /** @throws IllegalArgumentException naming the missing part */
        public TurnCredential build() {
            String missing = username == null ? "username" : password == null ? "password" : expiresAt == null ? "expiresAt"
                    : uris == null ? "uris" : null;
            if (missing != null) {
                throw new IllegalArgumentException("a TURN credential needs its " + missing + ": call " + missing + "(...) before build()");
            }
            return new TurnCredential(username, password, expiresAt, uris);
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
