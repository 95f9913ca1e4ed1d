package dev.duet.signaling.client.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.ConnectionId;
import dev.duet.core.ParticipantId;
import dev.duet.core.Role;
import dev.duet.core.SessionId;
import dev.duet.signaling.client.Backoff;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.SignalingListener;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.client.wire.ProtocolError;
import dev.duet.signaling.client.wire.Wire;
import dev.duet.testing.ManualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RelayTransport} on its own: a fake wire the test answers frame by frame, and the transport's
 * loop on a {@link ManualScheduler}, so that acknowledgement coalescing, pacing, going back after a
 * refused send and reconnecting are seen at the exact virtual moment they happen.
 */
class RelayTransportUnitTest {
    private static final FrameCodec CODEC = new FrameCodec();
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Member SELF = new Member(ParticipantId.of("learner-bo"), Role.LEARNER, ConnectionId.of("c-1"), T0);
    private static final Member PEER = new Member(ParticipantId.of("expert-ada"), Role.EXPERT, ConnectionId.of("c-2"), T0);

    private final ManualScheduler time = new ManualScheduler(T0);
    private final List<FakeWire> wires = new ArrayList<>();
    private final List<String> disconnects = new ArrayList<>();
    private RelayTransport transport;

    /** One connection as the relay's end sees it: what the client sent, and a way to answer. */
    private final class FakeWire implements Wire {
        final Wire.Listener client;
        final List<Frame> sent = new ArrayList<>();
        boolean closed;

        FakeWire(Wire.Listener client) {
            this.client = client;
        }

        @Override
        public void send(String text) {
            try {
                sent.add(CODEC.decode(text));
            } catch (Exception e) {
                throw new AssertionError("the transport sent a frame that does not decode: " + text, e);
            }
        }

        @Override
        public void close(int code, String reason) {
            closed = true;
        }

        @Override
        public void cancel() {
            closed = true;
        }

        void answer(Frame frame) {
            client.onText(CODEC.encode(frame));
            time.advance(Duration.ZERO);
        }

        <T extends Frame> List<T> sent(Class<T> type) {
            return sent.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    @BeforeEach
    void joined() throws Exception {
        Wire.Connector connector = listener -> wires.add(new FakeWire(listener));
        transport = new RelayTransport(connector, TicketSource.of("duet1.x.y"), Runnable::run,
                new Backoff(Duration.ofMillis(500), Duration.ofMillis(500), new Random(7)), Duration.ofSeconds(30),
                "the fake relay", time, time::nanoTime);
        CompletableFuture<?> join = transport.join(new SignalingListener() {
            @Override
            public void onDisconnected(String reason) {
                disconnects.add(reason);
            }
        });
        time.advance(Duration.ZERO);
        open(wire(), 0);
        assertThat(join).isCompleted();
    }

    @AfterEach
    void close() {
        transport.close();
        time.advance(Duration.ZERO);
        time.shutdownNow();
    }

    private FakeWire wire() {
        return wires.get(wires.size() - 1);
    }

    private void open(FakeWire wire, long lastAcceptedSeq) {
        wire.client.onOpen(wire);
        time.advance(Duration.ZERO);
        assertThat(wire.sent.get(0)).isInstanceOf(Frame.Join.class);
        wire.answer(new Frame.JoinAccepted(SessionId.of("s-42"), SELF, Optional.of(PEER), lastAcceptedSeq, "i-first"));
    }

    private List<CompletableFuture<Void>> send(int n) {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            futures.add(transport.send(new ChatMessage("m" + i)));
        }
        time.advance(Duration.ZERO);
        return futures;
    }

    @Test
    void severalRelayAddressesMustNameOneSessionAndTheListIsChecked() {
        java.util.concurrent.Executor run = Runnable::run;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RelayTransport.webSocket(List.of(), TicketSource.of("t"), run,
                Duration.ofSeconds(5))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one relay address");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RelayTransport.webSocket(List.of(
                java.net.URI.create("ws://a.example.test/v1/sessions/s-1"), java.net.URI.create("ws://b.example.test/v1/sessions/s-2")),
                TicketSource.of("t"), run, Duration.ofSeconds(5))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must all name one session");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RelayTransport.webSocket(List.of(
                java.net.URI.create("http://a.example.test/v1/sessions/s-1")), TicketSource.of("t"), run, Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ws:// or wss://");
    }

    @Test
    void theFailoverConnectorMovesOnOnlyWhenAWireFailsBeforeItOpened() {
        List<String> tried = new ArrayList<>();
        List<Wire.Listener> pending = new ArrayList<>();
        Wire.Connector a = l -> { tried.add("a"); pending.add(l); };
        Wire.Connector b = l -> { tried.add("b"); pending.add(l); };
        dev.duet.signaling.client.internal.FailoverConnector failover =
                new dev.duet.signaling.client.internal.FailoverConnector(List.of(a, b));
        Wire.Listener ignore = new Wire.Listener() {
            @Override public void onOpen(Wire wire) {}
            @Override public void onText(String text) {}
            @Override public void onClosed(int code, String reason) {}
            @Override public void onFailure(Throwable cause) {}
        };
        failover.connect(ignore);
        pending.get(0).onOpen(null);
        pending.get(0).onClosed(1006, "dropped after it opened"); // stays with a
        failover.connect(ignore);
        pending.get(1).onFailure(new java.io.IOException("refused")); // a is down: next is b
        failover.connect(ignore);
        pending.get(2).onFailure(new java.io.IOException("refused")); // b too: round to a
        failover.connect(ignore);
        assertThat(tried).containsExactly("a", "a", "b", "a");
    }

    @Test
    void deliveriesAreAcknowledgedOnceCumulativelyAfterTheAckDelay() {
        for (long dseq = 1; dseq <= 5; dseq++) {
            wire().answer(new Frame.Deliver(dseq, PEER.participant(), T0, new ChatMessage("d" + dseq)));
        }
        time.advance(Duration.ofMillis(99));
        assertThat(wire().sent(Frame.Ack.class)).as("nothing before 100 ms").isEmpty();
        time.advance(Duration.ofMillis(1));
        assertThat(wire().sent(Frame.Ack.class)).containsExactly(new Frame.Ack(5));
        time.advance(Duration.ofSeconds(5));
        assertThat(wire().sent(Frame.Ack.class)).as("no ack repeated").hasSize(1);
    }

    @Test
    void sendsArePacedABurstAtOnceThenTheSustainedRate() {
        send(100);
        assertThat(wire().sent(Frame.Send.class)).hasSize(RelayTransport.FRAME_BURST);
        time.advance(Duration.ofMillis(250));
        assertThat(wire().sent(Frame.Send.class)).as("40 frames/s: 10 more in a quarter second")
                .hasSize(RelayTransport.FRAME_BURST + 10);
        time.advance(Duration.ofSeconds(1));
        assertThat(wire().sent(Frame.Send.class)).extracting(Frame.Send::seq)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 100).boxed().toList());
    }

    @Test
    void aSendDroppedForRateMakesTheTransportGoBackAfterAPauseAndResendInOrder() {
        List<CompletableFuture<Void>> futures = send(3);
        wire().answer(new Frame.Accepted(1));
        wire().answer(new Frame.Error(ProtocolError.RATE_LIMITED, "slow down", Optional.of(2L)));
        time.advance(Duration.ofMillis(999));
        assertThat(wire().sent(Frame.Send.class)).extracting(Frame.Send::seq).as("nothing resent during the pause")
                .containsExactly(1L, 2L, 3L);
        time.advance(Duration.ofMillis(1));
        assertThat(wire().sent(Frame.Send.class)).extracting(Frame.Send::seq).containsExactly(1L, 2L, 3L, 2L, 3L);
        wire().answer(new Frame.Accepted(3));
        assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    }

    @Test
    void aLostConnectionIsReconnectedAfterTheBackoffAndWhatWasNotAcceptedIsResent() {
        List<CompletableFuture<Void>> futures = send(3);
        wire().answer(new Frame.Accepted(1));
        wire().answer(new Frame.Deliver(1, PEER.participant(), T0, new ChatMessage("hello")));
        FakeWire first = wire();
        first.client.onClosed(1006, "gone");
        time.advance(Duration.ZERO);
        assertThat(transport.state()).isEqualTo(SignalingTransport.State.RECONNECTING);
        assertThat(disconnects).hasSize(1);
        assertThat(wires).as("no new connection before the backoff").hasSize(1);

        time.advance(Duration.ofMillis(500));
        assertThat(wires).hasSize(2);
        FakeWire second = wire();
        second.client.onOpen(second);
        time.advance(Duration.ZERO);
        assertThat(second.sent.get(0)).isInstanceOfSatisfying(Frame.Join.class,
                j -> assertThat(j.lastDelivered()).as("what was delivered is not delivered again").isEqualTo(1));
        second.answer(new Frame.JoinAccepted(SessionId.of("s-42"), SELF, Optional.of(PEER), 2, "i-first"));
        assertThat(transport.state()).isEqualTo(SignalingTransport.State.JOINED);
        assertThat(second.sent(Frame.Send.class)).extracting(Frame.Send::seq)
                .as("only what the relay had not accepted (it had 1 and 2)").containsExactly(3L);
        second.answer(new Frame.Accepted(3));
        assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    }
}
