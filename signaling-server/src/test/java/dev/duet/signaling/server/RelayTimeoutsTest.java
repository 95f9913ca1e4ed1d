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

    /** A client of {@code who} that has joined (its {@code joined} taken). */
    private RawClient joined(dev.duet.core.ParticipantId who, String clientId) {
        RawClient client = connect();
        client.send(new Frame.Join(TestSession.ticket(who), clientId, 0));
        client.next(Frame.JoinAccepted.class);
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
        RawClient expert = joined(EXPERT, "expert-client-1");
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

    @Test
    void theRelayPingsOnlyAConnectionThatHasBeenSilentForAPingInterval() throws Exception {
        RelayLimits limits = RelayLimits.defaults();
        relay(limits);
        RawClient talker = joined(EXPERT, "expert-client-1");
        RawClient quiet = joined(LEARNER, "learner-client-1");
        talker.next(Frame.PeerJoined.class);
        long interval = limits.pingInterval().toSeconds();
        for (long s = 1; s <= interval; s++) {
            time.advance(Duration.ofSeconds(1));
            talker.send(new Frame.Ping(s)); // heard every virtual second
            assertThat(talker.next(Frame.Pong.class).id()).isEqualTo(s);
        }
        Await.until(() -> quiet.pings() == 1, Duration.ofSeconds(5), "the silent connection pinged once its silence reached "
                + interval + " s");
        talker.send(new Frame.Ping(99));
        talker.next(Frame.Pong.class);
        assertThat(talker.pings()).as("a connection that talks needs no ping: it is heard").isZero();
    }

    @Test
    void joinsBeyondTheParticipantsAllowanceAreRefusedWith4429UnrecordedAndTheAllowanceRefills() throws Exception {
        relay(RelayLimits.defaults().withJoinsPerMinute(3));
        RawClient expert = joined(EXPERT, "expert-client-1");
        for (int i = 1; i <= 3; i++) { // one client reconnecting again and again
            RawClient learner = joined(LEARNER, "learner-client-1");
            expert.next(Frame.PeerJoined.class);
        }
        RawClient fourth = connect();
        fourth.send(new Frame.Join(TestSession.ticket(LEARNER), "learner-client-1", 0));
        Frame.Refused refused = fourth.next(Frame.Refused.class);
        assertThat(refused.code()).isEqualTo(CloseCode.RATE_LIMITED.code());
        assertThat(refused.message()).contains("at most 3").contains("per minute");
        assertThat(fourth.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.RATE_LIMITED.code());
        expert.assertNothingWithin(200); // the peer heard nothing of it
        assertThat(events).as("a rate-limited join leaves no record")
                .noneMatch(AttendanceEvent.JoinRefused.class::isInstance)
                .filteredOn(AttendanceEvent.ParticipantJoined.class::isInstance).hasSize(4);
        // The expert's own allowance is its own.
        RawClient expertAgain = joined(EXPERT, "expert-client-1");

        time.advance(Duration.ofSeconds(20)); // 3 per minute: one more after 20 s
        RawClient fifth = joined(LEARNER, "learner-client-1");
    }

    @Test
    void aConnectionThatDoesNotCompleteItsUpgradeInTimeIsDroppedHoweverSlowlyItTrickles() throws Exception {
        relay(RelayLimits.defaults().withUpgradeTimeout(Duration.ofSeconds(5)));
        try (java.net.Socket slow = new java.net.Socket("127.0.0.1", relay.port())) {
            slow.setSoTimeout(200);
            java.io.OutputStream out = slow.getOutputStream();
            out.write(("GET /v1/sessions/" + SESSION.value() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            time.awaitScheduled(2, Duration.ofSeconds(5)); // the sweeper and this connection's deadline
            for (int s = 1; s < 5; s++) {
                time.advance(Duration.ofSeconds(1));
                out.write('X'); // one more header byte every virtual second: never idle
                out.flush();
            }
            assertThat(readsNothingYet(slow)).as("open 4 virtual seconds, 1 s before the upgrade deadline").isTrue();
            time.advance(Duration.ofSeconds(1));
            Await.until(() -> !readsNothingYet(slow), Duration.ofSeconds(5), "the relay drops the trickling connection");
        }
    }

    @Test
    void aConnectionThatUpgradedInTimeOutlivesTheUpgradeDeadline() throws Exception {
        relay(RelayLimits.defaults().withUpgradeTimeout(Duration.ofSeconds(5)));
        RawClient expert = joined(EXPERT, "expert-client-1");
        for (int s = 1; s <= 7; s++) { // past the 5-s deadline, talking each virtual second (so never idle)
            time.advance(Duration.ofSeconds(1));
            expert.send(new Frame.Ping(s));
            assertThat(expert.next(Frame.Pong.class).id()).as("still connected after %s virtual seconds", s).isEqualTo(s);
        }
    }

    /** True while the socket is open with nothing to read; false once the relay has acted on it (closed it, or answered). */
    private static boolean readsNothingYet(java.net.Socket socket) {
        try {
            socket.getInputStream().read();
            return false;
        } catch (java.net.SocketTimeoutException open) {
            return true;
        } catch (java.io.IOException reset) {
            return false;
        }
    }
}
