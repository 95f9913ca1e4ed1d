package dev.duet.signaling.client.pusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.Booking;
import dev.duet.core.ConnectionId;
import dev.duet.core.DepartureReason;
import dev.duet.core.Epoch;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import dev.duet.core.negotiation.Signal;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.CloseReason;
import dev.duet.signaling.client.JoinResult;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.SignalingListener;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.TicketSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import dev.duet.signaling.client.testkit.FakePusherServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two {@link PusherTransport}s (an expert and a learner) through the fake Pusher server, with
 * {@link PusherChannelAuth} as the backend: arrival facts both sides agree on in every order,
 * messages once and in order both ways, large messages and bursts under Pusher's limits, a 4200
 * close survived, leaving, and refusals that stop with a clear error.
 */
class PusherTransportTest {
    private static final String KEY = "duet-test-key";
    private static final String SECRET = "a-pusher-app-secret-for-tests";
    private static final TicketKey TICKET_KEY = TicketKey.of("k1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private static final ParticipantId EXPERT = ParticipantId.of("expert-ada");
    private static final ParticipantId LEARNER = ParticipantId.of("learner-bo");
    private final Instant now = Instant.now();
    private final Booking booking = new Booking(SessionId.of("s-42"), Participant.expert(EXPERT.value(), "Ada"),
            Participant.learner(LEARNER.value(), "Bo"), now, Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
    private final PusherChannelAuth backend = new PusherChannelAuth(PusherApp.of("4242", KEY, SECRET),
            new JoinTicketVerifier(List.of(TICKET_KEY), Duration.ofSeconds(30)));
    private final List<AutoCloseable> resources = new ArrayList<>();
    private FakePusherServer server;

    @AfterEach
    void stop() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private FakePusherServer server() throws Exception {
        server = new FakePusherServer(KEY, SECRET);
        resources.add(server);
        return server;
    }

    /** What one transport told its listener, as lines, in order. */
    static final class Heard implements SignalingListener {
        final java.util.concurrent.BlockingDeque<String> lines = new java.util.concurrent.LinkedBlockingDeque<>();
        final List<PeerMessage> messages = new CopyOnWriteArrayList<>();
        volatile Member peer;

        @Override
        public void onPeerJoined(Member joined, boolean newClient) {
            peer = joined;
            lines.add("peer-joined " + joined.participant() + " " + joined.connection());
        }

        @Override
        public void onPeerLeft(ParticipantId participant, ConnectionId connection, Instant leftAt, DepartureReason reason) {
            lines.add("peer-left " + participant + " " + connection + " " + reason);
        }

        @Override
        public void onMessage(ParticipantId from, Instant relayedAt, PeerMessage message) {
            messages.add(message);
            lines.add("message from " + from + ": " + (message instanceof ChatMessage chat ? chat.text() : message.getClass().getSimpleName()));
        }

        @Override
        public void onDisconnected(String reason) {
            lines.add("disconnected " + reason);
        }

        @Override
        public void onRejoined(JoinResult result) {
            lines.add("rejoined as " + result.self().connection() + " with " + result.peer().map(m -> m.connection().value()).orElse("nobody"));
        }

        @Override
        public void onClosed(CloseReason reason) {
            lines.add("closed " + reason.message());
        }

        String await(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            List<String> seen = new ArrayList<>();
            while (true) {
                String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("no \"" + prefix + "...\" within 15 s; heard " + seen);
                }
                seen.add(line);
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }
    }

    private String ticket(ParticipantId who) {
        return new JoinTicketIssuer(TICKET_KEY, Duration.ofHours(2)).issue(booking, who, now);
    }

    private PusherTransport transport(ChannelAuthorizer authorizer) {
        var callbacks = Executors.newSingleThreadExecutor();
        PusherTransport transport = PusherTransport.webSocket(server.address(), KEY, booking.sessionId(), authorizer, callbacks,
                Duration.ofSeconds(10));
        resources.add(callbacks::shutdownNow);
        resources.add(transport);
        return transport;
    }

    private PusherTransport transport(ParticipantId who, List<String> authorisedSockets) {
        ChannelAuthorizer signer = ChannelAuthorizer.inProcess(backend, TicketSource.of(ticket(who)), Clock.systemUTC());
        return transport((socketId, channel) -> {
            authorisedSockets.add(socketId);
            return signer.authorize(socketId, channel);
        });
    }

    private PusherTransport transport(ParticipantId who) {
        return transport(who, new CopyOnWriteArrayList<>());
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(15, TimeUnit.SECONDS);
    }

    enum Arrival { EXPERT_FIRST, LEARNER_FIRST, AT_ONCE }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Arrival.class)
    void bothSidesAgreeOnWhoIsThereAndExchangeMessagesOnceAndInOrderInEveryArrivalOrder(Arrival arrival) throws Exception {
        server();
        PusherTransport expert = transport(EXPERT);
        PusherTransport learner = transport(LEARNER);
        Heard expertHeard = new Heard();
        Heard learnerHeard = new Heard();
        JoinResult expertJoined;
        JoinResult learnerJoined;
        if (arrival == Arrival.AT_ONCE) {
            CompletableFuture<JoinResult> e = expert.join(expertHeard);
            CompletableFuture<JoinResult> l = learner.join(learnerHeard);
            expertJoined = await(e);
            learnerJoined = await(l);
        } else {
            PusherTransport first = arrival == Arrival.EXPERT_FIRST ? expert : learner;
            PusherTransport second = first == expert ? learner : expert;
            Heard firstHeard = first == expert ? expertHeard : learnerHeard;
            JoinResult firstJoined = await(first.join(firstHeard));
            assertThat(firstJoined.peer()).as("the first to arrive is alone").isEmpty();
            JoinResult secondJoined = await(second.join(first == expert ? learnerHeard : expertHeard));
            assertThat(secondJoined.peer()).as("the second finds the first").hasValue(firstJoined.self());
            firstHeard.await("peer-joined " + secondJoined.self().participant());
            assertThat(firstHeard.peer).isEqualTo(secondJoined.self());
            assertThat(secondJoined.self().arrivedAt()).isAfterOrEqualTo(firstJoined.self().arrivedAt());
            expertJoined = first == expert ? firstJoined : secondJoined;
            learnerJoined = first == expert ? secondJoined : firstJoined;
        }
        assertThat(expertJoined.self().participant()).isEqualTo(EXPERT);
        assertThat(learnerJoined.self().participant()).isEqualTo(LEARNER);
        // Both see each other with the same facts (connection, role, arrival), whichever way they learnt of it.
        Member learnerSeenByExpert = expertJoined.peer().orElse(null) != null ? expertJoined.peer().get() : awaitPeer(expertHeard);
        Member expertSeenByLearner = learnerJoined.peer().orElse(null) != null ? learnerJoined.peer().get() : awaitPeer(learnerHeard);
        assertThat(learnerSeenByExpert).isEqualTo(learnerJoined.self());
        assertThat(expertSeenByLearner).isEqualTo(expertJoined.self());

        List<CompletableFuture<Void>> acknowledged = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            acknowledged.add(expert.send(new ChatMessage("from the expert " + i)));
            acknowledged.add(learner.send(new ChatMessage("from the learner " + i)));
        }
        try {
            for (CompletableFuture<Void> a : acknowledged) {
                await(a);
            }
        } catch (Exception e) {
            System.out.println("not acknowledged in time; the frames the server received, abridged:");
            server.received.forEach(f -> System.out.println("  " + f.substring(0, Math.min(300, f.length()))));
            System.out.println("the expert heard " + expertHeard.lines + "; the learner heard " + learnerHeard.lines);
            throw e;
        }
        learnerHeard.await("message from expert-ada: from the expert 5"); // the peer acknowledges before its listener has run
        expertHeard.await("message from learner-bo: from the learner 5");
        assertThat(learnerHeard.messages).containsExactly(chats("from the expert ", 5));
        assertThat(expertHeard.messages).containsExactly(chats("from the learner ", 5));
        assertThat(server.errors).isEmpty();
    }

    private static Member awaitPeer(Heard heard) throws InterruptedException {
        if (heard.peer == null) {
            heard.await("peer-joined");
        }
        return heard.peer;
    }

    private static ChatMessage[] chats(String prefix, int count) {
        ChatMessage[] chats = new ChatMessage[count];
        for (int i = 0; i < count; i++) {
            chats[i] = new ChatMessage(prefix + (i + 1));
        }
        return chats;
    }

    @Test
    void aBurstOfMessagesAndAnOfferLargerThanOneEventArriveWholeInOrderWithoutTrippingTheRateLimit() throws Exception {
        server();
        PusherTransport expert = transport(EXPERT);
        PusherTransport learner = transport(LEARNER);
        Heard expertHeard = new Heard();
        Heard learnerHeard = new Heard();
        JoinResult e = await(expert.join(expertHeard));
        await(learner.join(learnerHeard));
        expertHeard.await("peer-joined");
        Epoch epoch = Epoch.of(e.self().connection(), ConnectionId.of("9.9"));
        StringBuilder sdp = new StringBuilder("v=0\r\na=ice-ufrag:Xy9z\r\n");
        while (sdp.length() < 30_000) {
            sdp.append("a=candidate:1 1 udp 2122260223 10.77.0.1 ").append(sdp.length()).append(" typ host \"quoted\" é\r\n");
        }
        List<PeerMessage> sent = new ArrayList<>();
        List<CompletableFuture<Void>> acknowledged = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            PeerMessage m = i == 30 ? new PeerMessage.Negotiation(new Signal.Offer(epoch, 1, sdp.toString())) : new ChatMessage("line " + i);
            sent.add(m);
            acknowledged.add(expert.send(m));
        }
        for (CompletableFuture<Void> a : acknowledged) {
            await(a);
        }
        learnerHeard.await("message from expert-ada: line 59"); // the peer acknowledges before its listener has run
        assertThat(learnerHeard.messages).containsExactlyElementsOf(sent);
        assertThat(server.errors).as("no rate-limit or size errors").isEmpty();
        long events = server.received.stream().filter(f -> f.contains("\"event\":\"client-duet-signals\"")).count();
        assertThat(events).as("messages are batched: far fewer events than messages").isLessThan(30);
    }

    @Test
    void afterTheServerClosesWith4200BothReconnectAreAuthorisedAgainAndMessagesSentMeanwhileArrive() throws Exception {
        server();
        List<String> expertSockets = new CopyOnWriteArrayList<>();
        PusherTransport expert = transport(EXPERT, expertSockets);
        PusherTransport learner = transport(LEARNER);
        Heard expertHeard = new Heard();
        Heard learnerHeard = new Heard();
        await(expert.join(expertHeard));
        await(learner.join(learnerHeard));
        expertHeard.await("peer-joined");
        await(expert.send(new ChatMessage("before")));

        server.closeAll(4200, "Reconnect immediately");
        expertHeard.await("disconnected");
        CompletableFuture<Void> meanwhile = expert.send(new ChatMessage("while reconnecting"));
        String rejoined = expertHeard.await("rejoined as");
        await(meanwhile);
        learnerHeard.await("message from expert-ada: while reconnecting");
        assertThat(learnerHeard.messages).containsExactly(new ChatMessage("before"), new ChatMessage("while reconnecting"));
        assertThat(expertSockets).hasSize(2).doesNotHaveDuplicates();
        assertThat(rejoined).startsWith("rejoined as " + expertSockets.get(1));
        assertThat(expert.state()).isEqualTo(SignalingTransport.State.JOINED);
    }

    @Test
    void leavingAndHangingUpAreToldAtOnceAndALostConnectionAfterTheGrace() throws Exception {
        server();
        PusherTransport expert = transport(EXPERT);
        Heard expertHeard = new Heard();
        await(expert.join(expertHeard));

        PusherTransport learner = transport(LEARNER);
        JoinResult l = await(learner.join(new Heard()));
        expertHeard.await("peer-joined");
        await(learner.leave("done for today"));
        assertThat(expertHeard.await("peer-left")).isEqualTo("peer-left learner-bo " + l.self().connection() + " LEFT");

        PusherTransport again = transport(LEARNER);
        JoinResult l2 = await(again.join(new Heard()));
        expertHeard.await("peer-joined learner-bo " + l2.self().connection());
        await(again.hangUp("thanks", Duration.ofSeconds(5)));
        assertThat(expertHeard.await("peer-left")).isEqualTo("peer-left learner-bo " + l2.self().connection() + " HUNG_UP");

        PusherTransport third = transport(LEARNER);
        JoinResult l3 = await(third.join(new Heard()));
        expertHeard.await("peer-joined learner-bo " + l3.self().connection());
        long dropped = System.nanoTime();
        server.closeSocket(l3.self().connection().value(), 4009, "Connection not authorized"); // the learner does not come back
        assertThat(expertHeard.await("peer-left")).isEqualTo("peer-left learner-bo " + l3.self().connection() + " CONNECTION_LOST");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dropped)).as("told only after the grace")
                .isGreaterThanOrEqualTo(PusherTransport.PEER_LEFT_GRACE_MILLIS - 100);
    }

    @Test
    void aTicketTheBackendRefusesStopsTheJoinWithTheBackendsReason() throws Exception {
        server();
        Booking other = new Booking(SessionId.of("s-other"), booking.expert(), booking.learner(), now, Duration.ofHours(1),
                Duration.ofMinutes(10), Duration.ofMinutes(15));
        String wrongSession = new JoinTicketIssuer(TICKET_KEY, Duration.ofHours(2)).issue(other, LEARNER, now);
        PusherTransport learner = transport(ChannelAuthorizer.inProcess(backend, TicketSource.of(wrongSession), Clock.systemUTC()));
        Heard heard = new Heard();
        assertThatThrownBy(() -> await(learner.join(heard))).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(PusherRefusedException.class)
                .hasMessageContaining("the app's backend refused to sign the subscription to presence-duet-s-42")
                .hasMessageContaining("WRONG_SESSION");
        assertThat(heard.await("closed")).contains("refused");
        assertThat(learner.state()).isEqualTo(SignalingTransport.State.CLOSED);
    }

    @Test
    void aSignatureTheServerRefusesStopsTheJoinWithTheServersReasonAndNoSecretInIt() throws Exception {
        server();
        PusherChannelAuth wrongSecret = new PusherChannelAuth(PusherApp.of("4242", KEY, "not-the-app-secret"),
                new JoinTicketVerifier(List.of(TICKET_KEY), Duration.ofSeconds(30)));
        PusherTransport learner = transport(ChannelAuthorizer.inProcess(wrongSecret, TicketSource.of(ticket(LEARNER)), Clock.systemUTC()));
        assertThatThrownBy(() -> await(learner.join(new Heard()))).cause().isInstanceOf(PusherRefusedException.class)
                .hasMessageContaining("the Pusher server refused the subscription to presence-duet-s-42: Invalid signature")
                .hasMessageNotContaining("not-the-app-secret");
    }

    @Test
    void aKeyTheServerDoesNotKnowStopsTheJoinWithoutRetrying() throws Exception {
        server();
        var callbacks = Executors.newSingleThreadExecutor();
        resources.add(callbacks::shutdownNow);
        PusherTransport stranger = PusherTransport.webSocket(server.address(), "some-other-key", booking.sessionId(),
                ChannelAuthorizer.inProcess(backend, TicketSource.of(ticket(LEARNER)), Clock.systemUTC()), callbacks);
        resources.add(stranger);
        assertThatThrownBy(() -> await(stranger.join(new Heard()))).cause().isInstanceOf(PusherRefusedException.class)
                .hasMessageContaining("closed the connection with 4001").hasMessageContaining("do not reconnect");
    }

    @Test
    void theAddressIsPushersAndBadArgumentsAreRefusedWithWhatWasExpected() {
        assertThat(PusherTransport.appAddress(java.net.URI.create("wss://ws-eu.pusher.com:443"), "abc123"))
                .hasToString("wss://ws-eu.pusher.com:443/app/abc123?protocol=7&client=duet-java&version=" + PusherTransport.VERSION);
        assertThat(PusherTransport.hostedCluster("mt1")).hasToString("wss://ws-mt1.pusher.com:443");
        assertThatThrownBy(() -> PusherTransport.appAddress(java.net.URI.create("http://x:1"), "k"))
                .hasMessageContaining("ws:// or wss://");
        assertThatThrownBy(() -> PusherTransport.appAddress(java.net.URI.create("ws://x:1/app/k"), "k"))
                .hasMessageContaining("without a path");
        assertThatThrownBy(() -> PusherTransport.appAddress(java.net.URI.create("ws://x:1"), "bad key"))
                .hasMessageContaining("appKey must be");
        assertThatThrownBy(() -> PusherTransport.hostedCluster("EU/../x")).hasMessageContaining("cluster must be");
    }
}
