package dev.duet.webrtc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.ConnectionId;
import dev.duet.core.Epoch;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.StreamReport;
import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stats reports (as webrtc-java delivers them, as plain maps) into media reports, and one-way detection. */
class MediaReportsTest {
    private static final Epoch EPOCH = Epoch.of(ConnectionId.of("c1"), ConnectionId.of("c2"));
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    /** A stats report with cumulative counters {@code n} times a base, a relayed or direct selected pair. */
    private static MediaCounters sample(long micros, long n, boolean videoDecoded, boolean relayed) {
        Map<String, MediaCounters.Entry> report = new HashMap<>();
        report.put("IA", new MediaCounters.Entry("INBOUND_RTP", Map.of("kind", "audio", "packetsReceived", 50L * n,
                "bytesReceived", 4000L * n, "packetsLost", 1L * n, "jitter", 0.004)));
        report.put("IV", new MediaCounters.Entry("INBOUND_RTP", Map.of("kind", "video", "packetsReceived", 30L * n,
                "bytesReceived", 30000L * n, "framesDecoded", videoDecoded ? 15L * n : 0L, "framesPerSecond", 15.0,
                "frameWidth", 320L, "frameHeight", 240L)));
        report.put("OA", new MediaCounters.Entry("OUTBOUND_RTP", Map.of("kind", "audio", "packetsSent", 50L * n, "bytesSent", 4000L * n)));
        report.put("OV", new MediaCounters.Entry("OUTBOUND_RTP", Map.of("kind", "video", "packetsSent", 30L * n,
                "bytesSent", 30000L * n, "framesEncoded", 15L * n)));
        report.put("RA", new MediaCounters.Entry("REMOTE_INBOUND_RTP", Map.of("kind", "audio", "roundTripTime", 0.02,
                "fractionLost", 0.1)));
        report.put("T", new MediaCounters.Entry("TRANSPORT", Map.of("selectedCandidatePairId", "P")));
        report.put("P", new MediaCounters.Entry("CANDIDATE_PAIR", Map.of("localCandidateId", "L", "remoteCandidateId", "R",
                "currentRoundTripTime", 0.03)));
        report.put("L", new MediaCounters.Entry("LOCAL_CANDIDATE", Map.of("candidateType", relayed ? "relay" : "host")));
        report.put("R", new MediaCounters.Entry("REMOTE_CANDIDATE", Map.of("candidateType", "host")));
        return MediaCounters.from(micros, report);
    }

    private static StreamReport stream(MediaReport r, MediaDirection d, MediaKind k) {
        return r.streams().stream().filter(s -> s.direction() == d && s.kind() == k).findFirst().orElseThrow();
    }

    @Test
    void countersOverOneSecondBecomeFlowingStreamsWithRatesAndQuality() {
        MediaReport r = MediaReports.between(sample(1_000_000, 1, true, true), sample(2_000_000, 2, true, true), EPOCH, T0)
                .orElseThrow();
        assertThat(r.relayed()).isTrue();
        assertThat(r.interval()).as("the span the two samples' own timestamps measure")
                .contains(java.time.Duration.ofSeconds(1));
        assertThat(r.streams()).hasSize(4).allMatch(StreamReport::flowing);
        StreamReport audioIn = stream(r, MediaDirection.INBOUND, MediaKind.AUDIO);
        assertThat(audioIn.bitrateKbps()).isEqualTo(32.0);
        assertThat(audioIn.lossRatio()).isEqualTo(1.0 / 51);
        assertThat(audioIn.jitterMs().getAsDouble()).isEqualTo(4.0);
        assertThat(audioIn.roundTripMs().getAsDouble()).as("the selected pair's round trip").isEqualTo(30.0);
        StreamReport audioOut = stream(r, MediaDirection.OUTBOUND, MediaKind.AUDIO);
        assertThat(audioOut.lossRatio()).as("remote-inbound fractionLost").isEqualTo(0.1);
        assertThat(audioOut.roundTripMs().getAsDouble()).as("remote-inbound round trip").isEqualTo(20.0);
        StreamReport videoIn = stream(r, MediaDirection.INBOUND, MediaKind.VIDEO);
        assertThat(videoIn.width().getAsInt()).isEqualTo(320);
        assertThat(videoIn.framesPerSecond().getAsDouble()).isEqualTo(15.0);
        assertThat(audioIn.width()).isEmpty();
    }

    @Test
    void videoPacketsThatDecodeToNoFrameDoNotCountAsFlowing() {
        MediaReport r = MediaReports.between(sample(0, 1, false, false), sample(1_000_000, 2, false, false), EPOCH, T0)
                .orElseThrow();
        assertThat(r.relayed()).isFalse();
        assertThat(stream(r, MediaDirection.INBOUND, MediaKind.VIDEO).flowing()).isFalse();
        assertThat(stream(r, MediaDirection.INBOUND, MediaKind.AUDIO).flowing()).isTrue();
    }

    @Test
    void unchangedCountersAreNotFlowingAndAnEmptyReportIsNone() {
        MediaReport r = MediaReports.between(sample(0, 3, true, false), sample(1_000_000, 3, true, false), EPOCH, T0).orElseThrow();
        assertThat(r.streams()).noneMatch(StreamReport::flowing);
        MediaCounters empty = MediaCounters.from(0, Map.of());
        assertThat(MediaReports.between(empty, empty, EPOCH, T0)).isEmpty();
    }

    @Test
    void oneWayMediaIsReportedOnceAfterTheThresholdAndAgainWhenItEnds() {
        OneWayMediaDetector detector = new OneWayMediaDetector(Duration.ofSeconds(5));
        MediaReport outOnly = report(false, true);
        MediaReport both = report(true, true);
        assertThat(detector.observe(both, T0)).isEmpty();
        assertThat(detector.observe(outOnly, T0.plusSeconds(1))).isEmpty();
        assertThat(detector.observe(outOnly, T0.plusSeconds(4))).isEmpty();
        assertThat(detector.observe(outOnly, T0.plusSeconds(6))).containsExactly(
                new OneWayMediaDetector.Change(MediaKind.AUDIO, MediaDirection.OUTBOUND, T0.plusSeconds(1), false));
        assertThat(detector.observe(outOnly, T0.plusSeconds(9))).as("reported once").isEmpty();
        assertThat(detector.observe(both, T0.plusSeconds(10))).containsExactly(
                new OneWayMediaDetector.Change(MediaKind.AUDIO, MediaDirection.OUTBOUND, T0.plusSeconds(1), true));
        // A short episode below the threshold is never reported.
        assertThat(detector.observe(outOnly, T0.plusSeconds(11))).isEmpty();
        assertThat(detector.observe(both, T0.plusSeconds(12))).isEmpty();
    }

    private static MediaReport report(boolean audioIn, boolean audioOut) {
        return new MediaReport(EPOCH, T0, false, List.of(
                StreamReport.of(MediaDirection.INBOUND, MediaKind.AUDIO, audioIn, 32),
                StreamReport.of(MediaDirection.OUTBOUND, MediaKind.AUDIO, audioOut, 32),
                StreamReport.of(MediaDirection.INBOUND, MediaKind.VIDEO, true, 300),
                StreamReport.of(MediaDirection.OUTBOUND, MediaKind.VIDEO, true, 300)));
    }
}
