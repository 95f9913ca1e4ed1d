package dev.duet.signaling.client.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.duet.core.ConnectionId;
import dev.duet.core.Epoch;
import dev.duet.core.ParticipantId;
import dev.duet.core.negotiation.Signal;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.PeerMessage;
import java.time.Instant;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The relay's codec work per forwarded message: decoding the client's {@code send} frame and
 * encoding the {@code deliver} frame, for a 100-byte chat line and a 5 KB offer. Next to it, plain
 * Jackson databind doing the same with records that mirror the JSON (no validation, unknown
 * fields ignored): what a codec that only maps would cost. Only compiled and run with
 * {@code -Pbench} (docs/benchmarks.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
public class CodecBenchmark {
    private static final Epoch EPOCH = Epoch.of(ConnectionId.of("c1"), ConnectionId.of("c2"));
    private static final Instant AT = Instant.parse("2026-11-24T10:00:00.123Z");

    @Param({"chat", "offer"})
    public String message;

    private final FrameCodec codec = new FrameCodec();
    private final ObjectMapper mapper = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();
    private String sendText;
    private Frame.Deliver deliver;
    private WireDeliver wireDeliver;

    /** For JMH, which instantiates the state. */
    public CodecBenchmark() {}

    @Setup
    public void frames() throws Exception {
        PeerMessage payload = message.equals("chat") ? new ChatMessage("x".repeat(100))
                : new PeerMessage.Negotiation(new Signal.Offer(EPOCH, 1, sdpOfAbout5Kb()));
        sendText = codec.encode(new Frame.Send(7, payload));
        deliver = new Frame.Deliver(5, ParticipantId.of("learner-bo"), AT, payload);
        WireSend mapped = mapper.readValue(sendText, WireSend.class);
        wireDeliver = new WireDeliver(1, "deliver", 5, "learner-bo", "2026-11-24T10:00:00.123Z", mapped.msg());
        if (!mapper.readTree(mapper.writeValueAsString(wireDeliver)).equals(mapper.readTree(codec.encode(deliver)))) {
            throw new IllegalStateException("the databind baseline does not write the codec's JSON: "
                    + mapper.writeValueAsString(wireDeliver) + " vs " + codec.encode(deliver));
        }
    }

    @Benchmark
    public Frame decodeSend() throws ProtocolException {
        return codec.decodeClientFrame(sendText);
    }

    @Benchmark
    public WireSend decodeSendDatabindBaseline() throws Exception {
        return mapper.readValue(sendText, WireSend.class);
    }

    @Benchmark
    public String encodeDeliver() {
        return codec.encode(deliver);
    }

    @Benchmark
    public String encodeDeliverDatabindBaseline() throws Exception {
        return mapper.writeValueAsString(wireDeliver);
    }

    /** A send frame as plain databind sees it. */
    public record WireSend(int v, String type, long seq, WireMessage msg) {}

    /** A deliver frame as plain databind writes it. */
    public record WireDeliver(int v, String type, long dseq, String from, String relayedAt, WireMessage msg) {}

    /** A chat line or an offer as plain databind sees it. */
    public record WireMessage(String type, String text, List<String> epoch, Long offerId, String sdp) {}

    private static String sdpOfAbout5Kb() {
        StringBuilder sdp = new StringBuilder("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                + "a=group:BUNDLE 0 1\r\na=ice-ufrag:Xk3e\r\na=ice-pwd:8Lq2c0b1vQ3lFf1W9hZsxY4t\r\n");
        for (int pt = 96; sdp.length() < 5_000; pt++) {
            sdp.append("a=rtpmap:").append(pt).append(" VP8/90000\r\na=rtcp-fb:").append(pt).append(" nack pli\r\na=fmtp:")
                    .append(pt).append(" level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n");
        }
        return sdp.toString();
    }
}
