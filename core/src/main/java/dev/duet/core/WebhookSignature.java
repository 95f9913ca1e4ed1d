package dev.duet.core;

import dev.duet.core.internal.Checks;
import dev.duet.core.internal.Hmac;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Signs and verifies Duet's webhook requests.
 *
 * <p>Header {@value #HEADER}: {@code t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>}.
 * The receiver recomputes the HMAC over the timestamp and the raw body bytes, compares in constant
 * time, and refuses a timestamp outside its replay window (default 5 minutes either way). Header
 * {@value #IDEMPOTENCY_HEADER} is the same on every retry of one delivery: store it and ignore a
 * repeat. The secret never appears in {@code toString()} or in messages.
 */
public final class WebhookSignature {
    public static final String HEADER = "Duet-Signature";
    public static final String IDEMPOTENCY_HEADER = "Duet-Idempotency-Key";
    private static final int MIN_SECRET_BYTES = 32;

    private final byte[] secret;
    private final Duration replayWindow;

    /**
     * @param secret       at least {@value #MIN_SECRET_BYTES} bytes, shared with the receiver
     * @param replayWindow how far a request's timestamp may be from the receiver's clock: 1 s to 1 h
     */
    public WebhookSignature(byte[] secret, Duration replayWindow) {
        Checks.notNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("secret must be at least " + MIN_SECRET_BYTES + " bytes, but was " + secret.length);
        }
        Checks.notNull(replayWindow, "replayWindow");
        if (replayWindow.compareTo(Duration.ofSeconds(1)) < 0 || replayWindow.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("replayWindow must be from 1 s to 1 h, but was " + replayWindow);
        }
        this.secret = secret.clone();
        this.replayWindow = replayWindow;
    }

    public WebhookSignature(byte[] secret) {
        this(secret, Duration.ofMinutes(5));
    }

    /** The header value for {@code body} sent at {@code now}. */
    public String sign(String body, Instant now) {
        long t = now.getEpochSecond();
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(hmac(t + "." + body));
    }

    /**
     * Checks a received request: its {@value #HEADER} value and raw body, against the receiver's
     * clock. Never throws: a missing or malformed header is a {@link WebhookCheck.Refused}.
     */
    public WebhookCheck verify(String header, String body, Instant now) {
        if (header == null || body == null || now == null) {
            return malformed("the " + HEADER + " header, the raw body and the receiver's clock are all needed");
        }
        long t = -1;
        String v1 = null;
        for (String part : header.split(",")) {
            String p = part.strip();
            if (p.startsWith("t=")) {
                try {
                    t = Long.parseLong(p.substring(2));
                } catch (NumberFormatException e) {
                    return malformed("t must be Unix seconds");
                }
            } else if (p.startsWith("v1=")) {
                v1 = p.substring(3);
            }
        }
        if (t < 0 || v1 == null || !v1.matches("[0-9a-f]{64}")) {
            return malformed("expected t=<unix seconds>,v1=<64 lower-case hex digits>");
        }
        Instant signedAt = Instant.ofEpochSecond(t);
        if (Duration.between(signedAt, now).abs().compareTo(replayWindow) > 0) {
            return new WebhookCheck.Refused(WebhookCheck.Reason.STALE, "signed at " + signedAt + ", more than "
                    + replayWindow + " from the receiver's clock (" + now + ")");
        }
        return MessageDigest.isEqual(hmac(t + "." + body), HexFormat.of().parseHex(v1)) ? new WebhookCheck.Accepted(signedAt)
                : new WebhookCheck.Refused(WebhookCheck.Reason.BAD_SIGNATURE,
                        "the signature does not match the body for this secret");
    }

    private static WebhookCheck malformed(String message) {
        return new WebhookCheck.Refused(WebhookCheck.Reason.MALFORMED, message);
    }

    private byte[] hmac(String text) {
        return Hmac.sha256(secret, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "WebhookSignature[secret=(redacted), replayWindow=" + replayWindow + "]";
    }
}
