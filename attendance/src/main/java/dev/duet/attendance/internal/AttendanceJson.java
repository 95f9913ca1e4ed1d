package dev.duet.attendance.internal;

import dev.duet.core.MediaKind;
import dev.duet.core.MediaDirection;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.attendance.MediaFlow;
import dev.duet.core.ConnectionId;
import dev.duet.core.DepartureReason;
import dev.duet.core.internal.Checks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** One attendance event as one line of JSON ({@code {"v":1,"type":"joined",...}}), and back. */
public final class AttendanceJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AttendanceJson() {}

    public static String encode(AttendanceEvent event) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("v", 1);
        o.put("id", event.eventId());
        o.put("session", event.session().value());
        o.put("at", event.at().toString());
        if (event instanceof AttendanceEvent.ParticipantJoined j) {
            o.put("type", "joined").put("participant", j.participant().value()).put("connection", j.connection().value());
        } else if (event instanceof AttendanceEvent.ParticipantLeft l) {
            o.put("type", "left").put("participant", l.participant().value()).put("connection", l.connection().value());
            o.put("reason", l.reason().code());
        } else if (event instanceof AttendanceEvent.MediaReported m) {
            o.put("type", "media").put("participant", m.participant().value()).put("relayed", m.relayed());
            m.interval().ifPresent(i -> o.put("intervalMs", i.toMillis()));
            ArrayNode flows = o.putArray("flows");
            for (MediaFlow f : m.flows()) {
                ObjectNode n = flows.addObject();
                n.put("direction", f.direction().code()).put("kind", f.kind().code()).put("flowing", f.flowing())
                        .put("lossRatio", f.lossRatio());
                f.roundTripMs().ifPresent(v -> n.put("roundTripMs", v));
                f.jitterMs().ifPresent(v -> n.put("jitterMs", v));
                f.framesPerSecond().ifPresent(v -> n.put("framesPerSecond", v));
                f.width().ifPresent(v -> n.put("width", v));
                f.height().ifPresent(v -> n.put("height", v));
            }
        } else if (event instanceof AttendanceEvent.ConnectionsAlive a) {
            ArrayNode connections = o.put("type", "alive").putArray("connections");
            a.connections().forEach(c -> connections.add(c.value()));
        } else if (event instanceof AttendanceEvent.JoinRefused r) {
            o.put("type", "refused").put("participant", r.participant().value()).put("reason", r.reason().code())
                    .put("message", r.message());
        } else if (event instanceof AttendanceEvent.SessionClosed c) {
            o.put("type", "closed").put("reason", c.reason());
        }
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + event.eventId(), e);
        }
    }

    /** @throws IllegalArgumentException if the line is not a complete, valid event */
    public static AttendanceEvent decode(String line) {
        JsonNode o;
        try {
            o = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (o == null || !o.isObject() || o.path("v").asInt() != 1) {
            throw new IllegalArgumentException("not a version-1 attendance event");
        }
        String id = text(o, "id");
        SessionId session = SessionId.of(text(o, "session"));
        Instant at = Instant.parse(text(o, "at"));
        return switch (text(o, "type")) {
            case "joined" -> new AttendanceEvent.ParticipantJoined(id, session, at, ParticipantId.of(text(o, "participant")),
                    ConnectionId.of(text(o, "connection")));
            case "left" -> new AttendanceEvent.ParticipantLeft(id, session, at, ParticipantId.of(text(o, "participant")),
                    ConnectionId.of(text(o, "connection")), departureReason(o));
            case "media" -> {
                List<MediaFlow> flows = new ArrayList<>();
                for (JsonNode n : o.path("flows")) {
                    flows.add(new MediaFlow(MediaDirection.valueOf(text(n, "direction").toUpperCase(Locale.ROOT)),
                            MediaKind.valueOf(text(n, "kind").toUpperCase(Locale.ROOT)), n.path("flowing").asBoolean(),
                            // The wire's names; files written before 0.1.0 used loss, rttMs and fps: still read.
                            (n.has("lossRatio") ? n.path("lossRatio") : n.path("loss")).asDouble(),
                            optional(n, n.has("roundTripMs") ? "roundTripMs" : "rttMs"), optional(n, "jitterMs"),
                            optional(n, n.has("framesPerSecond") ? "framesPerSecond" : "fps"),
                            optionalInt(n, "width"), optionalInt(n, "height")));
                }
                // Lines written before 0.1.0 have no intervalMs: the ledger then reads them as it always did.
                java.util.Optional<java.time.Duration> interval = o.has("intervalMs")
                        ? java.util.Optional.of(java.time.Duration.ofMillis(o.get("intervalMs").asLong()))
                        : java.util.Optional.empty();
                yield new AttendanceEvent.MediaReported(id, session, at, ParticipantId.of(text(o, "participant")),
                        o.path("relayed").asBoolean(), flows, interval);
            }
            // Lines written before 0.1.0 have no reason: "unrecorded" says so.
            case "closed" -> new AttendanceEvent.SessionClosed(id, session, at,
                    o.has("reason") ? text(o, "reason") : "unrecorded");
            case "alive" -> {
                List<ConnectionId> connections = new ArrayList<>();
                for (JsonNode c : o.path("connections")) {
                    if (!c.isTextual()) {
                        throw new IllegalArgumentException("field connections must hold text");
                    }
                    connections.add(ConnectionId.of(c.asText()));
                }
                yield new AttendanceEvent.ConnectionsAlive(id, session, at, connections);
            }
            case "refused" -> {
                String code = text(o, "reason");
                yield new AttendanceEvent.JoinRefused(id, session, at, ParticipantId.of(text(o, "participant")),
                        AttendanceEvent.Refusal.of(code).orElseThrow(() -> new IllegalArgumentException(
                                "unknown join refusal " + Checks.quoteForMessage(code))), text(o, "message"));
            }
            default -> throw new IllegalArgumentException("unknown event type " + o.path("type"));
        };
    }

    /** The wire code in {@code reason}; lines written before 0.1.0 had only {@code hungUp} (true or absent). */
    private static DepartureReason departureReason(JsonNode o) {
        if (!o.has("reason")) {
            return o.path("hungUp").asBoolean(false) ? DepartureReason.HUNG_UP : DepartureReason.LEFT;
        }
        String code = text(o, "reason");
        return DepartureReason.of(code)
                .orElseThrow(() -> new IllegalArgumentException("unknown departure reason " + Checks.quoteForMessage(code)));
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("field " + field + " is missing or not text");
        }
        return n.asText();
    }

    private static OptionalDouble optional(JsonNode o, String field) {
        return o.has(field) ? OptionalDouble.of(o.get(field).asDouble()) : OptionalDouble.empty();
    }

    private static OptionalInt optionalInt(JsonNode o, String field) {
        return o.has(field) ? OptionalInt.of(o.get(field).asInt()) : OptionalInt.empty();
    }
}
