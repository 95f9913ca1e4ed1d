package dev.duet.webrtc;

import dev.duet.core.attendance.AttendanceEvent;
import static dev.duet.webrtc.CallHarness.EXPERT;
import static dev.duet.webrtc.CallHarness.LEARNER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.DepartureReason;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.signaling.client.RelayUnreachableException;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.client.UpgradeRefusedException;
import dev.duet.webrtc.CallHarness.RelayKind;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A call never hangs: not on a wrong relay address, not on a many-threaded executor, not on a lost bye. */
class CallEdgesTest {
    @RegisterExtension
    static final SyntheticEngine engine = new SyntheticEngine();

    @Test
    void simultaneousArrivalsOnAManyThreadedExecutorAlwaysConnect() throws Exception {
        // A many-threaded executor at its worst: each task runs on one of four threads after a random
        // 0-30 ms, so tasks handed over in one order may run in another.
        java.util.concurrent.ScheduledExecutorService threads = Executors.newScheduledThreadPool(4);
        java.util.Random random = new java.util.Random(42);
        java.util.concurrent.Executor pool = task -> threads.schedule(task, random.nextInt(31), TimeUnit.MILLISECONDS);
        try {
            for (int round = 0; round < 8; round++) {
                // A fixed relay clock: both arrivals get the same stamp, the tie-break decides.
                try (CallHarness session = new CallHarness(engine.get(), RelayKind.WEBSOCKET, Clock.fixed(Instant.now(), ZoneOffset.UTC))) {
                    CallRecorder expert = new CallRecorder("expert");
                    CallRecorder learner = new CallRecorder("learner");
                    DuetCall expertCall = session.keep(DuetCall.builder(engine.get(), session.transport(EXPERT, pool))
                            .listener(expert).media(LocalMedia.synthetic()));
                    DuetCall learnerCall = session.keep(DuetCall.builder(engine.get(), session.transport(LEARNER, pool))
                            .listener(learner).media(LocalMedia.synthetic()));
                    expertCall.start();
                    learnerCall.start();
                    expert.await(expert.connected, Duration.ofSeconds(15), "connected (round " + round + ")");
                    learner.await(learner.connected, Duration.ofSeconds(15), "connected (round " + round + ")");
                    expertCall.hangUp("round over").get(10, TimeUnit.SECONDS);
                    learner.await(learner.ended, Duration.ofSeconds(10), "end after the expert hung up");
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void onEndedIsTheLastCallbackEvenWhenThePeersDepartureComesAfterItsBye() throws Exception {
        try (CallHarness session = new CallHarness(engine.get(), RelayKind.WEBSOCKET)) {
            CallHarness.Pair pair = session.flowingPair();
            pair.expertCall().hangUp("lesson over").get(10, TimeUnit.SECONDS);
            CallEnd end = pair.learner().await(pair.learner().ended, Duration.ofSeconds(10), "the learner's end");
            assertThat(end.reason()).contains("lesson over");
            // The relay's peer-left for the expert (hung-up) reaches the learner's transport after the bye.
            session.awaitDeparture(EXPERT);
            session.awaitDeparture(LEARNER);
            assertThat(pair.learner().afterEnded).as("callbacks after onEnded").isEmpty();
            assertThat(pair.expert().afterEnded).as("callbacks after onEnded").isEmpty();
        }
    }

    @Test
    void aHangUpWhoseByeNeverArrivesStillEndsThePeersCall() throws Exception {
        try (CallHarness session = new CallHarness(engine.get(), RelayKind.WEBSOCKET)) {
            CallRecorder learner = new CallRecorder("learner");
            DuetCall learnerCall = session.call(LEARNER, learner);
            learnerCall.start().get(10, TimeUnit.SECONDS);
            // The expert is a bare transport: it joins and hangs up without ever sending a bye.
            SignalingTransport expert = RelayTransport.webSocket(session.sessionUri(), TicketSource.of(session.ticket(EXPERT)),
                    Runnable::run);
            expert.join(new dev.duet.signaling.client.SignalingListener() { }).get(10, TimeUnit.SECONDS);
            learner.await(learner.peers, Duration.ofSeconds(10), "the expert's arrival");
            expert.hangUp("lesson over", Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
            CallEnd end = learner.await(learner.ended, Duration.ofSeconds(10), "the learner's end");
            assertThat(end.reason()).contains("peer hung up");
            assertThat(end.failed()).isFalse();
            AttendanceEvent.ParticipantLeft expertLeft = session.awaitDeparture(EXPERT);
            assertThat(expertLeft.reason()).isEqualTo(DepartureReason.HUNG_UP);
        }
    }

    @Test
    void startFailsAtOnceOnARefusedUpgradeAndAfterTheJoinTimeoutWhenNothingListens() throws Exception {
        try (CallHarness session = new CallHarness(engine.get(), RelayKind.WEBSOCKET)) {
            URI wrongPath = URI.create(session.sessionUri().toString().replace("/v1/sessions/", "/v1/session/"));
            CallRecorder refused = new CallRecorder("refused");
            DuetCall call = session.keep(DuetCall.builder(engine.get(), RelayTransport.webSocket(wrongPath,
                    TicketSource.of(session.ticket(EXPERT)), Runnable::run)).listener(refused));
            long started = System.nanoTime();
            assertThatThrownBy(() -> call.start().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(UpgradeRefusedException.class, e -> assertThat(e.status()).isEqualTo(404));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
            assertThat(refused.await(refused.errors, Duration.ofSeconds(1), "error").kind()).isEqualTo(CallError.Kind.JOIN_REFUSED);

            int deadPort;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                deadPort = probe.getLocalPort();
            }
            CallRecorder unreachable = new CallRecorder("unreachable");
            DuetCall lost = session.keep(DuetCall.builder(engine.get(), RelayTransport.webSocket(
                    URI.create("ws://127.0.0.1:" + deadPort + "/v1/sessions/" + session.booking.sessionId().value()),
                    TicketSource.of(session.ticket(LEARNER)), Runnable::run, Duration.ofSeconds(2))).listener(unreachable));
            assertThatThrownBy(() -> lost.start().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(RelayUnreachableException.class);
            assertThat(unreachable.await(unreachable.errors, Duration.ofSeconds(1), "error").kind())
                    .isEqualTo(CallError.Kind.RELAY_UNREACHABLE);
            assertThat(unreachable.story()).contains("signaling interrupted");
        }
    }
}
