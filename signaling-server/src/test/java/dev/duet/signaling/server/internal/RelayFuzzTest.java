package dev.duet.signaling.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.Booking;
import dev.duet.core.ConnectionId;
import dev.duet.core.Epoch;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import dev.duet.core.negotiation.Signal;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.StreamReport;
import dev.duet.signaling.client.testkit.Malformed;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.client.wire.ProtocolException;
import dev.duet.signaling.server.RelayEventSink;
import dev.duet.signaling.server.RelayLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the relay's frame handler with seeded mutations of valid frames (5,000 inputs in the normal
 * run, {@code -Pfuzz}: 100,000), fed to a joined connection whose peer is joined too, no sockets in
 * between. For every input: no exception escapes (that would close with 1011); an input the codec
 * refuses gets exactly one {@code error} frame with a typed code, and changes nothing (the next
 * accepted seq, the peer's deliveries); an input the codec accepts is handled like any valid frame.
 * A failure names the seed and the input.
 */
class RelayFuzzTest {
    private static final FrameCodec CODEC = new FrameCodec();
    private static final SessionId SESSION = SessionId.of("s-fuzz");
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final Epoch EPOCH = Epoch.of(ConnectionId.of("c-1"), ConnectionId.of("c-2"));
    private final AtomicLong ticks = new AtomicLong(1_000_000_000L);
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor();
    private RelayNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        sweeper.shutdownNow();
    }

    /** What the relay did to one connection: frames sent to it, closes. */
    private static final class Recorded implements Outbound {
        final List<String> frames = new ArrayList<>();
        final List<Integer> closes = new ArrayList<>();

        @Override
        public synchronized void send(String text) {
            frames.add(text);
        }

        @Override
        public void ping() {}

        @Override
        public synchronized void close(int code, String reason) {
            closes.add(code);
        }

        @Override
        public String describe() {
            return "fuzz";
        }
    }

    private record Pair(ConnectionHandler expert, Recorded expertOut, Recorded learnerOut) {}

    /** Both participants joined (again, after a leave: the same client instances, so they replace their old connections). */
    private Pair joinedPair(TicketKey key, Booking booking) {
        JoinTicketIssuer issuer = new JoinTicketIssuer(key, Duration.ofHours(1));
        Recorded expertOut = new Recorded();
        Recorded learnerOut = new Recorded();
        ConnectionHandler expert = node.open(SESSION, expertOut);
        ConnectionHandler learner = node.open(SESSION, learnerOut);
        expert.onText(CODEC.encode(new Frame.Join(issuer.issue(booking, ParticipantId.of("expert-ada"), NOW),
                "expert-fuzz-client", 0)));
        learner.onText(CODEC.encode(new Frame.Join(issuer.issue(booking, ParticipantId.of("learner-bo"), NOW),
                "learner-fuzz-client", 0)));
        assertThat(expertOut.closes).isEmpty();
        assertThat(learnerOut.closes).isEmpty();
        return new Pair(expert, expertOut, learnerOut);
    }

    @Test
    void seededFuzzedFramesNeverEscapeAndARejectedFrameIsATypedErrorThatChangesNothing() throws Exception {
        long seed = Long.getLong("duet.fuzz.seed", 20261130L);
        int inputs = Malformed.inputs(5_000);
        TicketKey key = TicketKey.of("k1", new byte[32]);
        Booking booking = new Booking(SESSION, Participant.expert("expert-ada", "Ada"), Participant.learner("learner-bo", "Bo"),
                NOW, Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
        MemorySessionStore store = new MemorySessionStore(1_000_000);
        RelayLimits limits = RelayLimits.defaults().withMessagesPerSecond(10_000).withBurst(100_000).withJoinsPerMinute(10_000);
        node = new RelayNode(new JoinTicketVerifier(List.of(key), Duration.ofSeconds(30)), Clock.fixed(NOW, ZoneOffset.UTC),
                ticks::get, limits, RelayEventSink.none(), sweeper, store);
        int round = 0;
        Pair pair = joinedPair(key, booking);
        Random random = new Random(seed);
        int rejected = 0;
        int handled = 0;
        System.out.println("relay frame handler fuzz: " + inputs + " inputs, seed " + seed);
        for (int i = 0; i < inputs; i++) {
            ticks.addAndGet(1_000_000); // 1 ms apart: far below the rate limit
            long nextSeq = store.nextSeq(SESSION, pair.expert().member()).orElseThrow();
            List<String> valid = validFrames(nextSeq);
            String input = Malformed.mutate(random, valid);
            int framesBefore = pair.expertOut().frames.size();
            int peerBefore = pair.learnerOut().frames.size();
            boolean codecRefuses;
            try {
                CODEC.decodeClientFrame(input);
                codecRefuses = false;
            } catch (ProtocolException e) {
                codecRefuses = true;
            }
            pair.expert().onText(input);
            String where = "seed " + seed + ", input " + i + ": " + input.substring(0, Math.min(300, input.length()));
            assertThat(pair.expertOut().closes).as("no close (1011 would be an escaped exception); %s", where)
                    .allMatch(code -> code == 1000); // a mutation that is still a valid leave
            List<String> replies = pair.expertOut().frames.subList(framesBefore, pair.expertOut().frames.size());
            if (codecRefuses) {
                rejected++;
                assertThat(replies).as("exactly one reply to a refused frame; %s", where).hasSize(1);
                Frame reply = CODEC.decodeRelayFrame(replies.get(0));
                assertThat(reply).as("a typed error; %s", where).isInstanceOf(Frame.Error.class);
                assertThat(((Frame.Error) reply).code()).isNotNull();
                assertThat(store.nextSeq(SESSION, pair.expert().member())).as("nothing accepted; %s", where).hasValue(nextSeq);
                assertThat(pair.learnerOut().frames).as("nothing reached the peer; %s", where).hasSize(peerBefore);
            } else {
                handled++;
            }
            if (!pair.expertOut().closes.isEmpty()) { // a valid leave by chance: the next round joins again
                round++;
                pair = joinedPair(key, booking);
            }
        }
        System.out.println("relay frame handler fuzz: " + rejected + " refused with typed errors, " + handled
                + " valid by chance and handled, " + round + " rejoins after a valid leave");
        assertThat(rejected).as("most mutations are refused").isGreaterThan(inputs / 2);
    }

    /** Valid frames a client could send now: the mutator's raw material. */
    private static List<String> validFrames(long nextSeq) {
        List<String> out = new ArrayList<>();
        for (PeerMessage m : List.<PeerMessage>of(new ChatMessage("hello there"),
                new PeerMessage.Negotiation(new Signal.Offer(EPOCH, 1, "v=0\r\na=ice-ufrag:ab\r\n")),
                new PeerMessage.Negotiation(new Signal.Ready(EPOCH)),
                new MediaReport(EPOCH, NOW, false, List.of(new StreamReport(MediaDirection.INBOUND, MediaKind.AUDIO, true, 32,
                        0.01, OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), OptionalInt.empty(),
                        OptionalInt.empty()))))) {
            out.add(CODEC.encode(new Frame.Send(nextSeq, m)));
        }
        out.add(CODEC.encode(new Frame.Ack(1)));
        out.add(CODEC.encode(new Frame.Ping(3)));
        out.add(CODEC.encode(new Frame.Leave("done")));
        out.add(CODEC.encode(new Frame.Join("duet1.x.y", "client-0001", 0, Optional.empty())));
        return out;
    }
}
