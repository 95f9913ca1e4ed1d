package dev.duet.core;

import dev.duet.core.internal.Hmac;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The compact form of a join ticket, shared by issuer and verifier:
 *
 * <pre>
 *   duet1.&lt;payload&gt;.&lt;signature&gt;
 *   payload   = base64url-nopad( UTF-8( keyId LF sessionId LF participantId LF role LF notBefore LF expiresAt ) )
 *   signature = base64url-nopad( HMAC-SHA256( secret, ASCII("duet1." + payload) ) )
 * </pre>
 *
 * {@code notBefore} and {@code expiresAt} are Unix seconds; {@code role} is {@code expert} or
 * {@code learner}. The whole ticket is at most {@link #MAX_LENGTH} characters and URL-safe.
 */
final class TicketFormat {
    static final String VERSION_PREFIX = "duet1.";
    static final int MAX_LENGTH = 1024;
    static final int FIELD_COUNT = 6;
    static final char FIELD_SEPARATOR = '\n';

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private TicketFormat() {}

    static String encode(JoinTicket ticket, TicketKey key) {
        String fields = String.join(String.valueOf(FIELD_SEPARATOR),
                key.keyId(),
                ticket.sessionId().value(),
                ticket.participantId().value(),
                ticket.role().code(),
                Long.toString(ticket.notBefore().getEpochSecond()),
                Long.toString(ticket.expiresAt().getEpochSecond()));
        String signedPart = VERSION_PREFIX + ENCODER.encodeToString(fields.getBytes(StandardCharsets.UTF_8));
        return signedPart + "." + ENCODER.encodeToString(mac(key, signedPart));
    }

    static byte[] mac(TicketKey key, String signedPart) {
        return Hmac.sha256(key.secret(), signedPart.getBytes(StandardCharsets.US_ASCII));
    }
}
