package dev.duet.signaling.client.pusher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.internal.Checks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks and reads the webhooks a Pusher app sends to the app's backend. A genuine request has
 * {@code X-Pusher-Key} equal to the app's key and {@code X-Pusher-Signature} equal to the hex
 * HMAC-SHA256 of the raw body with the app's secret (compared in constant time); anything else is
 * a {@link PusherWebhookException} and nothing is read. Pusher does not order webhooks and may
 * send one more than once: order by {@link Webhook#time()} and treat a repeat as already seen.
 * Thread-safe.
 */
public final class PusherWebhooks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY_CHARS = 1 << 20;

    private final PusherApp app;

    public PusherWebhooks(PusherApp app) {
        this.app = Checks.notNull(app, "app");
    }

    /** One webhook: when Pusher sent it, and its events in the order given. */
    public record Webhook(Instant time, List<Event> events) {
        public Webhook {
            Checks.notNull(time, "time");
            events = List.copyOf(Checks.notNull(events, "events"));
        }
    }

    /**
     * One event of a webhook: {@code name} ({@code member_added}, {@code member_removed},
     * {@code client_event}, {@code channel_occupied}, ...), its channel, and what that kind carries.
     */
    public record Event(String name, String channel, Optional<String> userId, Optional<String> event, Optional<String> data,
            Optional<String> socketId) {
        public Event {
            Checks.notNull(name, "name");
            Checks.notNull(channel, "channel");
            Checks.notNull(userId, "userId");
            Checks.notNull(event, "event");
            Checks.notNull(data, "data");
            Checks.notNull(socketId, "socketId");
        }
    }

    /**
     * The webhook in {@code rawBody} (exactly the bytes received, as UTF-8 text), once its headers
     * prove it comes from this app's Pusher; otherwise {@link PusherWebhookException}.
     */
    public Webhook verify(String keyHeader, String signatureHeader, String rawBody) {
        if (rawBody == null || rawBody.length() > MAX_BODY_CHARS) {
            throw new PusherWebhookException("the body is missing or longer than " + MAX_BODY_CHARS + " characters");
        }
        if (keyHeader == null || !keyHeader.equals(app.key())) {
            throw new PusherWebhookException("X-Pusher-Key is missing or is not this app's key");
        }
        if (!app.verify(rawBody, signatureHeader)) {
            throw new PusherWebhookException("X-Pusher-Signature is missing or does not match the body");
        }
        JsonNode root;
        try {
            root = JSON.readTree(rawBody);
        } catch (JsonProcessingException e) {
            throw new PusherWebhookException("the body is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.path("time_ms").canConvertToLong() || !root.path("events").isArray()) {
            throw new PusherWebhookException("the body must be {\"time_ms\": <number>, \"events\": [...]}");
        }
        List<Event> events = new ArrayList<>();
        for (JsonNode e : root.path("events")) {
            if (!e.path("name").isTextual() || !e.path("channel").isTextual()) {
                throw new PusherWebhookException("every event needs a text \"name\" and \"channel\"");
            }
            events.add(new Event(e.path("name").asText(), e.path("channel").asText(), text(e, "user_id"), text(e, "event"),
                    text(e, "data"), text(e, "socket_id")));
        }
        return new Webhook(Instant.ofEpochMilli(root.path("time_ms").asLong()), events);
    }

    private static Optional<String> text(JsonNode event, String field) {
        JsonNode value = event.get(field);
        return value != null && value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    @Override
    public String toString() {
        return "PusherWebhooks[" + app + "]";
    }
}
