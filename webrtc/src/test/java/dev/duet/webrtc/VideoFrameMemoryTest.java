package dev.duet.webrtc;

import static dev.duet.webrtc.CallHarness.EXPERT;
import static dev.duet.webrtc.CallHarness.LEARNER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.MediaKind;
import dev.duet.testing.Await;
import dev.duet.testing.ThisProcess;
import dev.duet.webrtc.CallHarness.RelayKind;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every decoded remote frame is released: by the call's own first-frame sink and, after the app's
 * sink returns, by the call for the app. webrtc-java hands each sink its own reference to a full
 * I420 copy of the frame, and one that is never released stays in native memory (at 640×480 about
 * 460 KB a frame, a frame every 33 ms, per sink), so a call that kept them grew by gigabytes an hour.
 */
class VideoFrameMemoryTest {
    @RegisterExtension
    static final SyntheticEngine engine = new SyntheticEngine();

    @Test
    void aCallAndTheAppsSinkKeepNoNativeMemoryPerDecodedFrame() throws Exception {
        try (CallHarness session = new CallHarness(engine.get(), RelayKind.IN_MEMORY)) {
            LocalMedia media = LocalMedia.synthetic().withSyntheticVideo(640, 480, 30);
            CallRecorder expert = new CallRecorder("expert");
            CallRecorder learner = new CallRecorder("learner");
            DuetCall expertCall = session.keep(session.builder(EXPERT, expert).media(media));
            DuetCall learnerCall = session.keep(session.builder(LEARNER, learner).media(media));
            expertCall.start().get(10, TimeUnit.SECONDS);
            learnerCall.start().get(10, TimeUnit.SECONDS);
            RemoteTrack video;
            do {
                video = learner.remoteTracks.poll(30, TimeUnit.SECONDS);
                assertThat(video).as("a remote track within 30 s").isNotNull();
            } while (video.kind() != MediaKind.VIDEO);
            AtomicLong frames = new AtomicLong();
            learnerCall.addVideoSink(video, frame -> frames.incrementAndGet()).get(10, TimeUnit.SECONDS);

            Await.until(() -> frames.get() >= 60, Duration.ofSeconds(60), "60 frames to settle the decoders");
            long rssBefore = ThisProcess.rssKib() * 1024;
            long framesBefore = frames.get();
            Await.until(() -> frames.get() >= framesBefore + 300, Duration.ofSeconds(90), "300 more frames");
            long grown = ThisProcess.rssKib() * 1024 - rssBefore;
            long counted = frames.get() - framesBefore;

            // Kept frames would add about 3 × 460 KB per counted frame (the app's sink and both sides'
            // first-frame sinks), over 400 MB for these 300; released ones add nothing per frame.
            assertThat(grown).as("resident memory grown over %d decoded 640×480 frames", counted).isLessThan(100L * 1024 * 1024);
        }
    }
}
