package dev.duet.signaling.client.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.client.AuthorizationFailureException;
import com.pusher.client.ChannelAuthorizer;
import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.channel.PresenceChannel;
import com.pusher.client.channel.PresenceChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import com.pusher.client.channel.User;
import com.pusher.client.connection.ConnectionEventListener;
import com.pusher.client.connection.ConnectionState;
import com.pusher.client.connection.ConnectionStateChange;
import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import dev.duet.signaling.client.testkit.FakePusherServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fake Pusher server against Pusher's own Java client (pusher-java-client 2.4.4), with
 * Duet's {@link PusherChannelAuth} as the app backend: if the official client connects, is
 * admitted to a session's presence channel, sees the other member and exchanges client events
 * through the fake, the fake speaks Pusher's protocol and the signatures are Pusher's.
 */
class FakePusherServerTest {
    private static final String KEY = "duet-test-key";
    private static final String SECRET = "a-pusher-app-secret-for-tests";
    private static final String CHANNEL = "presence-duet-s-42";
    private static final TicketKey TICKET_KEY = TicketKey.of("k1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private final Instant now = Instant.now();
    private final Booking booking = new Booking(SessionId.of("s-42"), Participant.expert("expert-ada", "Ada"),
            Participant.learner("learner-bo", "Bo"), now, Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
    private final PusherChannelAuth backend = new PusherChannelAuth(PusherApp.of("4242", KEY, SECRET),
            new JoinTicketVerifier(List.of(TICKET_KEY), Duration.ofSeconds(30)));
    private final List<Pusher> clients = new java.util.ArrayList<>();
    private FakePusherServer server;

    @AfterEach
    void stop() throws Exception {
        clients.forEach(Pusher::disconnect);
        if (server != null) {
            server.close();
        }
    }

    /** One official client's view: its events, errors and the members it was told of. */
    private static final class Seen implements PresenceChannelEventListener, ConnectionEventListener {
        final BlockingQueue<String> log = new LinkedBlockingQueue<>();

        @Override
        public void onUsersInformationReceived(String channel, Set<User> users) {
            log.add("members " + users.stream().map(User::getId).sorted().toList());
        }

        @Override
        public void userSubscribed(String channel, User user) {
            log.add("added " + user.getId() + " " + user.getInfo());
        }

        @Override
        public void userUnsubscribed(String channel, User user) {
            log.add("removed " + user.getId());
        }

        @Override
        public void onAuthenticationFailure(String message, Exception e) {
            log.add("auth failure " + message);
        }

        @Override
        public void onSubscriptionSucceeded(String channel) {
            log.add("subscribed " + channel);
        }

        @Override
        public void onEvent(PusherEvent event) {
            log.add("event " + event.getEventName() + " from " + event.getUserId() + ": " + event.getData());
        }

        @Override
        public void onConnectionStateChange(ConnectionStateChange change) {
            log.add("state " + change.getCurrentState());
        }

        @Override
        public void onError(String message, String code, Exception e) {
            log.add("error " + code + " " + message);
        }

        String await(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            List<String> seen = new java.util.ArrayList<>();
            while (true) {
                String line = log.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("no \"" + prefix + "...\" within 10 s; saw " + seen);
                }
                seen.add(line);
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }
    }

    private PresenceChannel join(String participant, Seen seen, ChannelAuthorizer authorizer, String... events) throws InterruptedException {
        Pusher pusher = new Pusher(KEY, new PusherOptions().setHost("127.0.0.1").setWsPort(server.port()).setUseTLS(false)
                .setChannelAuthorizer(authorizer));
        clients.add(pusher);
        pusher.connect(seen, ConnectionState.ALL);
        seen.await("state CONNECTED");
        return pusher.subscribePresence(CHANNEL, seen, events.length == 0 ? new String[] {"client-duet"} : events);
    }

    private ChannelAuthorizer ticketOf(String participant) {
        String ticket = new JoinTicketIssuer(TICKET_KEY, Duration.ofHours(2)).issue(booking, ParticipantId.of(participant), now);
        return (channel, socketId) -> {
            try {
                return backend.authorize(socketId, channel, ticket, Instant.now()).toJson();
            } catch (PusherAuthException refused) {
                throw new AuthorizationFailureException(refused.getMessage());
            }
        };
    }

    @Test
    void theOfficialClientIsAdmittedSeesTheOtherMemberAndExchangesClientEventsThatAreNotEchoed() throws Exception {
        server = new FakePusherServer(KEY, SECRET);
        Seen expert = new Seen();
        Seen learner = new Seen();
        PresenceChannel expertChannel = join("expert-ada", expert, ticketOf("expert-ada"));
        assertThat(expert.await("members")).isEqualTo("members [expert-ada]");
        PresenceChannel learnerChannel = join("learner-bo", learner, ticketOf("learner-bo"));
        assertThat(learner.await("members")).isEqualTo("members [expert-ada, learner-bo]");
        assertThat(expert.await("added")).startsWith("added learner-bo {\"role\":\"learner\",\"connection\":\"");
        assertThat(learnerChannel.getMe().getId()).isEqualTo("learner-bo");

        learnerChannel.trigger("client-duet", "{\"hello\":1}");
        assertThat(expert.await("event")).isEqualTo("event client-duet from learner-bo: {\"hello\":1}");
        expertChannel.trigger("client-duet", "{\"hello\":2}");
        assertThat(learner.await("event")).isEqualTo("event client-duet from expert-ada: {\"hello\":2}");
        // Not echoed to its sender: an echo of 2 would reach the expert before 3, which the learner sends only after getting 2.
        learnerChannel.trigger("client-duet", "{\"hello\":3}");
        assertThat(expert.await("event")).isEqualTo("event client-duet from learner-bo: {\"hello\":3}");

        clients.get(1).disconnect();
        assertThat(expert.await("removed")).isEqualTo("removed learner-bo");
    }

    @Test
    void aForgedSignatureIsRefusedByTheServerAndATicketForAnotherSessionByTheBackend() throws Exception {
        server = new FakePusherServer(KEY, SECRET);
        Seen forger = new Seen();
        join("learner-bo", forger, (channel, socketId) -> "{\"auth\":\"" + KEY + ":" + "0".repeat(64)
                + "\",\"channel_data\":\"{\\\"user_id\\\":\\\"learner-bo\\\"}\"}");
        assertThat(forger.await("error")).contains("Invalid signature");
        assertThat(forger.log).noneMatch(line -> line.startsWith("subscribed"));

        Booking other = new Booking(SessionId.of("s-other"), booking.expert(), booking.learner(), now, Duration.ofHours(1),
                Duration.ofMinutes(10), Duration.ofMinutes(15));
        String wrongTicket = new JoinTicketIssuer(TICKET_KEY, Duration.ofHours(2)).issue(other, ParticipantId.of("learner-bo"), now);
        Seen stranger = new Seen();
        join("learner-bo", stranger, (channel, socketId) -> {
            try {
                return backend.authorize(socketId, channel, wrongTicket, Instant.now()).toJson();
            } catch (PusherAuthException refused) {
                throw new AuthorizationFailureException(refused.getMessage());
            }
        });
        assertThat(stranger.await("auth failure")).contains("WRONG_SESSION");
    }

    @Test
    void afterACloseWith4200TheOfficialClientReconnectsAndIsAuthorisedAgainOnItsNewSocket() throws Exception {
        server = new FakePusherServer(KEY, SECRET);
        Seen learner = new Seen();
        List<String> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
        ChannelAuthorizer ticket = ticketOf("learner-bo");
        join("learner-bo", learner, (channel, socketId) -> {
            sockets.add(socketId);
            return ticket.authorize(channel, socketId);
        });
        learner.await("members");
        server.closeAll(4200, "Reconnect now");
        learner.await("state CONNECTED");
        assertThat(learner.await("members")).isEqualTo("members [learner-bo]");
        // The official client may ask twice on one socket; what matters is a new authorisation for the new socket.
        assertThat(sockets.stream().distinct().count()).as("sockets authorised: %s", sockets).isEqualTo(2);
        assertThat(sockets.get(sockets.size() - 1)).isNotEqualTo(sockets.get(0));
    }

    @Test
    void moreThanTenClientEventsInASecondAreRefusedWithError4301() throws Exception {
        server = new FakePusherServer(KEY, SECRET);
        Seen expert = new Seen();
        Seen learner = new Seen();
        join("expert-ada", expert, ticketOf("expert-ada"));
        expert.await("members");
        PresenceChannel learnerChannel = join("learner-bo", learner, ticketOf("learner-bo"));
        learner.await("members");
        for (int i = 0; i < 15; i++) {
            learnerChannel.trigger("client-duet", "{\"n\":" + i + "}");
        }
        assertThat(learner.await("error")).isEqualTo("error 4301 Client event rate limit reached");
        int delivered = 0;
        for (String line; (line = expert.log.poll(500, TimeUnit.MILLISECONDS)) != null; ) { // until half a second passes quietly
            if (line.startsWith("event client-duet")) {
                delivered++;
            }
        }
        assertThat(delivered).as("events delivered of 15 sent at once").isBetween(1, FakePusherServer.CLIENT_EVENTS_PER_SECOND);
    }

    @Test
    void theOfficialClientAndAPusherTransportSeeEachOtherAndExchangeDuetsEventsAsDocumented() throws Exception {
        server = new FakePusherServer(KEY, SECRET);
        Seen learner = new Seen();
        PresenceChannel learnerChannel = join("learner-bo", learner, ticketOf("learner-bo"),
                PusherTransport.HELLO_EVENT, PusherTransport.SIGNALS_EVENT, PusherTransport.LEAVE_EVENT);
        learner.await("members");
        String learnerSocket = clients.get(0).getConnection().getSocketId();

        var callbacks = java.util.concurrent.Executors.newSingleThreadExecutor();
        String expertTicket = new JoinTicketIssuer(TICKET_KEY, Duration.ofHours(2)).issue(booking, ParticipantId.of("expert-ada"), now);
        try (PusherTransport expert = PusherTransport.webSocket(server.address(), KEY, booking.sessionId(),
                dev.duet.signaling.client.pusher.ChannelAuthorizer.inProcess(backend,
                        dev.duet.signaling.client.TicketSource.of(expertTicket), java.time.Clock.systemUTC()), callbacks)) {
            BlockingQueue<String> heard = new LinkedBlockingQueue<>();
            var joined = expert.join(new dev.duet.signaling.client.SignalingListener() {
                @Override
                public void onMessage(ParticipantId from, Instant relayedAt, dev.duet.signaling.client.PeerMessage message) {
                    heard.add(from + ": " + message);
                }
            }).get(10, TimeUnit.SECONDS);
            // The member list the official client's subscription made, read by the transport: the learner, as the backend signed it.
            assertThat(joined.peer()).hasValueSatisfying(peer -> {
                assertThat(peer.participant()).isEqualTo(ParticipantId.of("learner-bo"));
                assertThat(peer.role()).isEqualTo(dev.duet.core.Role.LEARNER);
                assertThat(peer.connection().value()).isEqualTo(learnerSocket);
            });
            assertThat(learner.await("added")).startsWith("added expert-ada {\"role\":\"expert\",\"connection\":\""
                    + joined.self().connection() + "\"");

            // The transport's hello, as the official client receives it.
            com.fasterxml.jackson.databind.JsonNode hello = data(learner.await("event " + PusherTransport.HELLO_EVENT + " from expert-ada"));
            assertThat(hello.path("client").asText()).isEqualTo(expert.clientId());
            assertThat(hello.path("member").path("connection").asText()).isEqualTo(joined.self().connection().value());
            assertThat(hello.path("sees").asText()).isEqualTo(learnerSocket);

            // The official client answers as docs/protocol.md says a Pusher client does: its own hello first.
            learnerChannel.trigger(PusherTransport.HELLO_EVENT, "{\"client\":\"officialLearner1\",\"member\":{\"role\":\"learner\","
                    + "\"connection\":\"" + learnerSocket + "\",\"arrived_at\":" + joined.peer().get().arrivedAt().toEpochMilli()
                    + "},\"sees\":\"" + joined.self().connection() + "\",\"knows\":\"" + expert.clientId() + "\"}");
            var acknowledged = expert.send(new dev.duet.signaling.client.ChatMessage("Welcome, Bo."));
            com.fasterxml.jackson.databind.JsonNode signals = data(learner.await("event " + PusherTransport.SIGNALS_EVENT + " from expert-ada"));
            assertThat(signals.path("to").asText()).isEqualTo("officialLearner1");
            assertThat(signals.path("msgs")).hasSize(1);
            assertThat(signals.path("msgs").get(0).path("s").asLong()).isEqualTo(1);
            assertThat(JSON.readTree(signals.path("msgs").get(0).path("t").asText()))
                    .isEqualTo(JSON.readTree("{\"v\":1,\"type\":\"send\",\"seq\":1,\"msg\":{\"type\":\"chat\",\"text\":\"Welcome, Bo.\"}}"));
            assertThat(acknowledged).isNotDone();

            var reply = JSON.createObjectNode().put("client", "officialLearner1").put("to", expert.clientId());
            reply.putObject("ack").put("client", expert.clientId()).put("seq", 1);
            reply.putArray("msgs").addObject().put("s", 1).put("p", 0).put("n", 1)
                    .put("t", "{\"v\":1,\"type\":\"send\",\"seq\":1,\"msg\":{\"type\":\"chat\",\"text\":\"Hello Ada!\"}}");
            learnerChannel.trigger(PusherTransport.SIGNALS_EVENT, reply.toString());
            acknowledged.get(10, TimeUnit.SECONDS);
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("learner-bo: ChatMessage[text=Hello Ada!]");
        } finally {
            callbacks.shutdownNow();
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** The data of an event line of {@link Seen}. */
    private static com.fasterxml.jackson.databind.JsonNode data(String eventLine) throws Exception {
        return JSON.readTree(eventLine.substring(eventLine.indexOf(": ") + 2));
    }
}
