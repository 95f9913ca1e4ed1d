package dev.duet.core;

import dev.duet.core.internal.Checks;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * A named HMAC-SHA256 secret for join tickets. The key id travels in every ticket so that
 * secrets can be rotated: sign with the new key, keep verifying with the old one until its
 * tickets have expired, then drop it.
 *
 * <p>The secret is never printed: {@link #toString()} shows only the key id.
 */
public final class TicketKey {
    /** Shortest accepted secret: 32 bytes, the HMAC-SHA256 block-size recommendation of RFC 2104 for full strength. */
    public static final int MIN_SECRET_BYTES = 32;

    private final String keyId;
    private final byte[] secret;

    private TicketKey(String keyId, byte[] secret) {
        this.keyId = Checks.identifier(keyId, "keyId");
        Checks.notNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("secret must be at least " + MIN_SECRET_BYTES + " bytes, but was "
                    + secret.length + " bytes");
        }
        this.secret = secret.clone();
    }

    /** A key from raw secret bytes (copied). */
    public static TicketKey of(String keyId, byte[] secret) {
        return new TicketKey(keyId, secret);
    }

    /** A key from a base64 (standard or URL-safe) secret, as kept in a secrets file or environment variable. */
    public static TicketKey fromBase64(String keyId, String base64Secret) {
        Checks.notNull(base64Secret, "secret");
        String text = base64Secret.strip();
        if (text.length() >= 2 * MIN_SECRET_BYTES && text.length() % 2 == 0 && text.chars().allMatch(c -> Character.digit(c, 16) >= 0)
                && text.chars().anyMatch(Character::isDigit) && text.chars().anyMatch(Character::isLetter)) {
            // Hex is valid base64 too, and would silently decode to other bytes than the ones meant.
            throw new IllegalArgumentException("secret looks like hex, not base64 (the secret itself is not shown); give it "
                    + "as base64 (openssl rand -base64 32), or use TicketKey.of(keyId, HexFormat.of().parseHex(hex))", null);
        }
        byte[] bytes;
        try {
            bytes = base64Secret.indexOf('-') >= 0 || base64Secret.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(base64Secret.strip())
                    : Base64.getDecoder().decode(base64Secret.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secret must be base64 text (the secret itself is not shown)", null);
        }
        return new TicketKey(keyId, bytes);
    }

    public String keyId() {
        return keyId;
    }

    byte[] secret() {
        return secret;
    }

    /** Same key id and same secret; the secrets are compared in constant time. */
    @Override
    public boolean equals(Object o) {
        return o instanceof TicketKey other && keyId.equals(other.keyId) && MessageDigest.isEqual(secret, other.secret);
    }

    @Override
    public int hashCode() {
        return keyId.hashCode();
    }

    @Override
    public String toString() {
        return "TicketKey[keyId=" + keyId + ", secret=(redacted)]";
    }
}
