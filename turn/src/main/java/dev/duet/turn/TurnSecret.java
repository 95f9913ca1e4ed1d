package dev.duet.turn;

import dev.duet.core.internal.Checks;
import java.nio.charset.StandardCharsets;

/**
 * A coturn {@code static-auth-secret}, as the REST-API mechanism shares it between the app and the
 * TURN server. Printed only as its id.
 */
public final class TurnSecret {
    /**
     * The shortest secret accepted, in bytes: the same rule as for join-ticket keys
     * ({@link dev.duet.core.TicketKey#MIN_SECRET_BYTES}) and webhook secrets. {@code openssl rand -base64 32}
     * gives a good one (44 characters).
     */
    public static final int MIN_LENGTH = dev.duet.core.TicketKey.MIN_SECRET_BYTES;

    private final String id;
    private final byte[] secret;

    private TurnSecret(String id, byte[] secret) {
        this.id = Checks.identifier(id, "secret id");
        if (secret.length < MIN_LENGTH) {
            throw new IllegalArgumentException("the TURN secret " + id + " must be at least " + MIN_LENGTH
                    + " bytes, but was " + secret.length + " bytes");
        }
        this.secret = secret;
    }

    /**
     * A secret exactly as written in coturn's {@code static-auth-secret=} line (coturn uses its
     * text bytes as the HMAC key).
     */
    public static TurnSecret of(String id, String staticAuthSecret) {
        Checks.notNull(staticAuthSecret, "staticAuthSecret");
        return new TurnSecret(id, staticAuthSecret.getBytes(StandardCharsets.UTF_8));
    }

    public String id() {
        return id;
    }

    byte[] bytes() {
        return secret.clone();
    }

    @Override
    public String toString() {
        return "TurnSecret[id=" + id + ", secret=(redacted)]";
    }
}
