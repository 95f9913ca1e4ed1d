package dev.duet.signaling.server;

import dev.duet.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.testing.ProcessOutput;
import dev.duet.testing.RedisProcess;

import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.CloseCode;
import dev.duet.signaling.client.wire.Frame;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Several relay nodes sharing sessions through a real redis-server. */
class RedisRelayTest {
    private static RedisProcess redis;
    private static int sessionCounter;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final JoinTicketIssuer issuer = TestSession.ISSUER;
    private Booking booking;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    /** A fresh session around the real time (the nodes run on the system clock). */
    private SessionId newSession() {
        booking = TestSession.startingNow("redis-s" + (++sessionCounter) + "-");
        return booking.sessionId();
    }

    private String ticket(ParticipantId who) {
        return issuer.issue(booking, who, Instant.now());
    }

    private RelayServer node() throws Exception {
        return node(RelayLimits.defaults());
    }

    private RelayServer node(RelayLimits limits) throws Exception {
        RelayServer node = RelayServer.builder(TestSession.VERIFIER).redis(redis.uri()).limits(limits).start();
        resources.add(0, node);
        return node;
    }

    private RawClient join(RelayServer node, SessionId session, ParticipantId who, String clientId) {
        RawClient client = new RawClient(node.sessionUri(session));
        resources.add(0, client);
        client.send(new Frame.Join(ticket(who), clientId, 0));
        return client;
    }

    @Test
    void clientsOnTwoNodesSeeEachOtherAndExchangeMessagesInOrder() throws Exception {
        RelayServer a = node();
        RelayServer b = node();
        SessionId session = newSession();
        RawClient expert = join(a, session, TestSession.EXPERT, "expert-client-1");
        Member expertSelf = expert.next(Frame.JoinAccepted.class).self();
        RawClient learner = join(b, session, TestSession.LEARNER, "learner-client-1");
        Frame.JoinAccepted learnerJoined = learner.next(Frame.JoinAccepted.class);
        assertThat(learnerJoined.peer()).contains(expertSelf);
        assertThat(expert.next(Frame.PeerJoined.class).peer()).isEqualTo(learnerJoined.self());

        for (int i = 1; i <= 30; i++) {
            learner.send(new Frame.Send(i, new ChatMessage("across " + i)));
            expert.send(new Frame.Send(i, new ChatMessage("back " + i)));
        }
        List<String> expertGot = new ArrayList<>();
        while (expertGot.size() < 30) {
            if (expert.next() instanceof Frame.Deliver d) {
                assertThat(d.from()).isEqualTo(TestSession.LEARNER);
                assertThat(d.dseq()).isEqualTo(expertGot.size() + 1);
                expertGot.add(((ChatMessage) d.message()).text());
            }
        }
        List<String> learnerGot = new ArrayList<>();
        while (learnerGot.size() < 30) {
            if (learner.next() instanceof Frame.Deliver d) {
                learnerGot.add(((ChatMessage) d.message()).text());
            }
        }
        assertThat(expertGot).first().isEqualTo("across 1");
        assertThat(expertGot).last().isEqualTo("across 30");
        assertThat(learnerGot).last().isEqualTo("back 30");

        learner.send(new Frame.Leave("done"));
        Frame f;
        do {
            f = expert.next();
        } while (!(f instanceof Frame.PeerLeft));
        assertThat(((Frame.PeerLeft) f).connection()).isEqualTo(learnerJoined.self().connection());
    }

    @Test
    void onRedisToOnlyAMediaReportTheRelayAcceptsIsRecorded() throws Exception {
        List<dev.duet.core.attendance.AttendanceEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        RelayServer node = RelayServer.builder(TestSession.VERIFIER).redis(redis.uri()).eventSink(events::add).start();
        resources.add(0, node);
        SessionId session = newSession();
        RawClient expert = join(node, session, TestSession.EXPERT, "expert-client-1");
        expert.next(Frame.JoinAccepted.class);
        dev.duet.signaling.client.MediaReport report = new dev.duet.signaling.client.MediaReport(java.util.Optional.empty(),
                Instant.now(), false, List.of(dev.duet.signaling.client.StreamReport.of(dev.duet.core.MediaDirection.INBOUND,
                        dev.duet.core.MediaKind.AUDIO, true, 32)));
        expert.send(new Frame.Send(2, report));
        assertThat(expert.next(Frame.Error.class).code()).isEqualTo(dev.duet.signaling.client.wire.ProtocolError.OUT_OF_ORDER);
        expert.send(new Frame.Send(1, report));
        expert.next(Frame.Accepted.class);
        assertThat(events).filteredOn(dev.duet.core.attendance.AttendanceEvent.MediaReported.class::isInstance).hasSize(1);
    }

    @Test
    void onRedisToOnlyOneParticipantPerRoleIsAdmittedAcrossNodes() throws Exception {
        RelayServer a = node();
        RelayServer b = node();
        SessionId session = newSession();
        join(a, session, TestSession.EXPERT, "expert-client-1").next(Frame.JoinAccepted.class);
        Booking other = new Booking(session, Participant.expert("expert-eve", "Eve"), booking.learner(), booking.start(),
                Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
        RawClient eve = new RawClient(b.sessionUri(session));
        resources.add(0, eve);
        eve.send(new Frame.Join(issuer.issue(other, ParticipantId.of("expert-eve"), Instant.now()), "client-eve", 0));
        assertThat(eve.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.TICKET_WRONG_SESSION.code());
        join(b, session, TestSession.LEARNER, "learner-client-1").next(Frame.JoinAccepted.class);
    }

    @Test
    void rejoiningOnAnotherNodeReplacesTheOldConnection() throws Exception {
        RelayServer a = node();
        RelayServer b = node();
        SessionId session = newSession();
        RawClient expert = join(a, session, TestSession.EXPERT, "expert-client-1");
        expert.next(Frame.JoinAccepted.class);
        RawClient first = join(a, session, TestSession.LEARNER, "learner-client-1");
        first.next(Frame.JoinAccepted.class);
        expert.next(Frame.PeerJoined.class);

        RawClient second = join(b, session, TestSession.LEARNER, "learner-client-1");
        Member again = second.next(Frame.JoinAccepted.class).self();
        assertThat(first.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.REPLACED.code());
        assertThat(expert.next(Frame.PeerJoined.class).peer()).isEqualTo(again);

        // Another client instance with the learner's ticket, on the other node, while it is live: refused.
        RawClient copy = join(a, session, TestSession.LEARNER, "copied-ticket-client");
        assertThat(copy.next(Frame.Refused.class).code()).isEqualTo(CloseCode.TICKET_IN_USE.code());
        assertThat(copy.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.TICKET_IN_USE.code());
    }

    @Test
    void membersOfANodeKilledWithSigkillAreRemovedWithinTheTtl() throws Exception {
        List<dev.duet.core.attendance.AttendanceEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        RelayServer a = RelayServer.builder(TestSession.VERIFIER).redis(redis.uri()).eventSink(events::add).start();
        resources.add(0, a);
        SessionId session = newSession();
        Process child = startChildNode();
        try {
            int childPort = childPort(child);
            RawClient expert = join(a, session, TestSession.EXPERT, "expert-client-1");
            expert.next(Frame.JoinAccepted.class);
            RawClient learner = new RawClient(java.net.URI.create("ws://127.0.0.1:" + childPort + "/v1/sessions/" + session.value()));
            resources.add(0, learner);
            learner.send(new Frame.Join(ticket(TestSession.LEARNER), "learner-client-1", 0));
            Member learnerSelf = learner.next(Frame.JoinAccepted.class).self();
            assertThat(expert.next(Frame.PeerJoined.class).peer()).isEqualTo(learnerSelf);

            long killedAt = System.nanoTime();
            Instant killedAtClock = Instant.now();
            child.destroyForcibly(); // SIGKILL: no close frames, no cleanup
            assertThat(child.waitFor(5, TimeUnit.SECONDS)).isTrue();
            Frame.PeerLeft left = expert.next(Frame.PeerLeft.class);
            Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
            assertThat(left.connection()).isEqualTo(learnerSelf.connection());
            assertThat(took).as("members of the dead node removed within the node TTL (3 s) plus a sweep").isLessThan(Duration.ofSeconds(5));
            // The dead node recorded nothing; the survivor puts the departure on the record, at the dead
            // node's last heartbeat (it beats every second), not when the loss was noticed. (It records
            // it right after its sweep told the peer: wait for it.)
            Await.until(() -> events.stream().anyMatch(dev.duet.core.attendance.AttendanceEvent.ParticipantLeft.class::isInstance),
                    Duration.ofSeconds(5), "the departure on the record");
            assertThat(events).filteredOn(dev.duet.core.attendance.AttendanceEvent.ParticipantLeft.class::isInstance)
                    .map(e -> (dev.duet.core.attendance.AttendanceEvent.ParticipantLeft) e)
                    .singleElement().satisfies(l -> {
                        assertThat(l.participant()).isEqualTo(TestSession.LEARNER);
                        assertThat(l.connection()).isEqualTo(learnerSelf.connection());
                        assertThat(l.reason()).isEqualTo(dev.duet.core.DepartureReason.CONNECTION_LOST);
                        assertThat(l.at()).as("the last heartbeat before the kill at %s", killedAtClock)
                                .isBetween(killedAtClock.minusMillis(1500), killedAtClock);
                    });
            assertThat(left.leftAt()).as("the peer is told the same moment").isBeforeOrEqualTo(killedAtClock);
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void hundredsOfMessagesEachWayAreDeliveredAndAcknowledgedAcrossNodesWithoutAClose() throws Exception {
        // A rate limit this test's unpaced client stays under; the default one is tested elsewhere.
        RelayLimits fast = new RelayLimits(10_000, 100_000, 100, Duration.ofSeconds(3), Duration.ofSeconds(8),
                Duration.ofSeconds(10), 1024);
        RelayServer a = node(fast);
        RelayServer b = node(fast);
        SessionId session = newSession();
        RawClient expert = join(a, session, TestSession.EXPERT, "expert-client-1");
        expert.next(Frame.JoinAccepted.class);
        RawClient learner = join(b, session, TestSession.LEARNER, "learner-client-1");
        learner.next(Frame.JoinAccepted.class);
        expert.next(Frame.PeerJoined.class);
        int n = 300;
        List<Long> expertAcked = new ArrayList<>();
        List<Long> learnerAcked = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            learner.send(new Frame.Send(i, new ChatMessage("to expert " + i)));
            expert.send(new Frame.Send(i, new ChatMessage("to learner " + i)));
            // Each side acknowledges every delivery it has, as a client does (cumulatively).
            drainAndAck(expert, expertAcked);
            drainAndAck(learner, learnerAcked);
        }
        while (expertAcked.size() < n || learnerAcked.size() < n) {
            if (expertAcked.size() < n) {
                awaitAndAck(expert, expertAcked);
            }
            if (learnerAcked.size() < n) {
                awaitAndAck(learner, learnerAcked);
            }
        }
        assertThat(expertAcked).hasSize(n).isSorted();
        assertThat(learnerAcked).hasSize(n).isSorted();
        // Nothing was closed: both still exchange a message, and a rejoin replays nothing (everything was acknowledged).
        learner.send(new Frame.Send(n + 1, new ChatMessage("still here")));
        Frame.Deliver last;
        do {
            last = nextDeliverOrSkip(expert);
        } while (last == null);
        assertThat(((ChatMessage) last.message()).text()).isEqualTo("still here");
        assertThat(a.connectionCount() + b.connectionCount()).isEqualTo(2);
        // A rejoin that has processed everything (lastDelivered) gets nothing again. (Whether the old
        // connection's last acks were applied before the new join is a race, so the rejoin says what it has.)
        RawClient again = new RawClient(a.sessionUri(session));
        resources.add(0, again);
        again.send(new Frame.Join(ticket(TestSession.EXPERT), "expert-client-1", last.dseq()));
        again.next(Frame.JoinAccepted.class);
        again.assertNothingWithin(500);
    }

    private static void drainAndAck(RawClient client, List<Long> acked) throws Exception {
        Frame f;
        while ((f = client.poll(0)) != null) {
            ack(client, f, acked);
        }
    }

    private static void awaitAndAck(RawClient client, List<Long> acked) throws Exception {
        Frame f = client.poll(5000);
        assertThat(f).as("a frame within 5 s (acknowledged so far: %d)", acked.size()).isNotNull();
        ack(client, f, acked);
    }

    private static void ack(RawClient client, Frame f, List<Long> acked) {
        if (f instanceof Frame.Deliver d) {
            client.send(new Frame.Ack(d.dseq()));
            acked.add(d.dseq());
        }
    }

    private static Frame.Deliver nextDeliverOrSkip(RawClient client) {
        Frame f = client.next();
        return f instanceof Frame.Deliver d ? d : null;
    }

    @Test
    void joiningAClosedSessionOnAnotherNodeIsRefusedWith4499() throws Exception {
        RelayServer a = node();
        RelayServer b = node();
        SessionId session = newSession();
        RawClient expert = join(a, session, TestSession.EXPERT, "expert-client-1");
        expert.next(Frame.JoinAccepted.class);
        assertThat(a.closeSession(session, "over")).isTrue();
        assertThat(b.closeSession(session, "over")).as("closed once, whichever node asks").isFalse();
        assertThat(expert.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.SESSION_CLOSED.code());
        RawClient learner = join(b, session, TestSession.LEARNER, "learner-client-1");
        assertThat(learner.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.SESSION_CLOSED.code());
    }

    private Process startChildNode() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                RelayMain.class.getName(), "--port", "0", "--redis", redis.uri().toString());
        pb.environment().put(RelayMain.KEYS_ENV, TestSession.KEY.keyId() + ":" + Base64.getEncoder().encodeToString(
                new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
                        28, 29, 30, 31, 32}));
        pb.redirectErrorStream(true);
        return pb.start();
    }

    /** Reads the child's log until it says where it listens. */
    private static int childPort(Process child) throws Exception {
        return Integer.parseInt(ProcessOutput.awaitLine(child, Pattern.compile("listening on [^:]+:(\\d+)"),
                Duration.ofSeconds(30)).group(1));
    }
}
