package dev.duet.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.signaling.client.JoinResult;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.testing.RedisProcess;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two relay nodes share one Redis; both participants are on node A, a process of its own, when it
 * is killed with SIGKILL. Their transports, given both nodes' addresses, fail over to node B and
 * rejoin the session there: the call goes on, and every message, those sent while A was dying too,
 * arrives once and in order.
 */
class NodeFailoverTest {
    @Test
    void whenTheirNodeDiesBothClientsFailOverToTheOtherNodeAndTheCallGoesOn() throws Exception {
        ExecutorService expertThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "expert-session"));
        ExecutorService learnerThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "learner-session"));
        Process nodeA = null;
        try (RedisProcess redis = RedisProcess.start();
                RelayServer nodeB = RelayServer.builder(TestSession.VERIFIER).redis(redis.uri()).start()) {
            nodeA = RelayProcess.launch("--port", "0", "--redis", redis.uri().toString());
            int portA = RelayProcess.awaitPort(nodeA);
            Booking booking = TestSession.startingNow("failover-");
            JoinTicketIssuer issuer = TestSession.ISSUER;
            List<URI> nodes = List.of(URI.create("ws://127.0.0.1:" + portA + "/v1/sessions/" + booking.sessionId().value()),
                    nodeB.sessionUri(booking.sessionId()));
            RecordingListener expertEvents = new RecordingListener("expert-session");
            RecordingListener learnerEvents = new RecordingListener("learner-session");
            try (SignalingTransport expert = RelayTransport.webSocket(nodes,
                    TicketSource.of(issuer.issue(booking, TestSession.EXPERT, Instant.now())), expertThread, Duration.ofSeconds(30));
                    SignalingTransport learner = RelayTransport.webSocket(nodes,
                            TicketSource.of(issuer.issue(booking, TestSession.LEARNER, Instant.now())), learnerThread,
                            Duration.ofSeconds(30))) {
                expert.join(expertEvents).get(10, TimeUnit.SECONDS);
                JoinResult l = learner.join(learnerEvents).get(10, TimeUnit.SECONDS);
                assertThat(RecordingListener.take(expertEvents.presence, 5)).isEqualTo(l.self());
                assertThat(nodeB.connectionCount()).as("both on node A first").isZero();
                Conversation.sendBothWays(expert, learner, 1, 5).get(10, TimeUnit.SECONDS);

                nodeA.destroyForcibly(); // SIGKILL
                assertThat(nodeA.waitFor(10, TimeUnit.SECONDS)).isTrue();
                CompletableFuture<Void> duringFailover = Conversation.sendBothWays(expert, learner, 6, 10);
                duringFailover.get(60, TimeUnit.SECONDS);
                assertThat(nodeB.connectionCount()).as("both on node B now").isEqualTo(2);
                Conversation.sendBothWays(expert, learner, 11, 12).get(10, TimeUnit.SECONDS);
                Conversation.expectBothWays(expertEvents, learnerEvents, 1, 12);
                assertThat(expertEvents.messages).isEmpty();
                assertThat(learnerEvents.messages).isEmpty();
                assertThat(expert.state()).isEqualTo(SignalingTransport.State.JOINED);
                assertThat(learner.state()).isEqualTo(SignalingTransport.State.JOINED);
            }
        } finally {
            if (nodeA != null) {
                nodeA.destroyForcibly();
            }
            expertThread.shutdownNow();
            learnerThread.shutdownNow();
        }
    }
}
