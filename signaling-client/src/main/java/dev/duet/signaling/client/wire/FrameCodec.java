package dev.duet.signaling.client.wire;

import dev.duet.core.MediaKind;
import dev.duet.core.MediaDirection;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duet.core.ParticipantId;
import dev.duet.core.Role;
import dev.duet.core.SessionId;
import dev.duet.core.ConnectionId;
import dev.duet.core.Epoch;
import dev.duet.core.negotiation.IceCandidate;
import dev.duet.core.negotiation.Signal;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.MediaReport;
import dev.duet.core.DepartureReason;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.StreamReport;
import dev.duet.signaling.client.wire.Frame.ClientFrame;
import dev.duet.signaling.client.wire.Frame.RelayFrame;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Locale;
import java.util.List;
import java.util.Optional;

/**
 * The one JSON codec of the relay protocol: {@link Frame}s to text and back. Decoding is strict:
 * anything wrong is a {@link ProtocolException} naming the field, never a partial frame; unknown
 * fields are ignored (so later minor versions can add fields). Thread-safe; one instance can serve
 * a whole node.
 */
public final class FrameCodec {
    /** The protocol version this codec speaks, the {@code v} of every frame. */
    public static final int VERSION = 1;
    /** Largest frame accepted, in bytes of UTF-8. */
    public static final int MAX_FRAME_BYTES = 64 * 1024;

    private static final int MAX_NESTING = 16;
    private static final DateTimeFormatter INSTANT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    public FrameCodec() {
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING)
                .maxStringLength(MAX_FRAME_BYTES)
                .maxNumberLength(40)
                .build());
    }

    // ================================================================== decoding

    /** Decodes a frame from either side. */
    public Frame decode(String text) throws ProtocolException {
        JsonFields f = parse(text);
        String type = f.text("type");
        try {
            return switch (type) {
                case "join" -> new Frame.Join(f.text("ticket"), f.text("clientId"), f.integer("lastDelivered"),
                        f.optionalObject("resume").isPresent() ? Optional.of(resume(f.object("resume"))) : Optional.empty());
                case "send" -> new Frame.Send(f.integer("seq"), message(f.object("msg")));
                case "ack" -> new Frame.Ack(f.integer("dseq"));
                case "leave" -> new Frame.Leave(f.text("reason"), f.has("hangUp") && f.bool("hangUp"));
                case "joined" -> new Frame.JoinAccepted(new SessionId(f.text("session")), member(f.object("self")),
                        f.optionalObject("peer").isPresent() ? Optional.of(member(f.object("peer"))) : Optional.empty(),
                        f.integer("lastAcceptedSeq"), f.text("incarnation"));
                case "peer-joined" -> new Frame.PeerJoined(member(f.object("peer")), f.has("newClient") && f.bool("newClient"));
                case "peer-left" -> new Frame.PeerLeft(new ParticipantId(f.text("participant")),
                        new ConnectionId(f.text("connection")), f.instant("leftAt"), departureReason(f));
                case "deliver" -> new Frame.Deliver(f.integer("dseq"), new ParticipantId(f.text("from")),
                        f.instant("relayedAt"), message(f.object("msg")));
                case "accepted" -> new Frame.Accepted(f.integer("seq"));
                case "error" -> new Frame.Error(errorCode(f), f.text("message"), f.optionalInteger("seq"));
                case "ping" -> new Frame.Ping(f.integer("id"));
                case "pong" -> new Frame.Pong(f.integer("id"));
                case "refused" -> new Frame.Refused((int) f.integer("code"), f.text("name"), f.text("message"),
                        f.has("opensAt") ? Optional.of(f.instant("opensAt")) : Optional.empty());
                default -> throw new ProtocolException(ProtocolError.UNKNOWN_TYPE,
                        "type " + quote(type) + " is not a frame type; expected one of join, send, ack, leave, ping, joined, pong, refused, "
                                + "peer-joined, peer-left, deliver, accepted, error");
            };
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ProtocolError.INVALID_VALUE, e.getMessage());
        }
    }

    /** Decodes a frame a client may send; a relay frame is {@link ProtocolError#UNEXPECTED_FRAME}. */
    public ClientFrame decodeClientFrame(String text) throws ProtocolException {
        Frame frame = decode(text);
        if (frame instanceof ClientFrame client) {
            return client;
        }
        throw new ProtocolException(ProtocolError.UNEXPECTED_FRAME, "a client may not send a "
                + typeOf(frame) + " frame; expected join, send, ack, leave or ping");
    }

    /** Decodes a frame the relay may send; a client frame is {@link ProtocolError#UNEXPECTED_FRAME}. */
    public RelayFrame decodeRelayFrame(String text) throws ProtocolException {
        Frame frame = decode(text);
        if (frame instanceof RelayFrame relay) {
            return relay;
        }
        throw new ProtocolException(ProtocolError.UNEXPECTED_FRAME, "the relay may not send a " + typeOf(frame) + " frame");
    }

    /**
     * The {@code seq} of a text that looks like a send frame, if it can be found, so an error
     * about a malformed send can name it. Never throws.
     */
    public Optional<Long> seqOf(String text) {
        if (text == null || utf8Length(text) > MAX_FRAME_BYTES) {
            return Optional.empty(); // too large to parse again just to name it
        }
        try {
            JsonNode node = mapper.readTree(text);
            JsonNode seq = node == null ? null : node.get("seq");
            return seq != null && seq.isIntegralNumber() && seq.canConvertToLong() && seq.longValue() > 0
                    ? Optional.of(seq.longValue()) : Optional.empty();
        } catch (JsonProcessingException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private JsonFields parse(String text) throws ProtocolException {
        if (text == null) {
            throw new ProtocolException(ProtocolError.MALFORMED_JSON, "the frame is empty");
        }
        int bytes = utf8Length(text);
        if (bytes > MAX_FRAME_BYTES) {
            throw new ProtocolException(ProtocolError.TOO_LARGE, "the frame is " + (bytes > 10 * MAX_FRAME_BYTES
                    ? "over " + 10 * MAX_FRAME_BYTES : bytes) + " bytes; at most " + MAX_FRAME_BYTES + " are accepted");
        }
        JsonNode node;
        try {
            node = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new ProtocolException(ProtocolError.MALFORMED_JSON, "the frame is not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                    + ": " + firstLine(e.getOriginalMessage()));
        }
        if (node == null || node.isMissingNode()) {
            throw new ProtocolException(ProtocolError.MALFORMED_JSON, "the frame is empty");
        }
        if (!node.isObject()) {
            throw new ProtocolException(ProtocolError.NOT_AN_OBJECT, "a frame must be a JSON object, but this is "
                    + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        JsonNode v = node.get("v");
        if (v == null || !v.isIntegralNumber() || v.asLong() != VERSION) {
            throw new ProtocolException(ProtocolError.UNSUPPORTED_VERSION, "v must be " + VERSION + ", but "
                    + (v == null ? "is missing" : "is " + firstLine(v.toString())));
        }
        return new JsonFields(node, "");
    }

    private PeerMessage message(JsonFields m) throws ProtocolException {
        String type = m.text("type");
        return switch (type) {
            case "ready" -> new PeerMessage.Negotiation(new Signal.Ready(epoch(m)));
            case "offer" -> new PeerMessage.Negotiation(new Signal.Offer(epoch(m), m.integer("offerId"), describedSdp(m)));
            case "answer" -> new PeerMessage.Negotiation(new Signal.Answer(epoch(m), m.integer("offerId"), describedSdp(m)));
            case "candidates" -> {
                List<IceCandidate> candidates = new ArrayList<>();
                String ufrag = m.text("ufrag");
                for (JsonFields c : m.objects("candidates", Signal.MAX_CANDIDATES_PER_BATCH)) {
                    Integer index = null;
                    if (c.has("sdpMLineIndex")) {
                        long i = c.integer("sdpMLineIndex");
                        if (i < 0 || i > IceCandidate.MAX_MLINE_INDEX) {
                            throw new ProtocolException(ProtocolError.INVALID_VALUE, c.path() + ".sdpMLineIndex must be 0 to "
                                    + IceCandidate.MAX_MLINE_INDEX);
                        }
                        index = (int) i;
                    }
                    String mid = c.has("sdpMid") ? c.text("sdpMid") : null;
                    if (mid == null && index == null) {
                        throw new ProtocolException(ProtocolError.MISSING_FIELD, c.path()
                                + " needs sdpMid or sdpMLineIndex (either may be null, not both)");
                    }
                    if (c.has("usernameFragment") && !c.text("usernameFragment").equals(ufrag)) {
                        throw new ProtocolException(ProtocolError.INVALID_VALUE, c.path() + ".usernameFragment must be the"
                                + " message's ufrag " + quote(ufrag) + " (each message carries one ICE generation)");
                    }
                    candidates.add(new IceCandidate(mid, index, c.text("candidate")));
                }
                yield new PeerMessage.Negotiation(new Signal.Candidates(epoch(m), ufrag, candidates));
            }
            case "bye" -> new PeerMessage.Negotiation(new Signal.Bye(epoch(m), m.text("reason")));
            case "chat" -> new ChatMessage(m.text("text"));
            case "media-report" -> {
                List<StreamReport> streams = new ArrayList<>();
                for (JsonFields s : m.objects("streams", MediaReport.MAX_STREAMS)) {
                    streams.add(new StreamReport(direction(s), kind(s), s.bool("flowing"), s.number("bitrateKbps"),
                            s.number("lossRatio"), s.optionalNumber("jitterMs"), s.optionalNumber("roundTripMs"),
                            s.optionalNumber("framesPerSecond"), s.optionalInt("width"), s.optionalInt("height")));
                }
                Optional<java.time.Duration> interval = Optional.empty();
                Optional<Long> intervalMs = m.optionalInteger("intervalMs");
                if (intervalMs.isPresent()) {
                    if (intervalMs.get() < 1 || intervalMs.get() > MediaReport.MAX_INTERVAL.toMillis()) {
                        throw new ProtocolException(ProtocolError.INVALID_VALUE, m.path() + ".intervalMs must be 1 to "
                                + MediaReport.MAX_INTERVAL.toMillis());
                    }
                    interval = Optional.of(java.time.Duration.ofMillis(intervalMs.get()));
                }
                yield new MediaReport(m.has("epoch") ? Optional.of(epoch(m)) : Optional.empty(), m.instant("sampledAt"),
                        m.bool("relayed"), streams, interval);
            }
            default -> throw new ProtocolException(ProtocolError.UNKNOWN_TYPE, m.path() + ".type " + quote(type)
                    + " is not a message type; expected one of ready, offer, answer, candidates, bye, chat, media-report");
        };
    }

    /** An offer's or answer's SDP: it must name its ICE credentials ({@code a=ice-ufrag}), which candidates are matched by. */
    private static String describedSdp(JsonFields m) throws ProtocolException {
        String sdp = m.text("sdp");
        if (dev.duet.core.internal.Sdp.iceUfrag(sdp).isEmpty()) {
            throw new ProtocolException(ProtocolError.INVALID_VALUE, m.path() + ".sdp has no a=ice-ufrag line;"
                    + " an offer or answer must carry its ICE username fragment");
        }
        return sdp;
    }

    private Epoch epoch(JsonFields m) throws ProtocolException {
        List<String> ids = m.texts("epoch", 2);
        if (ids.size() != 2) {
            throw new ProtocolException(ProtocolError.INVALID_VALUE, m.path() + ".epoch must hold two connection ids");
        }
        return Epoch.of(new ConnectionId(ids.get(0)), new ConnectionId(ids.get(1)));
    }

    private static Frame.Resume resume(JsonFields r) throws ProtocolException {
        return new Frame.Resume(r.text("incarnation"), new ConnectionId(r.text("connection")), r.instant("arrivedAt"));
    }

    private Member member(JsonFields m) throws ProtocolException {
        return new Member(new ParticipantId(m.text("participant")), Role.fromCode(m.text("role")),
                new ConnectionId(m.text("connection")), m.instant("arrivedAt"));
    }

    private static MediaDirection direction(JsonFields s) throws ProtocolException {
        String code = s.text("direction");
        for (MediaDirection d : MediaDirection.values()) {
            if (d.code().equals(code)) {
                return d;
            }
        }
        throw new ProtocolException(ProtocolError.INVALID_VALUE, s.path() + ".direction must be inbound or outbound");
    }

    private static MediaKind kind(JsonFields s) throws ProtocolException {
        String code = s.text("kind");
        for (MediaKind k : MediaKind.values()) {
            if (k.code().equals(code)) {
                return k;
            }
        }
        throw new ProtocolException(ProtocolError.INVALID_VALUE, s.path() + ".kind must be audio or video");
    }

    private static ProtocolError errorCode(JsonFields f) throws ProtocolException {
        try {
            return ProtocolError.fromCode(f.text("code"));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ProtocolError.INVALID_VALUE, "code is not a known error code");
        }
    }

    // ================================================================== encoding

    public String encode(Frame frame) {
        ObjectNode o = nodes.objectNode();
        o.put("v", VERSION);
        o.put("type", typeOf(frame));
        if (frame instanceof Frame.Join j) {
            o.put("ticket", j.ticket()).put("clientId", j.clientId()).put("lastDelivered", j.lastDelivered());
            j.resume().ifPresent(r -> o.putObject("resume").put("incarnation", r.incarnation())
                    .put("connection", r.connection().value()).put("arrivedAt", instant(r.arrivedAt())));
        } else if (frame instanceof Frame.Send s) {
            o.put("seq", s.seq()).set("msg", encode(s.message()));
        } else if (frame instanceof Frame.Ack a) {
            o.put("dseq", a.dseq());
        } else if (frame instanceof Frame.Leave l) {
            o.put("reason", l.reason());
            if (l.hangUp()) {
                o.put("hangUp", true);
            }
        } else if (frame instanceof Frame.JoinAccepted j) {
            o.put("session", j.session().value());
            o.set("self", encode(j.self()));
            o.set("peer", j.peer().map(this::encode).map(JsonNode.class::cast).orElse(nodes.nullNode()));
            o.put("lastAcceptedSeq", j.lastAcceptedSeq());
            o.put("incarnation", j.incarnation());
        } else if (frame instanceof Frame.PeerJoined p) {
            o.set("peer", encode(p.peer()));
            if (p.newClient()) {
                o.put("newClient", true);
            }
        } else if (frame instanceof Frame.PeerLeft p) {
            o.put("participant", p.participant().value()).put("connection", p.connection().value())
                    .put("leftAt", instant(p.leftAt())).put("reason", p.reason().code());
        } else if (frame instanceof Frame.Deliver d) {
            o.put("dseq", d.dseq()).put("from", d.from().value()).put("relayedAt", instant(d.relayedAt()));
            o.set("msg", encode(d.message()));
        } else if (frame instanceof Frame.Accepted a) {
            o.put("seq", a.seq());
        } else if (frame instanceof Frame.Error e) {
            o.put("code", e.code().code()).put("message", e.message());
            e.seq().ifPresent(seq -> o.put("seq", seq));
        } else if (frame instanceof Frame.Ping p) {
            o.put("id", p.id());
        } else if (frame instanceof Frame.Pong p) {
            o.put("id", p.id());
        } else if (frame instanceof Frame.Refused r) {
            o.put("code", r.code()).put("name", r.name()).put("message", r.message());
            r.opensAt().ifPresent(t -> o.put("opensAt", instant(t)));
        }
        try {
            return mapper.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    private ObjectNode encode(Member m) {
        return nodes.objectNode().put("participant", m.participant().value()).put("role", m.role().code())
                .put("connection", m.connection().value()).put("arrivedAt", instant(m.arrivedAt()));
    }

    private ObjectNode encode(PeerMessage message) {
        ObjectNode o = nodes.objectNode();
        if (message instanceof PeerMessage.Negotiation n) {
            Signal s = n.signal();
            if (s instanceof Signal.Ready r) {
                o.put("type", "ready").set("epoch", epoch(r.epoch()));
            } else if (s instanceof Signal.Offer offer) {
                o.put("type", "offer").set("epoch", epoch(offer.epoch()));
                o.put("offerId", offer.offerId()).put("sdp", offer.sdp());
            } else if (s instanceof Signal.Answer answer) {
                o.put("type", "answer").set("epoch", epoch(answer.epoch()));
                o.put("offerId", answer.offerId()).put("sdp", answer.sdp());
            } else if (s instanceof Signal.Candidates c) {
                o.put("type", "candidates").set("epoch", epoch(c.epoch()));
                o.put("ufrag", c.ufrag());
                ArrayNode list = o.putArray("candidates");
                for (IceCandidate candidate : c.candidates()) {
                    ObjectNode entry = list.addObject().put("candidate", candidate.candidate());
                    if (candidate.sdpMid() != null) {
                        entry.put("sdpMid", candidate.sdpMid());
                    } else {
                        entry.putNull("sdpMid");
                    }
                    if (candidate.sdpMLineIndex() != null) {
                        entry.put("sdpMLineIndex", candidate.sdpMLineIndex().intValue());
                    } else {
                        entry.putNull("sdpMLineIndex");
                    }
                }
            } else if (s instanceof Signal.Bye b) {
                o.put("type", "bye").set("epoch", epoch(b.epoch()));
                o.put("reason", b.reason());
            }
        } else if (message instanceof ChatMessage chat) {
            o.put("type", "chat").put("text", chat.text());
        } else if (message instanceof MediaReport report) {
            o.put("type", "media-report");
            report.epoch().ifPresent(e -> o.set("epoch", epoch(e)));
            o.put("sampledAt", instant(report.sampledAt())).put("relayed", report.relayed());
            report.interval().ifPresent(i -> o.put("intervalMs", i.toMillis()));
            ArrayNode streams = o.putArray("streams");
            for (StreamReport s : report.streams()) {
                ObjectNode so = streams.addObject().put("direction", s.direction().code()).put("kind", s.kind().code())
                        .put("flowing", s.flowing()).put("bitrateKbps", s.bitrateKbps()).put("lossRatio", s.lossRatio());
                s.jitterMs().ifPresent(v -> so.put("jitterMs", v));
                s.roundTripMs().ifPresent(v -> so.put("roundTripMs", v));
                s.framesPerSecond().ifPresent(v -> so.put("framesPerSecond", v));
                s.width().ifPresent(v -> so.put("width", v));
                s.height().ifPresent(v -> so.put("height", v));
            }
        }
        return o;
    }

    /** ISO-8601 UTC with exactly three fraction digits; finer precision is truncated. */
    private static String instant(Instant t) {
        return INSTANT.format(t);
    }

    private static DepartureReason departureReason(JsonFields f) throws ProtocolException {
        String code = f.text("reason");
        return DepartureReason.of(code).orElseThrow(() -> new ProtocolException(ProtocolError.INVALID_VALUE,
                "reason " + quote(code) + " is not a departure reason; expected one of hung-up, peer-hung-up, left, "
                        + "connection-lost, replaced, idle, session-closed"));
    }

    private ArrayNode epoch(Epoch epoch) {
        return nodes.arrayNode().add(epoch.first().value()).add(epoch.second().value());
    }

    private static String typeOf(Frame frame) {
        if (frame instanceof Frame.Join) {
            return "join";
        } else if (frame instanceof Frame.Send) {
            return "send";
        } else if (frame instanceof Frame.Ack) {
            return "ack";
        } else if (frame instanceof Frame.Leave) {
            return "leave";
        } else if (frame instanceof Frame.JoinAccepted) {
            return "joined";
        } else if (frame instanceof Frame.PeerJoined) {
            return "peer-joined";
        } else if (frame instanceof Frame.PeerLeft) {
            return "peer-left";
        } else if (frame instanceof Frame.Deliver) {
            return "deliver";
        } else if (frame instanceof Frame.Accepted) {
            return "accepted";
        } else if (frame instanceof Frame.Ping) {
            return "ping";
        } else if (frame instanceof Frame.Pong) {
            return "pong";
        } else if (frame instanceof Frame.Refused) {
            return "refused";
        } else {
            return "error";
        }
    }

    private static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
            if (bytes > 10 * MAX_FRAME_BYTES) {
                return bytes;
            }
        }
        return bytes;
    }

    private static String quote(String s) {
        return dev.duet.core.internal.Checks.quoteForMessage(s);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 120 ? line.substring(0, 120) + "..." : line;
    }
}
