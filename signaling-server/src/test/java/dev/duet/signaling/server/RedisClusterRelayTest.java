package dev.duet.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.testing.RedisClusterProcess;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.CloseCode;
import dev.duet.signaling.client.wire.Frame;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two relay nodes sharing sessions through a real three-node Redis Cluster. */
class RedisClusterRelayTest {
    private static RedisClusterProcess cluster;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final JoinTicketIssuer issuer = TestSession.ISSUER;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RedisClusterProcess.start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private RelayServer node() throws Exception {
        RelayServer node = RelayServer.builder(TestSession.VERIFIER).redisCluster(cluster.seeds()).start();
        resources.add(0, node);
        return node;
    }

    private RawClient join(RelayServer node, Booking booking, ParticipantId who, String clientId) {
        RawClient client = new RawClient(node.sessionUri(booking.sessionId()));
        resources.add(0, client);
        client.send(new Frame.Join(issuer.issue(booking, who, Instant.now()), clientId, 0));
        return client;
    }

    @Test
    void sessionsWhoseParticipantsAreOnDifferentNodesJoinForwardAndClose() throws Exception {
        RelayServer a = node();
        RelayServer b = node();
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        // Several sessions, so that their hash slots fall on different cluster nodes.
        for (int s = 0; s < 6; s++) {
            Booking booking = new Booking(SessionId.of("cluster-" + s + "-" + start.getEpochSecond()),
                    Participant.expert("expert-ada", "Ada"), Participant.learner("learner-bo", "Bo"), start, Duration.ofHours(1),
                    Duration.ofMinutes(10), Duration.ofMinutes(15));
            RawClient expert = join(a, booking, TestSession.EXPERT, "expert-client-" + s);
            Member expertSelf = expert.next(Frame.JoinAccepted.class).self();
            RawClient learner = join(b, booking, TestSession.LEARNER, "learner-client-" + s);
            Frame.JoinAccepted learnerJoined = learner.next(Frame.JoinAccepted.class);
            assertThat(learnerJoined.peer()).as("session %d", s).contains(expertSelf);
            assertThat(expert.next(Frame.PeerJoined.class).peer()).isEqualTo(learnerJoined.self());

            for (int i = 1; i <= 20; i++) {
                learner.send(new Frame.Send(i, new ChatMessage("to expert " + i)));
            }
            for (int i = 1; i <= 20; i++) {
                Frame f;
                do {
                    f = expert.next();
                } while (!(f instanceof Frame.Deliver));
                Frame.Deliver d = (Frame.Deliver) f;
                assertThat(d.dseq()).isEqualTo(i);
                assertThat(((ChatMessage) d.message()).text()).isEqualTo("to expert " + i);
                expert.send(new Frame.Ack(d.dseq()));
            }

            assertThat(b.closeSession(booking.sessionId(), "over")).isTrue();
            assertThat(a.closeSession(booking.sessionId(), "over")).isFalse();
            assertThat(expert.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.SESSION_CLOSED.code());
            assertThat(learner.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.SESSION_CLOSED.code());
            RawClient late = join(a, booking, TestSession.EXPERT, "expert-client-late-" + s);
            assertThat(late.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.SESSION_CLOSED.code());
        }
    }
}
