package dev.duet.signaling.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import dev.duet.signaling.client.CloseCode;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.server.RelayEventSink;
import dev.duet.signaling.server.RelayLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Frames dropped for the rate are counted per window, not over the connection's whole life; a failure inside the relay closes with 1011. */
class ConnectionHandlerTest {
    private static final FrameCodec CODEC = new FrameCodec();
    private static final SessionId SESSION = SessionId.of("s-rate");
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private final AtomicLong ticks = new AtomicLong(1_000_000_000L);
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor();
    private final List<Integer> closes = new CopyOnWriteArrayList<>();
    private boolean failAcks;
    private RelayNode node;

    @AfterEach
    void stop() {
        node.close();
        sweeper.shutdownNow();
    }

    @Test
    void dropsInSeparateWindowsDoNotAddUp() {
        ConnectionHandler handler = joinedHandler(new RelayLimits(5, 5, 10, Duration.ofSeconds(3), Duration.ofSeconds(60),
                Duration.ofSeconds(10), 64));
        // Threshold: more than 10 × 5 = 50 drops within one 10-second window closes with 4429.
        for (int window = 0; window < 5; window++) {
            flood(handler, 45); // 5 taken from the refilled bucket, 40 dropped
            ticks.addAndGet(Duration.ofSeconds(11).toNanos());
        }
        assertThat(closes).as("200 drops over 55 s, at most 40 in any window").isEmpty();

        flood(handler, 60); // 55 dropped within one window
        assertThat(closes).containsExactly(CloseCode.RATE_LIMITED.code());
    }

    @Test
    void aFailureInsideTheRelayClosesWith1011AndTheConnectionCanComeBack() {
        failAcks = true;
        ConnectionHandler handler = joinedHandler(RelayLimits.defaults());
        handler.onText(CODEC.encode(new Frame.Ack(1)));
        assertThat(closes).containsExactly(CloseCode.INTERNAL_ERROR.code());
        assertThat(CloseCode.INTERNAL_ERROR.retry()).as("the client reconnects").isTrue();
    }

    private void flood(ConnectionHandler handler, int frames) {
        for (int i = 0; i < frames; i++) {
            handler.onText(CODEC.encode(new Frame.Ack(1)));
        }
    }

    private ConnectionHandler joinedHandler(RelayLimits limits) {
        TicketKey key = TicketKey.of("k1", new byte[32]);
        Booking booking = new Booking(SESSION, Participant.expert("expert-ada", "Ada"), Participant.learner("learner-bo", "Bo"),
                NOW, Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
        node = new RelayNode(new JoinTicketVerifier(List.of(key), Duration.ofSeconds(30)), Clock.fixed(NOW, ZoneOffset.UTC),
                ticks::get, limits, RelayEventSink.none(), sweeper, failAcks ? new AckFails(new MemorySessionStore(64))
                : new MemorySessionStore(64));
        ConnectionHandler handler = node.open(SESSION, new Outbound() {
            @Override
            public void send(String text) {}

            @Override
            public void ping() {}

            @Override
            public void close(int code, String reason) {
                closes.add(code);
            }

            @Override
            public String describe() {
                return "test";
            }
        });
        String ticket = new JoinTicketIssuer(key, Duration.ofHours(1)).issue(booking, ParticipantId.of("expert-ada"), NOW);
        handler.onText(CODEC.encode(new Frame.Join(ticket, "client-0001", 0)));
        return handler;
    }

    /** A store whose ack fails as RedisSessionStore's did (a ClassCastException): a relay bug. */
    private record AckFails(SessionStore d) implements SessionStore {
        @Override
        public void subscribe(Subscriber subscriber) {
            d.subscribe(subscriber);
        }

        @Override
        public JoinOutcome join(SessionId session, dev.duet.signaling.client.Member member, String clientId, long lastDelivered,
                java.util.Optional<dev.duet.signaling.client.wire.Frame.Resume> resume) {
            return d.join(session, member, clientId, lastDelivered, resume);
        }

        @Override
        public java.util.Optional<Snapshot> snapshot(SessionId session, dev.duet.signaling.client.Member who) {
            return d.snapshot(session, who);
        }

        @Override
        public SendOutcome send(SessionId session, dev.duet.signaling.client.Member sender, long seq,
                dev.duet.signaling.client.PeerMessage message, Instant now) {
            return d.send(session, sender, seq, message, now);
        }

        @Override
        public java.util.OptionalLong nextSeq(SessionId session, dev.duet.signaling.client.Member sender) {
            return d.nextSeq(session, sender);
        }

        @Override
        public void ack(SessionId session, dev.duet.signaling.client.Member who, long dseq) {
            throw new ClassCastException("class java.lang.Long cannot be cast to class java.util.List");
        }

        @Override
        public boolean left(SessionId session, dev.duet.signaling.client.Member who, Instant now,
                dev.duet.core.DepartureReason reason) {
            return d.left(session, who, now, reason);
        }

        @Override
        public boolean close(SessionId session, String reason) {
            return d.close(session, reason);
        }

        @Override
        public boolean isClosed(SessionId session) {
            return d.isClosed(session);
        }

        @Override
        public void markHungUp(SessionId session, ParticipantId who) {
            d.markHungUp(session, who);
        }

        @Override
        public Status status(SessionId session) {
            return d.status(session);
        }

        @Override
        public void close() {
            d.close();
        }
    }
}
