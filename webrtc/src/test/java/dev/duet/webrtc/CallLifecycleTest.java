package dev.duet.webrtc;

import dev.duet.core.attendance.AttendanceEvent;
import static dev.duet.webrtc.CallHarness.EXPERT;
import static dev.duet.webrtc.CallHarness.LEARNER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.NegotiationState;
import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import dev.duet.webrtc.CallHarness.RelayKind;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Leaving and coming back, one-way media, the listener's thread, and what a call refuses. */
class CallLifecycleTest {
    @RegisterExtension
    static final SyntheticEngine engine = new SyntheticEngine();

    @Test
    void aSideThatLeavesAndJoinsAgainGetsMediaFlowingAgainAndTheRelayRecordsBothStays() throws Exception {
        try (CallHarness session = new CallHarness(engine.get(), RelayKind.WEBSOCKET)) {
            CallHarness.Pair pair = session.flowingPair();
            CallRecorder expert = pair.expert();
            DuetCall expertCall = pair.expertCall();
            DuetCall learnerCall = pair.learnerCall();

            learnerCall.close();
            learnerCall.close(); // idempotent
            CallEnd left = pair.learner().await(pair.learner().ended, Duration.ofSeconds(5), "end of the first stay");
            assertThat(left.failed()).isFalse();
            assertThat(expertCall.ended()).as("leaving is not hanging up: the expert's call goes on").isNotDone();

            CallRecorder back = new CallRecorder("learner again");
            DuetCall again = session.call(LEARNER, back);
            again.start().get(10, TimeUnit.SECONDS);
            expert.reports.clear();
            TwoPeerCallTest.assertTwoWayMedia(expert, back);
            assertThat(back.localOffers).as("the rejoining side is the later arrival: it offers").isEqualTo(1);

            assertThat(session.events(AttendanceEvent.ParticipantJoined.class, LEARNER)).as("learner's stays").hasSize(2);
            assertThat(session.events(AttendanceEvent.ParticipantLeft.class, LEARNER)).as("learner's departures").hasSize(1);
            assertThat(session.events(AttendanceEvent.ParticipantJoined.class, EXPERT)).hasSize(1);
        }
    }

    @Test
    void audioSentOneWayOnlyIsReportedOnBothSidesAsOneWayMedia() throws Exception {
        try (CallHarness session = new CallHarness(engine.get(), RelayKind.IN_MEMORY)) {
            CallRecorder expert = new CallRecorder("expert");
            CallRecorder learner = new CallRecorder("learner");
            // The learner's microphone is missing: audio goes expert -> learner only.
            DuetCall expertCall = session.keep(session.builder(EXPERT, expert).media(LocalMedia.synthetic())
                    .oneWayThreshold(Duration.ofSeconds(2)));
            DuetCall learnerCall = session.keep(session.builder(LEARNER, learner).media(LocalMedia.synthetic().withoutAudio())
                    .oneWayThreshold(Duration.ofSeconds(2)));
            expertCall.start().get(10, TimeUnit.SECONDS);
            learnerCall.start().get(10, TimeUnit.SECONDS);

            OneWayMedia atExpert = expert.await(expert.oneWay, Duration.ofSeconds(20), "one-way media at the expert");
            OneWayMedia atLearner = learner.await(learner.oneWay, Duration.ofSeconds(20), "one-way media at the learner");
            assertThat(atExpert.kind()).isEqualTo(MediaKind.AUDIO);
            assertThat(atExpert.flowing()).as("the expert sends audio but receives none").isEqualTo(MediaDirection.OUTBOUND);
            assertThat(atExpert.ended()).isFalse();
            assertThat(atLearner.kind()).isEqualTo(MediaKind.AUDIO);
            assertThat(atLearner.flowing()).as("the learner receives audio but sends none").isEqualTo(MediaDirection.INBOUND);
            // Video flows both ways meanwhile, so this is not a dead connection.
            assertThat(expert.awaitReport(Duration.ofSeconds(10), "video both ways",
                    r -> CallRecorder.flows(r, MediaDirection.INBOUND, MediaKind.VIDEO) && CallRecorder.flows(r, MediaDirection.OUTBOUND, MediaKind.VIDEO)))
                    .isNotNull();
        }
    }

    @Test
    void everyListenerCallbackRunsOnTheCallsOwnThread() throws Exception {
        try (CallHarness session = new CallHarness(engine.get(), RelayKind.IN_MEMORY)) {
            CallHarness.Pair pair = session.flowingPair();
            CallRecorder expert = pair.expert();
            assertThat(expert.callbackThreads).as("threads that ran the expert's callbacks").singleElement()
                    .asString().startsWith("duet-call-");
            RemoteTrack video = expert.remoteTracks.stream().filter(t -> t.kind() == MediaKind.VIDEO).findFirst().orElseThrow();
            java.util.concurrent.CompletableFuture<int[]> frame = new java.util.concurrent.CompletableFuture<>();
            pair.expertCall().addVideoSink(video, f -> frame.complete(new int[] {f.buffer.getWidth(), f.buffer.getHeight()}))
                    .get(5, TimeUnit.SECONDS);
            assertThat(frame.get(5, TimeUnit.SECONDS)).containsExactly(320, 240);
        }
    }

    @Test
    void aCallRefusesWhatCannotWorkBeforeTouchingNativeCode() throws Exception {
        try (CallHarness session = new CallHarness(engine.get(), RelayKind.IN_MEMORY)) {
            CallRecorder expert = new CallRecorder("expert");
            assertThatThrownBy(() -> session.builder(EXPERT, expert).media(LocalMedia.synthetic().withAudio(new LocalMedia.AudioInput.Device())).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MediaEngine.devices()");
            assertThatThrownBy(() -> session.builder(EXPERT, expert).statsInterval(Duration.ofMillis(10)))
                    .hasMessageContaining("statsInterval must be from PT0.2S to PT1M, but was PT0.01S");
            assertThatThrownBy(() -> session.builder(EXPERT, expert).connectTimeout(Duration.ZERO))
                    .hasMessageContaining("connectTimeout");
            assertThatThrownBy(() -> LocalMedia.synthetic().withSyntheticVideo(321, 240, 15)).hasMessageContaining("even number");
            assertThatThrownBy(() -> new LocalMedia.AudioInput.Tone(5)).hasMessageContaining("tone.hz must be 20 to 20000");

            DuetCall call = session.call(EXPERT, expert);
            assertThatThrownBy(() -> call.sendChat(" ")).hasMessageContaining("chat.text");
            call.start().get(10, TimeUnit.SECONDS);
            assertThatThrownBy(call::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already");
            assertThatThrownBy(() -> call.attachMedia(LocalMedia.synthetic()).get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("already attached");
            assertThatThrownBy(() -> call.hangUp("x".repeat(201))).hasMessageContaining("reason must be 1 to 200 characters");
            call.hangUp("done").get(5, TimeUnit.SECONDS);
            assertThat(call.state()).isEqualTo(NegotiationState.CLOSED);
        }
    }

    @Test
    void aClosedEngineClosesItsCallsAndRefusesNewOnes() throws Exception {
        MediaEngine own = MediaEngine.synthetic();
        try (CallHarness session = new CallHarness(own, RelayKind.IN_MEMORY)) {
            CallRecorder expert = new CallRecorder("expert");
            DuetCall call = session.call(EXPERT, expert);
            call.start().get(10, TimeUnit.SECONDS);
            assertThat(own.openCalls()).isEqualTo(1);
            own.close();
            own.close();
            assertThat(expert.ended).isDone();
            assertThat(own.openCalls()).isZero();
            assertThat(own.callsOpened()).isEqualTo(1);
            assertThatThrownBy(() -> session.call(LEARNER, new CallRecorder("learner")))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("engine is closed");
        }
    }
}
