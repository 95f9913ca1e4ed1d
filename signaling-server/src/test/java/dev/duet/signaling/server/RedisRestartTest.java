package dev.duet.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.signaling.client.CloseReason;
import dev.duet.signaling.client.JoinResult;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.testing.RedisProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Redis is killed under a relay node in the middle of a call and started again, empty, on the same
 * port. While it is gone, a join is refused with 1011 and a reason that names no exception or
 * address; the node needs no restart: when Redis is back, the node closes the connections the
 * empty Redis no longer knows, both clients resume on its new incarnation (docs/protocol.md §7.1),
 * and every message, those sent during the outage included, arrives once and in order.
 */
class RedisRestartTest {
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

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(0, resource);
        return resource;
    }

    @Test
    void theNodeDegradesWhileRedisIsDownAndRecoversByItselfWhenItComesBackEmpty() throws Exception {
        RedisProcess redis = keep(RedisProcess.start());
        RelayServer node = keep(RelayServer.builder(TestSession.VERIFIER).redis(redis.uri()).start());
        Booking booking = TestSession.startingNow("redis-restart-");
        JoinTicketIssuer issuer = TestSession.ISSUER;
        RecordingListener expertEvents = new RecordingListener("expert-session");
        RecordingListener learnerEvents = new RecordingListener("learner-session");
        SignalingTransport expert = keep(RelayTransport.webSocket(node.sessionUri(booking.sessionId()),
                TicketSource.of(issuer.issue(booking, TestSession.EXPERT, Instant.now())), expertThread));
        SignalingTransport learner = keep(RelayTransport.webSocket(node.sessionUri(booking.sessionId()),
                TicketSource.of(issuer.issue(booking, TestSession.LEARNER, Instant.now())), learnerThread));
        expert.join(expertEvents).get(10, TimeUnit.SECONDS);
        JoinResult l = learner.join(learnerEvents).get(10, TimeUnit.SECONDS);
        assertThat(RecordingListener.take(expertEvents.presence, 5)).isEqualTo(l.self());
        Conversation.sendBothWays(expert, learner, 1, 5).get(10, TimeUnit.SECONDS);
        // Delivered, not only accepted, before the kill: an empty Redis loses what it had accepted and
        // not yet delivered (docs/protocol.md §7.1), and that is not what this test is about.
        Conversation.expectBothWays(expertEvents, learnerEvents, 1, 5);

        redis.kill();
        // A join while Redis is gone: refused with 1011, and the reason gives nothing away.
        RawClient late = keep(new RawClient(node.sessionUri(booking.sessionId())));
        late.send(new Frame.Join(issuer.issue(booking, TestSession.LEARNER, Instant.now()), "late-client-1", 0));
        assertThat(late.closeCode(Duration.ofSeconds(10))).isEqualTo(1011);
        assertThat(late.closeReason()).isEqualTo("internal-error: the relay failed on a frame; reconnect")
                .doesNotContainIgnoringCase("exception").doesNotContainIgnoringCase("redis").doesNotContain("127.0.0.1");
        CompletableFuture<Void> duringOutage = Conversation.sendBothWays(expert, learner, 6, 10);

        redis.restart(); // empty: every session is forgotten
        duringOutage.get(60, TimeUnit.SECONDS);
        Conversation.sendBothWays(expert, learner, 11, 12).get(20, TimeUnit.SECONDS);
        Conversation.expectBothWays(expertEvents, learnerEvents, 6, 12);
        assertThat(expertEvents.messages).isEmpty();
        assertThat(learnerEvents.messages).isEmpty();
        // Resumed, not rejoined: the epoch goes on.
        assertThat(expertEvents.presence).isEmpty();
        assertThat(learnerEvents.presence).isEmpty();
        assertThat(expertEvents.lifecycle).noneMatch(e -> e instanceof JoinResult || e instanceof CloseReason);
        assertThat(learnerEvents.lifecycle).noneMatch(e -> e instanceof JoinResult || e instanceof CloseReason);
        assertThat(expert.state()).isEqualTo(SignalingTransport.State.JOINED);

        // The connections closed while Redis was down (their departure could not be recorded) left
        // the node's room anyway: once both leave, the node holds nothing.
        expert.leave("done").get(10, TimeUnit.SECONDS);
        learner.leave("done").get(10, TimeUnit.SECONDS);
        late.close();
        dev.duet.testing.Await.until(() -> node.sessionCount() == 0 && node.connectionCount() == 0, Duration.ofSeconds(10),
                "the node holding no session and no connection");
    }
}
