package dev.duet.signaling.client.wire;

import dev.duet.core.MediaKind;
import dev.duet.core.MediaDirection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.ParticipantId;
import dev.duet.core.Role;
import dev.duet.core.SessionId;
import dev.duet.core.ConnectionId;
import dev.duet.core.Epoch;
import dev.duet.core.negotiation.IceCandidate;
import dev.duet.core.negotiation.Signal;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.StreamReport;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Random;
import dev.duet.signaling.client.testkit.Malformed;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private static final Epoch EPOCH = Epoch.of(ConnectionId.of("c-1"), ConnectionId.of("c-2"));
    private static final Instant T = Instant.parse("2026-11-24T10:01:00.123Z");
    private final FrameCodec codec = new FrameCodec();

    @Test
    void everyFrameAndMessageSurvivesARoundTrip() throws Exception {
        Member expert = new Member(ParticipantId.of("expert-ada"), Role.EXPERT, ConnectionId.of("c-1"), T);
        List<Frame> frames = List.of(
                new Frame.Join("duet1.x.y", "client-0001", 3),
                new Frame.Join("duet1.x.y", "client-0001", 57, Optional.of(new Frame.Resume("i-3k9", ConnectionId.of("c-1"), T))),
                new Frame.Ack(9),
                new Frame.Leave("bye"),
                new Frame.Leave("lesson over", true),
                new Frame.JoinAccepted(SessionId.of("s-42"), expert, Optional.empty(), 4, "i-3k9"),
                new Frame.PeerJoined(expert),
                new Frame.PeerLeft(ParticipantId.of("expert-ada"), ConnectionId.of("c-1"), T,
                        dev.duet.core.DepartureReason.HUNG_UP),
                new Frame.PeerLeft(ParticipantId.of("expert-ada"), ConnectionId.of("c-1"), T,
                        dev.duet.core.DepartureReason.CONNECTION_LOST),
                new Frame.Accepted(12),
                new Frame.Error(ProtocolError.WRONG_TYPE, "seq must be an integer", Optional.of(3L)),
                new Frame.Error(ProtocolError.MALFORMED_JSON, "nope", Optional.empty()),
                send(new PeerMessage.Negotiation(new Signal.Ready(EPOCH))),
                send(new PeerMessage.Negotiation(new Signal.Offer(EPOCH, 2, "v=0\r\na=ice-ufrag:ab\r\n"))),
                send(new PeerMessage.Negotiation(new Signal.Answer(EPOCH, 2, "v=0\r\na=ice-ufrag:cd\r\n"))),
                send(new PeerMessage.Negotiation(new Signal.Candidates(EPOCH, "ab",
                        List.of(new IceCandidate("0", 0, "candidate:1 1 udp 1 10.77.0.1 5000 typ host"))))),
                send(new PeerMessage.Negotiation(new Signal.Bye(EPOCH, ""))),
                send(new ChatMessage("héllo ✓ \uD83D\uDE00\nsecond line")),
                send(new MediaReport(EPOCH, T, true, List.of(
                        new StreamReport(MediaDirection.INBOUND, MediaKind.VIDEO, true, 800.5, 0.02,
                                OptionalDouble.of(4), OptionalDouble.of(30), OptionalDouble.of(29.97), OptionalInt.of(640),
                                OptionalInt.of(360)),
                        StreamReport.of(MediaDirection.OUTBOUND, MediaKind.AUDIO, false, 0)))),
                new Frame.Deliver(5, ParticipantId.of("learner-bo"), T, new ChatMessage("hi")),
                new Frame.Ping(0),
                new Frame.Ping(41),
                new Frame.Pong(41),
                new Frame.Refused(4425, "too-early", "ticket is valid from 2026-11-24T09:50:00Z", Optional.of(T)),
                new Frame.Refused(4401, "ticket-invalid", "bad signature", Optional.empty()),
                send(new PeerMessage.Negotiation(new Signal.Candidates(EPOCH, "ab", List.of(
                        new IceCandidate(null, 0, "candidate:1 1 udp 1 10.77.0.1 5000 typ host"),
                        new IceCandidate("0", null, "candidate:2 1 udp 1 10.77.0.1 5001 typ host"))))),
                send(new MediaReport(Optional.empty(), T, false, List.of(
                        StreamReport.of(MediaDirection.OUTBOUND, MediaKind.AUDIO, true, 32)))),
                send(new MediaReport(EPOCH, T, false, List.of(StreamReport.of(MediaDirection.INBOUND, MediaKind.AUDIO, true, 32)))
                        .withInterval(java.time.Duration.ofMillis(3012))));
        for (Frame frame : frames) {
            assertThat(codec.decode(codec.encode(frame))).as("%s", frame).isEqualTo(frame);
        }
    }

    @Test
    void eachKindOfBadFrameGetsItsTypedErrorNamingTheField() {
        assertError("{\"v\":1,\"type\":\"send\",\"seq\":1", ProtocolError.MALFORMED_JSON, "not valid JSON");
        assertError("[1,2]", ProtocolError.NOT_AN_OBJECT, "must be a JSON object");
        assertError("", ProtocolError.MALFORMED_JSON, "empty");
        assertError("{\"type\":\"ack\",\"dseq\":1}", ProtocolError.UNSUPPORTED_VERSION, "v must be 1, but is missing");
        assertError("{\"v\":2,\"type\":\"ack\",\"dseq\":1}", ProtocolError.UNSUPPORTED_VERSION, "v must be 1, but is 2");
        assertError("{\"v\":1,\"type\":\"shout\"}", ProtocolError.UNKNOWN_TYPE, "type \"shout\" is not a frame type");
        assertError("{\"v\":1,\"type\":\"send\",\"seq\":1,\"msg\":{\"type\":\"poke\"}}", ProtocolError.UNKNOWN_TYPE,
                "msg.type \"poke\" is not a message type");
        assertError("{\"v\":1,\"type\":\"ack\"}", ProtocolError.MISSING_FIELD, "dseq is missing");
        assertError("{\"v\":1,\"type\":\"ack\",\"dseq\":null}", ProtocolError.MISSING_FIELD, "dseq is missing");
        assertError("{\"v\":1,\"type\":\"ack\",\"dseq\":\"7\"}", ProtocolError.WRONG_TYPE, "dseq must be an integer, but is a string");
        assertError("{\"v\":1,\"type\":\"ack\",\"dseq\":1.5}", ProtocolError.WRONG_TYPE, "dseq must be an integer, but is a number");
        assertError("{\"v\":1,\"type\":\"ack\",\"dseq\":0}", ProtocolError.INVALID_VALUE, "ack.dseq must be 1 or more");
        assertError("{\"v\":1,\"type\":\"send\",\"seq\":4,\"msg\":{\"type\":\"offer\",\"epoch\":[\"c-1\",\"c-2\"],\"offerId\":1}}",
                ProtocolError.MISSING_FIELD, "msg.sdp is missing");
        assertError("{\"v\":1,\"type\":\"send\",\"seq\":4,\"msg\":{\"type\":\"ready\",\"epoch\":[\"c-1\"]}}",
                ProtocolError.INVALID_VALUE, "msg.epoch must hold two connection ids");
        assertError("{\"v\":1,\"type\":\"send\",\"seq\":4,\"msg\":{\"type\":\"ready\",\"epoch\":[\"c-1\",\"c 2\"]}}",
                ProtocolError.INVALID_VALUE, "connectionId must be 1 to 64 characters");
        assertError("{\"v\":1,\"type\":\"send\",\"seq\":4,\"msg\":{\"type\":\"chat\",\"text\":\"\\u0007\"}}",
                ProtocolError.INVALID_VALUE, "chat.text must not contain control characters");
        assertError("{\"v\":1,\"type\":\"send\",\"seq\":4,\"msg\":{\"type\":\"chat\",\"text\":\"hi \\ud800\"}}",
                ProtocolError.INVALID_VALUE, "chat.text must be well-formed Unicode, but has a lone surrogate U+D800");
        assertError("{\"v\":1,\"type\":\"send\",\"seq\":4,\"msg\":{\"type\":\"offer\",\"epoch\":[\"c-1\",\"c-2\"],"
                + "\"offerId\":1,\"sdp\":\"v=0\\r\\n\"}}", ProtocolError.INVALID_VALUE, "msg.sdp has no a=ice-ufrag line");
        String report = "{\"v\":1,\"type\":\"send\",\"seq\":4,\"msg\":{\"type\":\"media-report\",\"sampledAt\":"
                + "\"2026-11-24T10:00:00Z\",\"relayed\":false,\"streams\":[{\"direction\":\"inbound\",\"kind\":\"audio\","
                + "\"flowing\":true,\"bitrateKbps\":32,\"lossRatio\":0}],\"intervalMs\":";
        assertError(report + "0}}", ProtocolError.INVALID_VALUE, "msg.intervalMs must be 1 to 60000");
        assertError(report + "60001}}", ProtocolError.INVALID_VALUE, "msg.intervalMs must be 1 to 60000");
        assertError("{\"v\":1,\"v\":1,\"type\":\"ack\",\"dseq\":1}", ProtocolError.MALFORMED_JSON, "Duplicate field");
        assertError("{\"v\":1,\"type\":\"ack\",\"dseq\":1,\"x\":" + "[".repeat(40) + "]".repeat(40) + "}",
                ProtocolError.MALFORMED_JSON, "not valid JSON");
        assertError("{\"v\":1,\"type\":\"leave\",\"reason\":\"" + "x".repeat(70_000) + "\"}", ProtocolError.TOO_LARGE,
                "at most 65536 are accepted");
        assertError("{\"v\":1,\"type\":\"leave\",\"reason\":\"" + "é".repeat(33_000) + "\"}", ProtocolError.TOO_LARGE,
                "66"); // 66,0xx bytes of UTF-8 although under 65,536 characters
    }

    @Test
    void candidatesMayLackAMidOrAnIndexButNotBothAndCarryOneIceGeneration() throws Exception {
        String base = "{\"v\":1,\"type\":\"send\",\"seq\":1,\"msg\":{\"type\":\"candidates\",\"epoch\":[\"c-1\",\"c-2\"],"
                + "\"ufrag\":\"Lx8t\",\"candidates\":[";
        Frame.Send ok = (Frame.Send) codec.decode(base + "{\"candidate\":\"candidate:1 1 udp 1 10.77.0.1 5 typ host\","
                + "\"sdpMid\":null,\"sdpMLineIndex\":0,\"usernameFragment\":\"Lx8t\"}]}}");
        Signal.Candidates c = (Signal.Candidates) ((PeerMessage.Negotiation) ok.message()).signal();
        assertThat(c.candidates().get(0).sdpMid()).isNull();
        assertThat(c.candidates().get(0).sdpMLineIndex()).isZero();
        assertError(base + "{\"candidate\":\"candidate:1 1 udp 1 10.77.0.1 5 typ host\",\"sdpMid\":null,"
                + "\"sdpMLineIndex\":null}]}}", ProtocolError.MISSING_FIELD, "needs sdpMid or sdpMLineIndex");
        assertError(base + "{\"candidate\":\"candidate:1 1 udp 1 10.77.0.1 5 typ host\",\"sdpMid\":\"0\","
                + "\"usernameFragment\":\"Zz9q\"}]}}", ProtocolError.INVALID_VALUE, "usernameFragment must be the message's ufrag");
    }

    @Test
    void aClientMayNotSendRelayFramesNorTheRelayClientFrames() throws Exception {
        String accepted = codec.encode(new Frame.Accepted(1));
        assertThatThrownBy(() -> codec.decodeClientFrame(accepted))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.UNEXPECTED_FRAME));
        assertThatThrownBy(() -> codec.decodeRelayFrame(codec.encode(new Frame.Ack(1))))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.UNEXPECTED_FRAME));
        assertThat(codec.decodeClientFrame(codec.encode(new Frame.Ack(1)))).isEqualTo(new Frame.Ack(1));
    }

    @Test
    void theTicketNeverAppearsInAJoinFramesText() {
        assertThat(new Frame.Join("duet1.secret.sig", "client-0001", 0).toString()).doesNotContain("duet1.secret.sig");
    }

    @Test
    void seededFuzzedFramesAllGetTypedErrorsOrSurviveARoundTrip() {
        long seed = Long.getLong("duet.fuzz.seed", 20261124);
        int inputs = Malformed.inputs(5_000);
        Random random = new Random(seed);
        List<String> valid = List.of(codec.encode(new Frame.Ack(3)),
                codec.encode(send(new ChatMessage("hello there"))),
                codec.encode(send(new PeerMessage.Negotiation(new Signal.Offer(EPOCH, 1, "v=0\r\na=ice-ufrag:ab\r\n")))),
                codec.encode(new Frame.Join("duet1.x.y", "client-0001", 57, java.util.Optional.of(new Frame.Resume("i-3k9",
                        ConnectionId.of("c-1"), T)))),
                codec.encode(new Frame.Leave("lesson over", true)), codec.encode(new Frame.Ping(7)));
        System.out.println("FrameCodec fuzz: " + inputs + " inputs, seed " + seed);
        for (int i = 0; i < inputs; i++) {
            String bad = Malformed.mutate(random, valid);
            try {
                Frame decoded = codec.decode(bad);
                // a mutation may by chance still be a valid frame; then it must survive a round trip
                assertThat(codec.decode(codec.encode(decoded))).isEqualTo(decoded);
            } catch (ProtocolException e) {
                assertThat(e.error()).isNotNull();
                assertThat(e.getMessage()).startsWith(e.error().code() + ": ");
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ", frame " + i + " threw " + e + " for: "
                        + bad.substring(0, Math.min(200, bad.length())), e);
            }
        }
    }

    private static Frame.Send send(PeerMessage message) {
        return new Frame.Send(1, message);
    }

    private void assertError(String text, ProtocolError expected, String messagePart) {
        assertThatThrownBy(() -> codec.decode(text))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.error()).isEqualTo(expected))
                .hasMessageContaining(messagePart);
    }
}
