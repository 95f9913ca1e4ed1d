package dev.duet.signaling.client.pusher;

import dev.duet.core.internal.Checks;
import dev.duet.core.internal.Hmac;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A Pusher Channels app's credentials, as the Pusher dashboard (or a Pusher-protocol server's
 * configuration) gives them: the app id, the public key and the secret. The secret signs channel
 * subscriptions and webhooks; it never appears in {@code toString()}, logs or messages, and
 * belongs on the app's backend only (a browser or Java client gets the key alone).
 */
public final class PusherApp {
    private final String appId;
    private final String key;
    private final byte[] secret;

    private PusherApp(String appId, String key, byte[] secret) {
        this.appId = appId;
        this.key = key;
        this.secret = secret;
    }

    /**
     * @param appId  the app's id (non-blank)
     * @param key    the app's public key: letters, digits, {@code - _ .} (non-blank)
     * @param secret the app's secret, at least 8 characters
     */
    public static PusherApp of(String appId, String key, String secret) {
        Checks.notNull(appId, "appId");
        Checks.notNull(key, "key");
        Checks.notNull(secret, "secret");
        if (appId.isBlank()) {
            throw new IllegalArgumentException("appId must not be blank");
        }
        if (!key.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("key must be 1 to 128 characters from A-Z a-z 0-9 . _ -, as Pusher issues them");
        }
        if (secret.length() < 8) {
            throw new IllegalArgumentException("secret must be at least 8 characters (the app's secret from its Pusher settings)");
        }
        return new PusherApp(appId, key, secret.getBytes(StandardCharsets.UTF_8));
    }

    public String appId() {
        return appId;
    }

    public String key() {
        return key;
    }

    /** Lower-case hex HMAC-SHA256 of {@code text} with the app's secret: Pusher's signature. */
    String sign(String text) {
        return HexFormat.of().formatHex(Hmac.sha256(secret, text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether {@code signature} is {@link #sign} of {@code text}, compared in constant time. */
    boolean verify(String text, String signature) {
        return signature != null && MessageDigest.isEqual(sign(text).getBytes(StandardCharsets.US_ASCII),
                signature.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "PusherApp[appId=" + appId + ", key=" + key + ", secret=(redacted)]";
    }
}
