package dev.duet.signaling.server;

import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.MediaKind;
import dev.duet.core.MediaDirection;
import dev.duet.attendance.JsonLinesAttendanceStore;
import dev.duet.testing.CuttableProxy;
import static dev.duet.signaling.server.TestSession.EXPERT;
import static dev.duet.signaling.server.TestSession.LEARNER;
import static dev.duet.signaling.server.TestSession.SESSION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.ConnectionId;
import dev.duet.core.Epoch;
import dev.duet.core.negotiation.Signal;
import dev.duet.signaling.client.Backoff;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.CloseReason;
import dev.duet.signaling.client.JoinRefusedException;
import dev.duet.signaling.client.JoinResult;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.client.internal.OkHttpWire;
import dev.duet.signaling.client.CloseCode;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RelayTransportTest {
    private final TestSession.SettableClock clock = new TestSession.SettableClock();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ExecutorService expertThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "expert-session"));
    private final ExecutorService learnerThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "learner-session"));

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
        expertThread.shutdownNow();
        learnerThread.shutdownNow();
    }

    private RelayServer relay() throws Exception {
        RelayServer relay = RelayServer.builder(TestSession.VERIFIER).clock(clock).start();
        resources.add(0, relay);
        return relay;
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(0, resource);
        return resource;
    }

    @Test
    void twoTransportsOverWebSocketsSeeEachOtherAndExchangeMessagesInOrder() throws Exception {
        RelayServer relay = relay();
        RecordingListener expertEvents = new RecordingListener("expert-session");
        RecordingListener learnerEvents = new RecordingListener("learner-session");
        SignalingTransport expert = keep(RelayTransport.webSocket(relay.sessionUri(SESSION),
                TicketSource.of(TestSession.ticket(EXPERT)), expertThread));
        SignalingTransport learner = keep(RelayTransport.webSocket(relay.sessionUri(SESSION),
                TicketSource.of(TestSession.ticket(LEARNER)), learnerThread));

        JoinResult e = expert.join(expertEvents).get(5, TimeUnit.SECONDS);
        clock.advance(Duration.ofSeconds(90));
        JoinResult l = learner.join(learnerEvents).get(5, TimeUnit.SECONDS);
        assertThat(e.peer()).isEmpty();
        assertThat(l.peer()).contains(e.self());
        assertThat(RecordingListener.take(expertEvents.presence, 5)).isEqualTo(l.self());
        assertThat(expert.state()).isEqualTo(SignalingTransport.State.JOINED);

        List<CompletableFuture<Void>> accepted = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            accepted.add(learner.send(new ChatMessage("line " + i)));
            expert.send(new ChatMessage("reply " + i));
        }
        CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        for (int i = 1; i <= 30; i++) {
            RecordingListener.Message m = RecordingListener.take(expertEvents.messages, 5);
            assertThat(m.from()).isEqualTo(LEARNER);
            assertThat(m.message()).isEqualTo(new ChatMessage("line " + i));
            assertThat(RecordingListener.take(learnerEvents.messages, 5).message()).isEqualTo(new ChatMessage("reply " + i));
        }

        learner.leave("done").get(5, TimeUnit.SECONDS);
        assertThat(RecordingListener.take(expertEvents.presence, 5)).isInstanceOf(RecordingListener.PeerLeft.class);
        assertThat(RecordingListener.take(learnerEvents.lifecycle, 5)).isInstanceOfSatisfying(CloseReason.class,
                r -> assertThat(r.local()).isTrue());
        assertThat(learner.state()).isEqualTo(SignalingTransport.State.CLOSED);
    }

    @Test
    void closeLeavesTheSessionLikeDuetCallCloseThePeerIsToldLeftNotLost() throws Exception {
        RelayServer relay = relay();
        RecordingListener expertEvents = new RecordingListener("expert-session");
        SignalingTransport expert = keep(RelayTransport.webSocket(relay.sessionUri(SESSION),
                TicketSource.of(TestSession.ticket(EXPERT)), expertThread));
        SignalingTransport learner = RelayTransport.webSocket(relay.sessionUri(SESSION),
                TicketSource.of(TestSession.ticket(LEARNER)), learnerThread);
        expert.join(expertEvents).get(5, TimeUnit.SECONDS);
        learner.join(new RecordingListener("learner-session")).get(5, TimeUnit.SECONDS);
        assertThat(RecordingListener.take(expertEvents.presence, 5)).isInstanceOf(dev.duet.signaling.client.Member.class);

        learner.close();
        learner.close(); // idempotent
        assertThat(RecordingListener.take(expertEvents.presence, 5)).isInstanceOfSatisfying(RecordingListener.PeerLeft.class,
                left -> assertThat(left.reason()).isEqualTo(dev.duet.core.DepartureReason.LEFT));
        // The leave goes out just before the transport's loop marks itself closed: the peer may hear first.
        dev.duet.testing.Await.until(() -> learner.state() == SignalingTransport.State.CLOSED, Duration.ofSeconds(5),
                "the learner's transport closed");
    }

    @Test
    void aRefusedJoinFailsWithItsCloseCodeAndIsNotRetried() throws Exception {
        RelayServer relay = relay();
        clock.set(Instant.parse("2026-11-24T11:30:00Z")); // after the window: the ticket has expired
        RecordingListener events = new RecordingListener("expert-session");
        SignalingTransport expert = keep(RelayTransport.webSocket(relay.sessionUri(SESSION),
                TicketSource.of(TestSession.ticket(EXPERT)), expertThread));
        CompletableFuture<JoinResult> join = expert.join(events);
        assertThatThrownBy(() -> join.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(JoinRefusedException.class,
                        e -> assertThat(e.code()).isEqualTo(CloseCode.TICKET_EXPIRED));
        assertThat(RecordingListener.take(events.lifecycle, 5)).isInstanceOfSatisfying(CloseReason.class,
                r -> assertThat(r.code()).contains(CloseCode.TICKET_EXPIRED));
        assertThat(expert.state()).isEqualTo(SignalingTransport.State.CLOSED);
        assertThatThrownBy(() -> expert.send(new ChatMessage("late")).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void cutConnectionsAreReconnectedAndNoMessageIsLostOrRepeated() throws Exception {
        RelayServer relay = relay();
        CuttableProxy proxy = keep(new CuttableProxy(relay.port()));
        URI viaProxy = URI.create("ws://127.0.0.1:" + proxy.port() + "/v1/sessions/" + SESSION.value());
        RecordingListener expertEvents = new RecordingListener("expert-session");
        RecordingListener learnerEvents = new RecordingListener("learner-session");
        SignalingTransport expert = keep(RelayTransport.webSocket(relay.sessionUri(SESSION),
                TicketSource.of(TestSession.ticket(EXPERT)), expertThread));
        SignalingTransport learner = keep(new RelayTransport(OkHttpWire.connector(viaProxy, Duration.ofSeconds(1)),
                TicketSource.of(TestSession.ticket(LEARNER)), learnerThread,
                new Backoff(Duration.ofMillis(50), Duration.ofMillis(400), new Random(7))));
        expert.join(expertEvents).get(5, TimeUnit.SECONDS);
        learner.join(learnerEvents).get(5, TimeUnit.SECONDS);

        int total = 160;
        List<CompletableFuture<Void>> accepted = new ArrayList<>();
        int cuts = 0;
        for (int i = 1; i <= total; i++) {
            accepted.add(learner.send(new ChatMessage("n" + i)));
            expert.send(new ChatMessage("e" + i));
            if (i % 40 == 0) {
                accepted.get(i - 1).get(10, TimeUnit.SECONDS); // let some traffic through, then cut mid-stream
                proxy.cut();
                cuts++;
            }
        }
        CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        for (int i = 1; i <= total; i++) {
            assertThat(RecordingListener.take(expertEvents.messages, 10).message()).isEqualTo(new ChatMessage("n" + i));
            assertThat(RecordingListener.take(learnerEvents.messages, 10).message()).isEqualTo(new ChatMessage("e" + i));
        }
        assertThat(expertEvents.messages.poll(300, TimeUnit.MILLISECONDS)).as("no duplicate delivery").isNull();
        assertThat(learnerEvents.messages.poll(300, TimeUnit.MILLISECONDS)).as("no duplicate delivery").isNull();
        assertThat(proxy.connectionsAccepted()).isGreaterThan(cuts);
        assertThat(learnerEvents.lifecycle).contains("disconnected");
        assertThat(learnerEvents.lifecycle).anyMatch(JoinResult.class::isInstance);
    }

    // Sends the relay drops for rate: in virtual time, InMemoryRelayVirtualTimeTest.

    @Test
    void aMessageTooLargeForAFrameIsRefusedAtOnceAndTheTransportGoesOn() throws Exception {
        InMemoryRelay relay = keep(new InMemoryRelay(TestSession.VERIFIER, clock, RelayLimits.defaults(), RelayEventSink.none()));
        SignalingTransport expert = keep(relay.transport(SESSION, TicketSource.of(TestSession.ticket(EXPERT)), expertThread));
        expert.join(new RecordingListener("expert-session")).get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 20; i++) {
            expert.send(new ChatMessage("é".repeat(ChatMessage.MAX_LENGTH))).get(5, TimeUnit.SECONDS); // 4 kB each: fine
        }
        // Under the SDP limit in characters, over the frame limit in UTF-8 bytes.
        String sdp = "v=0\r\na=ice-ufrag:ab\r\na=x:" + "é".repeat(Signal.MAX_SDP_LENGTH - 40) + "\r\n";
        Epoch epoch = Epoch.of(ConnectionId.of("c-1"), ConnectionId.of("c-2"));
        CompletableFuture<Void> tooBig = expert.send(new PeerMessage.Negotiation(new Signal.Offer(epoch, 1, sdp)));
        assertThatThrownBy(() -> tooBig.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bytes as a frame; at most 65536 fit");
        expert.send(new ChatMessage("still fine")).get(5, TimeUnit.SECONDS);
    }

    @Test
    void theInMemoryRelayGivesTheSameFactsAndOrderWithoutSockets() throws Exception {
        InMemoryRelay relay = keep(new InMemoryRelay(TestSession.VERIFIER, clock, RelayLimits.defaults(), RelayEventSink.none()));
        RecordingListener expertEvents = new RecordingListener("expert-session");
        RecordingListener learnerEvents = new RecordingListener("learner-session");
        SignalingTransport expert = keep(relay.transport(SESSION, TicketSource.of(TestSession.ticket(EXPERT)), expertThread));
        SignalingTransport learner = keep(relay.transport(SESSION, TicketSource.of(TestSession.ticket(LEARNER)), learnerThread));
        JoinResult e = expert.join(expertEvents).get(5, TimeUnit.SECONDS);
        JoinResult l = learner.join(learnerEvents).get(5, TimeUnit.SECONDS);
        assertThat(l.peer()).contains(e.self());
        assertThat((Member) RecordingListener.take(expertEvents.presence, 5)).isEqualTo(l.self());
        for (int i = 1; i <= 100; i++) {
            expert.send(new ChatMessage("m" + i));
        }
        for (int i = 1; i <= 100; i++) {
            assertThat(RecordingListener.take(learnerEvents.messages, 5).message()).isEqualTo(new ChatMessage("m" + i));
        }
        assertThat(relay.sessionCount()).isEqualTo(1);
    }

    @Test
    void aMediaReportTheStoreCannotRecordIsNeitherAcknowledgedNorForwardedAndIsRecordedOnceWhenItCan(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        // The store fails the first two attempts to record a media report (a full disk, say), then works.
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger(2);
        JsonLinesAttendanceStore store = keep(JsonLinesAttendanceStore.open(dir.resolve("a.jsonl")));
        RelayEventSink flaky = event -> {
            if (event instanceof AttendanceEvent.MediaReported && failures.getAndDecrement() > 0) {
                throw new dev.duet.core.attendance.AttendanceStore.AttendanceStoreException("disk full", null);
            }
        };
        InMemoryRelay relay = keep(new InMemoryRelay(TestSession.VERIFIER, clock, RelayLimits.defaults(),
                flaky.andThen(RelayEventSink.storing(store))));
        RecordingListener expertEvents = new RecordingListener("expert-session");
        RecordingListener learnerEvents = new RecordingListener("learner-session");
        SignalingTransport expert = keep(relay.transport(SESSION, TicketSource.of(TestSession.ticket(EXPERT)), expertThread));
        SignalingTransport learner = keep(relay.transport(SESSION, TicketSource.of(TestSession.ticket(LEARNER)), learnerThread));
        expert.join(expertEvents).get(5, TimeUnit.SECONDS);
        learner.join(learnerEvents).get(5, TimeUnit.SECONDS);
        Epoch epoch = Epoch.of(ConnectionId.of("c-1"), ConnectionId.of("c-2"));
        dev.duet.signaling.client.MediaReport report = new dev.duet.signaling.client.MediaReport(epoch, Instant.parse(
                "2026-11-24T10:00:03Z"), false, List.of(dev.duet.signaling.client.StreamReport.of(
                        MediaDirection.INBOUND, MediaKind.AUDIO,
                        true, 32)));

        // Accepted only once recorded: the relay closed the connection twice (1001), the transport
        // reconnected with backoff and sent it again each time.
        expert.send(report).get(30, TimeUnit.SECONDS);
        assertThat(failures.get()).isNegative();
        assertThat(RecordingListener.take(learnerEvents.messages, 5).message()).isEqualTo(report);
        assertThat(learnerEvents.messages.poll(300, TimeUnit.MILLISECONDS)).as("forwarded once").isNull();
        assertThat(store.events(SESSION)).filteredOn(e -> e instanceof dev.duet.core.attendance.AttendanceEvent.MediaReported)
                .hasSize(1);
    }
}
