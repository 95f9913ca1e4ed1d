package dev.duet.signaling.server;

import dev.duet.testing.Await;

import static dev.duet.signaling.server.TestSession.EXPERT;
import static dev.duet.signaling.server.TestSession.LEARNER;
import static dev.duet.signaling.server.TestSession.SESSION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.DepartureReason;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.signaling.client.CloseCode;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.testing.ManualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The relay's timeouts in virtual time: its timers run on a {@link ManualScheduler} and measure time
 * with its ticker ({@link RelayServer.Builder#timers}), so a test moves time forward instead of
 * waiting, and sees exactly when a timeout fires: not a virtual millisecond before its limit.
 * Frames still travel over real loopback sockets.
 */
class RelayTimeoutsTest {
    private final ManualScheduler time = new ManualScheduler(Instant.parse("2026-11-24T09:58:00Z"));
    private final List<AttendanceEvent> events = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private RelayServer relay;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
        relay.close();
        time.shutdownNow();
    }

    private void relay(RelayLimits limits) throws Exception {
        relay = RelayServer.builder(TestSession.VERIFIER).clock(time.clock()).timers(time, time::nanoTime).limits(limits)
                .eventSink(events::add).start();
        time.awaitScheduled(1, Duration.ofSeconds(5)); // the sweeper
    }

    private RawClient connect() {
        RawClient client = new RawClient(relay.sessionUri(SESSION));
        resources.add(0, client);
        return client;
    }

    /** Waits, in real time, until the relay has registered {@code n} connections (a socket opens asynchronously). */
    private void awaitConnections(int n) throws Exception {
        Await.until(() -> relay.connectionCount() == n, Duration.ofSeconds(5), n + " connections registered");
    }

    @Test
    void aConnectionThatNeverJoinsIsClosedAtTheJoinTimeoutAndNotBefore() throws Exception {
        // A join timeout shorter than the idle timeout (8 s): the client's pongs, which arrive in
        // real time, cannot decide which of the two fires.
        relay(RelayLimits.defaults().withJoinTimeout(Duration.ofSeconds(5)));
        RawClient silent = connect();
        awaitConnections(1);

        time.advance(Duration.ofSeconds(4));
        assertThat(relay.connectionCount()).as("open 4 virtual seconds, 1 s before the join timeout").isEqualTo(1);
        time.advance(Duration.ofSeconds(1));
        assertThat(silent.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.JOIN_TIMEOUT.code());
    }

    @Test
    @SuppressWarnings("try") // the mute client is held open, never used: that is the point
    void aClientThatFallsSilentIsDroppedAsIdleAtTheIdleTimeoutWhileOneThatTalksStays() throws Exception {
        RelayLimits limits = RelayLimits.defaults();
        relay(limits);
        RawClient expert = connect();
        expert.send(new Frame.Join(TestSession.ticket(EXPERT), "expert-client-1", 0));
        expert.next(Frame.JoinAccepted.class);
        try (MuteClient vanished = new MuteClient(relay.sessionUri(SESSION),
                RawClient.CODEC.encode(new Frame.Join(TestSession.ticket(LEARNER), "learner-client-1", 0)))) {
            expert.next(Frame.PeerJoined.class);
            long seconds = limits.idleTimeout().toSeconds();
            for (long s = 1; s < seconds; s++) {
                time.advance(Duration.ofSeconds(1));
                expert.send(new Frame.Ping(s)); // the expert talks every virtual second: heard at this tick
                assertThat(expert.next(Frame.Pong.class).id()).isEqualTo(s);
            }
            assertThat(events).as("nobody left before the idle timeout").noneMatch(AttendanceEvent.ParticipantLeft.class::isInstance);

            time.advance(Duration.ofSeconds(1));
            Frame.PeerLeft left = expert.next(Frame.PeerLeft.class);
            assertThat(left.reason()).isEqualTo(DepartureReason.IDLE);
            assertThat(events).filteredOn(AttendanceEvent.ParticipantLeft.class::isInstance)
                    .extracting(e -> ((AttendanceEvent.ParticipantLeft) e).participant(),
                            e -> ((AttendanceEvent.ParticipantLeft) e).reason(), AttendanceEvent::at)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(LEARNER, DepartureReason.IDLE,
                            Instant.parse("2026-11-24T09:58:00Z").plus(limits.idleTimeout())));
            expert.send(new Frame.Ping(100));
            assertThat(expert.next(Frame.Pong.class).id()).as("the expert, who talked, is still connected").isEqualTo(100);
        }
    }
}
