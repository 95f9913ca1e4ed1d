package dev.duet.signaling.client.pusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pusher.rest.Pusher;
import com.pusher.rest.data.PresenceUser;
import com.pusher.rest.data.Validity;
import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The backend helpers against Pusher's own server library (pusher-http-java): the same channel
 * signatures for the same subscription, and the same verdict on the same webhook, so Duet's
 * helpers and a real Pusher (or a Pusher-protocol server) agree.
 */
class PusherBackendTest {
    private static final String APP_ID = "4242";
    private static final String KEY = "duet-test-key";
    private static final String SECRET = "a-pusher-app-secret-for-tests";
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TicketKey TICKET_KEY = TicketKey.of("k1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private static final Booking BOOKING = new Booking(SessionId.of("s-42"), Participant.expert("expert-ada", "Ada"),
            Participant.learner("learner-bo", "Bo"), NOW, Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));

    private final PusherApp app = PusherApp.of(APP_ID, KEY, SECRET);
    private final PusherChannelAuth auth = new PusherChannelAuth(app, new JoinTicketVerifier(List.of(TICKET_KEY), Duration.ofSeconds(30)));
    private final Pusher pusher = new Pusher(APP_ID, KEY, SECRET);

    private static String ticket(Booking booking, String participant) {
        return new JoinTicketIssuer(TICKET_KEY, Duration.ofHours(2)).issue(booking, ParticipantId.of(participant), NOW.minusSeconds(60));
    }

    @Test
    void aPresenceSubscriptionIsSignedAsPusherSignsItWithTheTicketsParticipantAsTheMember() throws Exception {
        PusherChannelAuth.Authorization signed = auth.authorize("1234.5678", "presence-duet-s-42", ticket(BOOKING, "learner-bo"), NOW);

        JsonNode theirs = JSON.readTree(pusher.authenticate("1234.5678", "presence-duet-s-42",
                new PresenceUser("learner-bo", memberInfo("learner", "1234.5678", NOW.toEpochMilli()))));
        assertThat(signed.channelData()).hasValue(theirs.path("channel_data").asText());
        assertThat(signed.auth()).isEqualTo(theirs.path("auth").asText()).startsWith(KEY + ":");
        JsonNode body = JSON.readTree(signed.toJson());
        assertThat(body.path("auth").asText()).isEqualTo(signed.auth());
        assertThat(JSON.readTree(body.path("channel_data").asText()))
                .isEqualTo(JSON.readTree("{\"user_id\":\"learner-bo\",\"user_info\":{\"role\":\"learner\",\"connection\":\"1234.5678\","
                        + "\"arrived_at\":" + NOW.toEpochMilli() + "}}"));
    }

    /** The member's user_info in the order PusherChannelAuth writes it (the signature covers the exact text). */
    private static Map<String, Object> memberInfo(String role, String socketId, long arrivedAtMillis) {
        Map<String, Object> info = new java.util.LinkedHashMap<>();
        info.put("role", role);
        info.put("connection", socketId);
        info.put("arrived_at", arrivedAtMillis);
        return info;
    }

    @Test
    void aPrivateSubscriptionIsSignedAsPusherSignsIt() throws Exception {
        PusherChannelAuth.Authorization signed = auth.authorize("1.2", "private-duet-s-42", ticket(BOOKING, "expert-ada"), NOW);
        assertThat(signed.channelData()).isEmpty();
        assertThat(signed.auth()).isEqualTo(JSON.readTree(pusher.authenticate("1.2", "private-duet-s-42")).path("auth").asText());
        assertThat(JSON.readTree(signed.toJson()).has("channel_data")).isFalse();
    }

    @Test
    void onlyAValidTicketForTheChannelsOwnSessionGetsASignatureAndEachRefusalSaysWhy() {
        Booking other = new Booking(SessionId.of("s-other"), BOOKING.expert(), BOOKING.learner(), NOW, Duration.ofHours(1),
                Duration.ofMinutes(10), Duration.ofMinutes(15));
        String good = ticket(BOOKING, "learner-bo");
        assertRefused(() -> auth.authorize("1.2", "presence-duet-s-42", ticket(other, "learner-bo"), NOW),
                PusherAuthException.Reason.TICKET_REFUSED, "WRONG_SESSION");
        assertRefused(() -> auth.authorize("1.2", "presence-duet-s-42", good, NOW.plus(Duration.ofHours(3))),
                PusherAuthException.Reason.TICKET_REFUSED, "s-42");
        String forged = new JoinTicketIssuer(TicketKey.of("k1", "another-secret-another-secret-32".getBytes(StandardCharsets.US_ASCII)),
                Duration.ofHours(2)).issue(BOOKING, ParticipantId.of("learner-bo"), NOW.minusSeconds(60));
        assertRefused(() -> auth.authorize("1.2", "presence-duet-s-42", forged, NOW), PusherAuthException.Reason.TICKET_REFUSED,
                "BAD_SIGNATURE");
        assertRefused(() -> auth.authorize("1.2", "presence-duet-s-42", " ", NOW), PusherAuthException.Reason.TICKET_REFUSED, "required");
        assertRefused(() -> auth.authorize("1.2", "presence-lobby", good, NOW), PusherAuthException.Reason.NOT_A_DUET_CHANNEL,
                "presence-duet-<sessionId>");
        assertRefused(() -> auth.authorize("1.2", "presence-duet-", good, NOW), PusherAuthException.Reason.NOT_A_DUET_CHANNEL,
                "does not name a session");
        assertRefused(() -> auth.authorize("1.2:presence-duet-s-42", "presence-duet-s-42", good, NOW),
                PusherAuthException.Reason.MALFORMED_REQUEST, "socket_id");
        assertRefused(() -> auth.authorize(null, "presence-duet-s-42", good, NOW), PusherAuthException.Reason.MALFORMED_REQUEST, "socket_id");
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, PusherAuthException.Reason reason,
            String says) {
        assertThatThrownBy(call).isInstanceOfSatisfying(PusherAuthException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.getMessage()).contains(says).doesNotContain(SECRET);
        });
    }

    @Test
    void aWebhookPusherWouldCallGenuineIsReadAndOneItWouldNotIsRefused() {
        PusherWebhooks webhooks = new PusherWebhooks(app);
        String body = "{\"time_ms\":1796036700123,\"events\":[{\"name\":\"member_added\",\"channel\":\"presence-duet-s-42\","
                + "\"user_id\":\"learner-bo\"},{\"name\":\"client_event\",\"channel\":\"presence-duet-s-42\",\"event\":\"client-duet\","
                + "\"data\":\"{}\",\"socket_id\":\"1.2\",\"user_id\":\"expert-ada\"}]}";
        String signature = hmacHex(SECRET, body);

        assertThat(pusher.validateWebhookSignature(KEY, signature, body)).isEqualTo(Validity.VALID);
        PusherWebhooks.Webhook read = webhooks.verify(KEY, signature.toUpperCase(java.util.Locale.ROOT), body);
        assertThat(read.time()).isEqualTo(Instant.ofEpochMilli(1796036700123L));
        assertThat(read.events()).extracting(PusherWebhooks.Event::name).containsExactly("member_added", "client_event");
        assertThat(read.events().get(0).userId()).hasValue("learner-bo");
        assertThat(read.events().get(1).event()).hasValue("client-duet");
        assertThat(read.events().get(1).socketId()).hasValue("1.2");

        String tampered = body.replace("learner-bo", "learner-mallory");
        assertThat(pusher.validateWebhookSignature(KEY, signature, tampered)).isEqualTo(Validity.INVALID);
        assertThatThrownBy(() -> webhooks.verify(KEY, signature, tampered)).isInstanceOf(PusherWebhookException.class)
                .hasMessageContaining("X-Pusher-Signature");
        assertThat(pusher.validateWebhookSignature("another-key", signature, body)).isEqualTo(Validity.SIGNED_WITH_WRONG_KEY);
        assertThatThrownBy(() -> webhooks.verify("another-key", signature, body)).isInstanceOf(PusherWebhookException.class)
                .hasMessageContaining("X-Pusher-Key");
        assertThatThrownBy(() -> webhooks.verify(KEY, null, body)).isInstanceOf(PusherWebhookException.class);
        String notJson = "time_ms=1";
        assertThatThrownBy(() -> webhooks.verify(KEY, hmacHex(SECRET, notJson), notJson)).isInstanceOf(PusherWebhookException.class)
                .hasMessageContaining("not JSON");
        String noEvents = "{\"time_ms\":1}";
        assertThatThrownBy(() -> webhooks.verify(KEY, hmacHex(SECRET, noEvents), noEvents)).isInstanceOf(PusherWebhookException.class)
                .hasMessageContaining("events");
    }

    @Test
    void theSecretNeverShowsAndCredentialsAreChecked() {
        assertThat(app.toString()).contains(APP_ID, KEY).doesNotContain(SECRET);
        assertThat(auth.toString()).doesNotContain(SECRET);
        assertThat(new PusherWebhooks(app).toString()).doesNotContain(SECRET);
        assertThatThrownBy(() -> PusherApp.of(APP_ID, KEY, "short")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("secret").hasMessageNotContaining("short");
        assertThatThrownBy(() -> PusherApp.of(APP_ID, "key with spaces", SECRET)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key");
        assertThatThrownBy(() -> PusherApp.of(" ", KEY, SECRET)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("appId");
    }

    private static String hmacHex(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
