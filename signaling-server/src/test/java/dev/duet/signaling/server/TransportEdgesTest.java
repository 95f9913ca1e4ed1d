package dev.duet.signaling.server;

import dev.duet.testing.CuttableProxy;
import static dev.duet.signaling.server.TestSession.EXPERT;
import static dev.duet.signaling.server.TestSession.LEARNER;
import static dev.duet.signaling.server.TestSession.SESSION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.signaling.client.Backoff;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.core.DepartureReason;
import dev.duet.signaling.client.JoinResult;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.signaling.client.RelayUnreachableException;
import dev.duet.signaling.client.SignalingListener;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.client.UpgradeRefusedException;
import dev.duet.signaling.client.internal.OkHttpWire;
import dev.duet.core.ParticipantId;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A transport never hangs, never reorders callbacks, never loses a hang-up, and leaves no thread behind. */
class TransportEdgesTest {
    private final TestSession.SettableClock clock = new TestSession.SettableClock();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
        pool.shutdownNow();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(0, resource);
        return resource;
    }

    private RelayServer relay() throws Exception {
        return keep(RelayServer.builder(TestSession.VERIFIER).clock(clock).start());
    }

    @Test
    void aRelayThatDoesNotListenFailsTheJoinAfterTheJoinTimeoutAndSaysSoMeanwhile() throws Exception {
        int deadPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = probe.getLocalPort();
        }
        URI nowhere = URI.create("ws://127.0.0.1:" + deadPort + "/v1/sessions/s-42");
        RecordingListener events = new RecordingListener("pool-");
        SignalingTransport t = keep(RelayTransport.webSocket(nowhere, TicketSource.of(TestSession.ticket(EXPERT)), pool,
                Duration.ofSeconds(2)));
        long started = System.nanoTime();
        CompletableFuture<JoinResult> join = t.join(events);
        assertThatThrownBy(() -> join.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(RelayUnreachableException.class, e -> {
                    assertThat(e.getMessage()).contains(nowhere.toString(), "within 2000 ms");
                    assertThat(e.attempts()).isGreaterThanOrEqualTo(1);
                });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(5));
        assertThat(RecordingListener.take(events.lifecycle, 1)).isEqualTo("disconnected");
        assertThat(t.state()).isEqualTo(SignalingTransport.State.CLOSED);
    }

    @Test
    void aRefusedUpgradeFailsTheJoinAtOnce() throws Exception {
        RelayServer relay = relay();
        URI wrongPath = URI.create("ws://127.0.0.1:" + relay.port() + "/v2/rooms/s-42");
        SignalingTransport t = keep(RelayTransport.webSocket(wrongPath, TicketSource.of(TestSession.ticket(EXPERT)), pool,
                Duration.ofSeconds(30)));
        long started = System.nanoTime();
        CompletableFuture<JoinResult> join = t.join(new RecordingListener("pool-"));
        assertThatThrownBy(() -> join.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(UpgradeRefusedException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.permanent()).isTrue();
                });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not retried").isLessThan(Duration.ofSeconds(3));
    }

    /** Records callbacks from a many-threaded executor: never two at once, always in the relay's order. */
    private static final class OrderCheck implements SignalingListener {
        final AtomicInteger inside = new AtomicInteger();
        final List<String> seen = new CopyOnWriteArrayList<>();
        final List<String> overlaps = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> allMessages = new CompletableFuture<>();
        final int expected;

        OrderCheck(int expected) {
            this.expected = expected;
        }

        private void enter(String what) {
            if (inside.incrementAndGet() != 1) {
                overlaps.add(what);
            }
            seen.add(what);
            Thread.yield();
            inside.decrementAndGet();
        }

        @Override
        public void onPeerJoined(Member peer) {
            enter("peer-joined");
        }

        @Override
        public void onMessage(ParticipantId from, java.time.Instant relayedAt, PeerMessage message) {
            enter(((ChatMessage) message).text());
            if (seen.stream().filter(s -> s.startsWith("m")).count() == expected) {
                allMessages.complete(null);
            }
        }
    }

    @Test
    void callbacksOnAManyThreadedExecutorComeOneAtATimeInTheRelaysOrder() throws Exception {
        RelayServer relay = relay();
        for (int round = 0; round < 10; round++) {
            SessionFixture s = new SessionFixture(round);
            OrderCheck expertView = new OrderCheck(50);
            SignalingTransport expert = keep(RelayTransport.webSocket(relay.sessionUri(s.id), TicketSource.of(s.ticket(EXPERT)), pool));
            SignalingTransport learner = keep(RelayTransport.webSocket(relay.sessionUri(s.id), TicketSource.of(s.ticket(LEARNER)), pool));
            // The joined future and the peer-joined callback are produced in that order; on a pool they must stay so.
            List<String> order = new CopyOnWriteArrayList<>();
            CompletableFuture<JoinResult> expertJoined = expert.join(expertView).whenComplete((r, e) -> order.add("joined"));
            expertJoined.get(5, TimeUnit.SECONDS);
            learner.join(new RecordingListener("pool-")).get(5, TimeUnit.SECONDS);
            for (int i = 1; i <= 50; i++) {
                learner.send(new ChatMessage("m" + i));
            }
            expertView.allMessages.get(10, TimeUnit.SECONDS);
            List<String> expectedOrder = new ArrayList<>();
            expectedOrder.add("peer-joined");
            for (int i = 1; i <= 50; i++) {
                expectedOrder.add("m" + i);
            }
            assertThat(expertView.seen).as("round %d", round).containsExactlyElementsOf(expectedOrder);
            assertThat(expertView.overlaps).as("callbacks running at once").isEmpty();
            expert.close();
            learner.close();
        }
    }

    @Test
    void aHangUpDuringAReconnectStillReachesThePeer() throws Exception {
        RelayServer relay = relay();
        CuttableProxy proxy = keep(new CuttableProxy(relay.port()));
        URI viaProxy = URI.create("ws://127.0.0.1:" + proxy.port() + "/v1/sessions/" + SESSION.value());
        RecordingListener expertEvents = new RecordingListener("expert-");
        ExecutorService expertThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "expert-session"));
        try {
            SignalingTransport expert = keep(RelayTransport.webSocket(relay.sessionUri(SESSION),
                    TicketSource.of(TestSession.ticket(EXPERT)), expertThread));
            SignalingTransport learner = keep(new RelayTransport(OkHttpWire.connector(viaProxy, Duration.ofSeconds(1)),
                    TicketSource.of(TestSession.ticket(LEARNER)), pool,
                    new Backoff(Duration.ofMillis(200), Duration.ofMillis(400), new Random(3))));
            expert.join(expertEvents).get(5, TimeUnit.SECONDS);
            learner.join(new RecordingListener("pool-")).get(5, TimeUnit.SECONDS);
            RecordingListener.take(expertEvents.presence, 5); // peer joined

            proxy.cut();                                      // the learner is now reconnecting
            learner.send(new ChatMessage("goodbye, and thanks"));
            learner.hangUp("lesson over", Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);

            // The learner's drop and return show first; what counts is the end: last words, then a hang-up.
            RecordingListener.Message last = RecordingListener.take(expertEvents.messages, 10);
            assertThat(last.message()).isEqualTo(new ChatMessage("goodbye, and thanks"));
            RecordingListener.PeerLeft left;
            do {
                Object event = RecordingListener.take(expertEvents.presence, 10);
                left = event instanceof RecordingListener.PeerLeft p ? p : null;
            } while (left == null || left.reason() != DepartureReason.HUNG_UP);
            assertThat(left.participant()).isEqualTo(LEARNER);
            assertThat(learner.state()).isEqualTo(SignalingTransport.State.CLOSED);
        } finally {
            expertThread.shutdownNow();
        }
    }

    @Test
    void closedTransportsLeaveNoThreadThatKeepsTheJvmAlive() throws Exception {
        RelayServer relay = relay();
        SignalingTransport expert = RelayTransport.webSocket(relay.sessionUri(SESSION), TicketSource.of(TestSession.ticket(EXPERT)), pool);
        SignalingTransport learner = RelayTransport.webSocket(relay.sessionUri(SESSION), TicketSource.of(TestSession.ticket(LEARNER)), pool);
        expert.join(new RecordingListener("pool-")).get(5, TimeUnit.SECONDS);
        learner.join(new RecordingListener("pool-")).get(5, TimeUnit.SECONDS);
        learner.send(new ChatMessage("hi")).get(5, TimeUnit.SECONDS);
        expert.leave("done").get(5, TimeUnit.SECONDS);
        learner.close();
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(Thread::isAlive).filteredOn(t -> !t.isDaemon())
                .extracting(Thread::getName)
                // The relay, still running here, has its own pool ("duet-relay-…"); the clients' threads must be gone.
                .noneMatch(name -> (name.startsWith("duet-") && !name.startsWith("duet-relay")) || name.startsWith("OkHttp")
                        || name.contains("okhttp"));
    }

    /** A booking of its own per round, so rounds do not share a session. */
    private static final class SessionFixture {
        final dev.duet.core.SessionId id;
        final dev.duet.core.Booking booking;

        SessionFixture(int round) {
            id = dev.duet.core.SessionId.of("s-order-" + round);
            booking = new dev.duet.core.Booking(id, TestSession.BOOKING.expert(), TestSession.BOOKING.learner(),
                    TestSession.BOOKING.start(), TestSession.BOOKING.duration(), Duration.ofMinutes(10), Duration.ofMinutes(15));
        }

        String ticket(ParticipantId who) {
            return TestSession.ISSUER.issue(booking, who, java.time.Instant.parse("2026-11-24T09:55:00Z"));
        }
    }
}
