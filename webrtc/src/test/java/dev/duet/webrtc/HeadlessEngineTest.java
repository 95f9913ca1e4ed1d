package dev.duet.webrtc;

import static dev.duet.webrtc.CallHarness.EXPERT;
import static dev.duet.webrtc.CallHarness.LEARNER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.signaling.client.MediaReport;
import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import dev.duet.webrtc.CallHarness.RelayKind;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.AudioTrackSink;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Both factory set-ups in one call: the expert on a synthetic engine (dummy audio layer, generated
 * tone and video), the learner on a headless engine (webrtc-java's headless audio module) that sends
 * video and receives both. The headless side plays audio out to nowhere, so a sink on its remote
 * audio track is fed; the synthetic side's received audio is proved from stats only.
 */
class HeadlessEngineTest {

    @Test
    void aSyntheticSenderAndAHeadlessReceiverExchangeMediaAndTheHeadlessSideFeedsAudioSinks() throws Exception {
        NetworkCheck.requireUsableInterface();
        try (MediaEngine synthetic = MediaEngine.synthetic(); MediaEngine headless = MediaEngine.headless();
                CallHarness expertSide = new CallHarness(synthetic, RelayKind.IN_MEMORY)) {
            CallHarness learnerSide = expertSide.sameSessionOn(headless);
            assertThatThrownBy(() -> learnerSide.builder(LEARNER, new CallRecorder("x")).media(LocalMedia.synthetic()).build())
                    .as("generated audio on a headless engine would abort the JVM").hasMessageContaining("sends no audio");
            CallRecorder expert = new CallRecorder("expert");
            CallRecorder learner = new CallRecorder("learner");
            DuetCall expertCall = expertSide.call(EXPERT, expert);
            DuetCall learnerCall = learnerSide.keep(learnerSide.builder(LEARNER, learner).media(LocalMedia.synthetic().withoutAudio()));
            expertCall.start().get(10, TimeUnit.SECONDS);
            learnerCall.start().get(10, TimeUnit.SECONDS);

            MediaReport atLearner = learner.awaitReport(Duration.ofSeconds(30), "audio and video in, video out", r ->
                    CallRecorder.flows(r, MediaDirection.INBOUND, MediaKind.AUDIO) && CallRecorder.flows(r, MediaDirection.INBOUND, MediaKind.VIDEO)
                            && CallRecorder.flows(r, MediaDirection.OUTBOUND, MediaKind.VIDEO));
            assertThat(CallRecorder.flows(atLearner, MediaDirection.OUTBOUND, MediaKind.AUDIO)).isFalse();
            expert.awaitReport(Duration.ofSeconds(30), "audio and video out, video in", r ->
                    CallRecorder.flows(r, MediaDirection.OUTBOUND, MediaKind.AUDIO) && CallRecorder.flows(r, MediaDirection.OUTBOUND, MediaKind.VIDEO)
                            && CallRecorder.flows(r, MediaDirection.INBOUND, MediaKind.VIDEO));

            RemoteTrack audio = learner.remoteTracks.stream().filter(t -> t.kind() == MediaKind.AUDIO).findFirst().orElseThrow();
            CompletableFuture<Integer> frames = new CompletableFuture<>();
            AudioTrackSink sink = (data, bits, rate, channels, count) -> frames.complete(count);
            ((AudioTrack) audio.nativeTrack()).addSink(sink);
            try {
                assertThat(frames.get(5, TimeUnit.SECONDS)).as("10 ms frames delivered to the sink").isPositive();
            } finally {
                ((AudioTrack) audio.nativeTrack()).removeSink(sink);
            }
            expertCall.hangUp("done");
            assertThat(learner.await(learner.ended, Duration.ofSeconds(10), "end").failed()).isFalse();
        }
    }
}
