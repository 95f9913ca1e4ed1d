package dev.duet.webrtc;

import dev.duet.core.attendance.AttendanceEvent;
import static dev.duet.webrtc.CallHarness.EXPERT;
import static dev.duet.webrtc.CallHarness.LEARNER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.NegotiationState;
import dev.duet.signaling.client.MediaReport;
import dev.duet.webrtc.CallHarness.RelayKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two real Java peers in one JVM, through the in-memory relay and through the real WebSocket relay.
 * Every test ends only when each side's own stats show audio and video flowing in both directions.
 */
class TwoPeerCallTest {
    private static final Duration MEDIA_WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    static final SyntheticEngine engine = new SyntheticEngine();
    private static ScheduledExecutorService later;

    @BeforeAll
    static void later() {
        later = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stopLater() {
        if (later != null) {
            later.shutdownNow();
        }
    }

    enum Arrival { EXPERT_FIRST, LEARNER_FIRST, SIMULTANEOUS }

    @ParameterizedTest(name = "in memory, {0}")
    @EnumSource(Arrival.class)
    void inMemoryRelayEveryArrivalOrderEndsWithMediaBothWays(Arrival arrival) throws Exception {
        callWith(RelayKind.IN_MEMORY, arrival);
    }

    @ParameterizedTest(name = "websocket relay, {0}")
    @EnumSource(Arrival.class)
    void webSocketRelayEveryArrivalOrderEndsWithMediaBothWays(Arrival arrival) throws Exception {
        callWith(RelayKind.WEBSOCKET, arrival);
    }

    @ParameterizedTest(name = "pusher, {0}")
    @EnumSource(Arrival.class)
    void pusherEveryArrivalOrderEndsWithMediaBothWays(Arrival arrival) throws Exception {
        callWith(RelayKind.PUSHER, arrival);
    }

    /**
     * Pusher closes every connection with 4200 mid-call (as in a cluster's maintenance): both sides
     * reconnect at once, are signed again for their new sockets, and, being new connections,
     * negotiate a new epoch as after a network drop on the relay; media flows both ways again and chat
     * works both ways.
     */
    @org.junit.jupiter.api.Test
    void overPusherACloseWith4200MidCallEndsWithMediaAndChatAgain() throws Exception {
        try (CallHarness session = new CallHarness(engine.get(), RelayKind.PUSHER)) {
            CallHarness.Pair pair = session.flowingPair();
            int offers = pair.expert().localOffers + pair.learner().localOffers;
            session.pusherServer().closeAll(4200, "Reconnect immediately");
            pair.learnerCall().sendChat("are you still there?").get(30, TimeUnit.SECONDS);
            assertThat(pair.expert().await(pair.expert().chats, Duration.ofSeconds(30), "chat after the reconnect"))
                    .isEqualTo("are you still there?");
            pair.expertCall().sendChat("yes").get(30, TimeUnit.SECONDS);
            assertThat(pair.learner().await(pair.learner().chats, Duration.ofSeconds(30), "chat after the reconnect")).isEqualTo("yes");
            assertThat(pair.expert().localOffers + pair.learner().localOffers).as("a new epoch was negotiated\n%s\n%s",
                    pair.expert().story(), pair.learner().story()).isGreaterThan(offers);
            pair.expert().reports.clear();
            pair.learner().reports.clear();
            assertTwoWayMedia(pair.expert(), pair.learner());
            assertThat(session.pusherServer().errors).isEmpty();
        }
    }

    private void callWith(RelayKind kind, Arrival arrival) throws Exception {
        // Simultaneous arrivals get the same relay stamp (a fixed relay clock): the tie-break decides.
        Clock relayClock = arrival == Arrival.SIMULTANEOUS ? Clock.fixed(Instant.now(), ZoneOffset.UTC) : Clock.systemUTC();
        try (CallHarness session = new CallHarness(engine.get(), kind, relayClock)) {
            CallRecorder expert = new CallRecorder("expert");
            CallRecorder learner = new CallRecorder("learner");
            DuetCall expertCall = session.call(EXPERT, expert);
            DuetCall learnerCall = session.call(LEARNER, learner);
            switch (arrival) {
                case EXPERT_FIRST -> {
                    expertCall.start().get(10, TimeUnit.SECONDS);
                    learnerCall.start().get(10, TimeUnit.SECONDS);
                }
                case LEARNER_FIRST -> {
                    learnerCall.start().get(10, TimeUnit.SECONDS);
                    expertCall.start().get(10, TimeUnit.SECONDS);
                }
                case SIMULTANEOUS -> CompletableFuture.allOf(expertCall.start(), learnerCall.start()).get(10, TimeUnit.SECONDS);
            }

            assertTwoWayMedia(expert, learner);
            // The later arrival offers; equal stamps go to the greater participant id ("learner-bo").
            CallRecorder initiator = arrival == Arrival.EXPERT_FIRST ? learner : arrival == Arrival.LEARNER_FIRST ? expert : learner;
            CallRecorder answerer = initiator == learner ? expert : learner;
            assertThat(initiator.localOffers).as("offers made by the later arrival").isEqualTo(1);
            assertThat(answerer.localOffers).as("offers made by the first arrival").isZero();
            assertThat(answerer.remoteOffers).isEqualTo(1);

            expertCall.sendChat("Welcome, Bo.").get(5, TimeUnit.SECONDS);
            learnerCall.sendChat("Hello Ada!").get(5, TimeUnit.SECONDS);
            assertThat(learner.await(learner.chats, Duration.ofSeconds(5), "chat")).isEqualTo("Welcome, Bo.");
            assertThat(expert.await(expert.chats, Duration.ofSeconds(5), "chat")).isEqualTo("Hello Ada!");

            expertCall.hangUp("lesson over");
            CallEnd expertEnd = expert.await(expert.ended, Duration.ofSeconds(10), "end");
            CallEnd learnerEnd = learner.await(learner.ended, Duration.ofSeconds(10), "end");
            assertThat(expertEnd.failed()).isFalse();
            assertThat(learnerEnd.failed()).isFalse();
            assertThat(learnerEnd.reason()).contains("lesson over");
            assertThat(learnerCall.state()).isEqualTo(NegotiationState.CLOSED);
            if (kind != RelayKind.PUSHER) { // Pusher records nothing: the app's backend does, from webhooks
                assertThat(session.events(AttendanceEvent.MediaReported.class, EXPERT)).isNotEmpty();
                assertThat(session.events(AttendanceEvent.MediaReported.class, LEARNER)).isNotEmpty();
            }
        }
    }

    enum LateSide { INITIATOR, ANSWERER }

    @ParameterizedTest(name = "{0} relay, media attached late on the {1}")
    @org.junit.jupiter.params.provider.CsvSource({"IN_MEMORY, INITIATOR", "IN_MEMORY, ANSWERER", "WEBSOCKET, INITIATOR",
            "WEBSOCKET, ANSWERER", "PUSHER, INITIATOR", "PUSHER, ANSWERER"})
    void mediaAttachedLateOnEitherSideStillFlowsBothWays(RelayKind kind, LateSide side) throws Exception {
        callWithLateMedia(kind, side, Duration.ofMillis(700));
    }

    @ParameterizedTest(name = "{0} relay")
    @EnumSource(RelayKind.class)
    void answererAttachingTracksSlowlyIsWaitedForNotRaced(RelayKind kind) throws Exception {
        // Longer than the machine's ready resend: the initiator must wait for the answerer's ready,
        // never offer into a side without tracks (the one-way-audio race of the reference story).
        CallRecorder[] sides = callWithLateMedia(kind, LateSide.ANSWERER, Duration.ofSeconds(4));
        assertThat(sides[1].localOffers).as("the initiator offered once, after the answerer was ready").isEqualTo(1);
    }

    /** Expert first (the answerer), learner second (the initiator); one of them gets its media late. */
    private CallRecorder[] callWithLateMedia(RelayKind kind, LateSide side, Duration delay) throws Exception {
        try (CallHarness session = new CallHarness(engine.get(), kind)) {
            CallRecorder expert = new CallRecorder("expert");
            CallRecorder learner = new CallRecorder("learner");
            boolean expertLate = side == LateSide.ANSWERER;
            DuetCall expertCall = expertLate ? session.keep(session.builder(EXPERT, expert)) : session.call(EXPERT, expert);
            DuetCall learnerCall = expertLate ? session.call(LEARNER, learner) : session.keep(session.builder(LEARNER, learner));
            DuetCall lateCall = expertLate ? expertCall : learnerCall;
            CallRecorder lateSide = expertLate ? expert : learner;
            expertCall.start().get(10, TimeUnit.SECONDS);
            learnerCall.start().get(10, TimeUnit.SECONDS);
            lateSide.await(lateSide.peers, Duration.ofSeconds(5), "peer");
            CompletableFuture<Void> attached = new CompletableFuture<>();
            later.schedule(() -> lateCall.attachMedia(LocalMedia.synthetic()).whenComplete((v, e) -> {
                if (e != null) {
                    attached.completeExceptionally(e);
                } else {
                    attached.complete(null);
                }
            }), delay.toMillis(), TimeUnit.MILLISECONDS);
            attached.get(delay.toMillis() + 5000, TimeUnit.MILLISECONDS);
            assertThat(expert.localOffers + learner.localOffers).as("no offer before the late side's tracks").isLessThanOrEqualTo(1);
            assertTwoWayMedia(expert, learner);
            return new CallRecorder[] {expert, learner};
        }
    }

    static void assertTwoWayMedia(CallRecorder a, CallRecorder b) throws Exception {
        MediaReport fromA = a.awaitTwoWayMedia(MEDIA_WAIT);
        MediaReport fromB = b.awaitTwoWayMedia(MEDIA_WAIT);
        assertThat(fromA.relayed()).isEqualTo(fromB.relayed());
        assertThat(a.firstFrameNanos).isDone();
        assertThat(b.firstFrameNanos).isDone();
    }
}
