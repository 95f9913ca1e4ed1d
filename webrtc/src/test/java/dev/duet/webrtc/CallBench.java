package dev.duet.webrtc;

import static dev.duet.webrtc.CallHarness.EXPERT;
import static dev.duet.webrtc.CallHarness.LEARNER;

import dev.duet.testing.CoturnProcess;
import dev.duet.testing.TestNetwork;
import dev.duet.testing.ThisProcess;
import dev.duet.turn.IceServers;
import dev.duet.turn.RestTurnCredentials;
import dev.duet.turn.TurnSecret;
import dev.duet.turn.TurnServerAddress;
import dev.duet.webrtc.CallHarness.RelayKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Call set-up time and memory, for docs/benchmarks.md. Run inside the namespace:
 * {@code .ci/netns-run.sh mvn -o -B -q -pl webrtc -Pbench -DskipTests verify} (after a normal build
 * has resolved everything). Properties: {@code bench.calls} (default 25 per mode).
 *
 * <p>Set-up time: from the second arrival (the relay admits the second participant: its
 * {@code onJoined}) to each side's first decoded remote video frame ({@code onFirstRemoteVideoFrame},
 * fired by a sink on the remote track), for calls direct (host candidates) and relay-only through a
 * local coturn. Memory: resident set of this JVM with 1, 5 and 10 calls (2, 10, 20 peers, synthetic
 * 320×240@15 video and a tone) flowing at once, minus the resident set just before they opened.
 */
public final class CallBench {
    private CallBench() {}

    public static void main(String[] args) throws Exception {
        if (TestNetwork.decide(System.getenv(), System.getProperty(TestNetwork.OPT_IN_PROPERTY),
                HostNetwork.usableAddress()) instanceof TestNetwork.Verdict.Skip skip) {
            System.err.println(skip.message());
            System.exit(2);
        }
        int calls = Integer.getInteger("bench.calls", 25);
        StringBuilder out = new StringBuilder();
        try (MediaEngine engine = MediaEngine.synthetic(); CoturnProcess coturn = CoturnProcess.rest("bench-static-auth-secret-of-32-bytes")) {
            TurnServerAddress server = TurnServerAddress.of("127.0.0.1", coturn.port());
            RestTurnCredentials rest = new RestTurnCredentials(List.of(TurnSecret.of("b", "bench-static-auth-secret-of-32-bytes")), server,
                    Duration.ofHours(2));
            // Memory first, on a fresh engine (so the first call also pays the one-time codec and thread set-up), on a heap that is fully committed from the start (-Xms = -Xmx, pre-touched),
            // so the resident set moves only with native memory.
            StringBuilder memory = new StringBuilder("| concurrent calls | peers | RSS before (MiB) | RSS with calls flowing (MiB) | per call (MiB) | threads |\n|---|---|---|---|---|---|\n");
            for (int concurrent : new int[] {1, 5, 10}) {
                memory.append(memory(engine, concurrent));
            }
            // warm-up for the timings: codecs, threads, JIT
            setUpTimes(engine, 3, booking -> IceServers.none());
            out.append("| path | calls | expert side p50 / p95 (ms) | learner side p50 / p95 (ms) | both sides max (ms) |\n|---|---|---|---|---|\n");
            out.append(row("direct (host candidates)", setUpTimes(engine, calls, booking -> IceServers.none())));
            out.append(row("relay-only through coturn", setUpTimes(engine, calls,
                    who -> IceServers.of(server, rest.issue(who.booking, who.participant, Instant.now())).relayOnly())));
            out.append('\n').append(memory);
            out.append("\nCalls opened on the engine during the run: ").append(engine.callsOpened()).append('\n');
        }
        System.out.println(out);
        Files.writeString(Path.of("target", "call-bench.md"), out);
    }

    record Who(dev.duet.core.Booking booking, dev.duet.core.ParticipantId participant) {}

    /** Milliseconds from the second arrival to the first decoded remote frame: [expert side, learner side] per call. */
    private static List<double[]> setUpTimes(MediaEngine engine, int calls, Function<Who, IceServers> ice) throws Exception {
        List<double[]> times = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            try (CallHarness session = new CallHarness(engine, RelayKind.WEBSOCKET)) {
                CallRecorder expert = new CallRecorder("expert");
                CallRecorder learner = new CallRecorder("learner");
                DuetCall expertCall = session.keep(session.builder(EXPERT, expert).media(LocalMedia.synthetic())
                        .iceServers(ice.apply(new Who(session.booking, EXPERT))));
                DuetCall learnerCall = session.keep(session.builder(LEARNER, learner).media(LocalMedia.synthetic())
                        .iceServers(ice.apply(new Who(session.booking, LEARNER))));
                expertCall.start().get(10, TimeUnit.SECONDS);
                learnerCall.start().get(10, TimeUnit.SECONDS);
                long secondArrival = learner.await(learner.joinedNanos, Duration.ofSeconds(10), "join");
                long expertFrame = expert.await(expert.firstFrameNanos, Duration.ofSeconds(20), "first frame");
                long learnerFrame = learner.await(learner.firstFrameNanos, Duration.ofSeconds(20), "first frame");
                times.add(new double[] {(expertFrame - secondArrival) / 1e6, (learnerFrame - secondArrival) / 1e6});
                expertCall.hangUp("bench");
                learner.await(learner.ended, Duration.ofSeconds(10), "end");
            }
        }
        return times;
    }

    private static String row(String path, List<double[]> times) {
        double[] expert = times.stream().mapToDouble(t -> t[0]).sorted().toArray();
        double[] learner = times.stream().mapToDouble(t -> t[1]).sorted().toArray();
        double max = Math.max(expert[expert.length - 1], learner[learner.length - 1]);
        return String.format(Locale.ROOT, "| %s | %d | %.0f / %.0f | %.0f / %.0f | %.0f |%n", path, times.size(),
                percentile(expert, 50), percentile(expert, 95), percentile(learner, 50), percentile(learner, 95), max);
    }

    private static double percentile(double[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static String memory(MediaEngine engine, int concurrent) throws Exception {
        System.gc();
        long before = ThisProcess.rssKib();
        List<CallHarness> sessions = new ArrayList<>();
        List<CallRecorder> recorders = new ArrayList<>();
        try {
            for (int i = 0; i < concurrent; i++) {
                CallHarness session = new CallHarness(engine, RelayKind.IN_MEMORY);
                sessions.add(session);
                CallRecorder expert = new CallRecorder("expert-" + i);
                CallRecorder learner = new CallRecorder("learner-" + i);
                recorders.addAll(Arrays.asList(expert, learner));
                session.call(EXPERT, expert).start().get(10, TimeUnit.SECONDS);
                session.call(LEARNER, learner).start().get(10, TimeUnit.SECONDS);
            }
            for (CallRecorder r : recorders) {
                r.awaitTwoWayMedia(Duration.ofSeconds(60));
            }
            System.gc();
            long with = ThisProcess.rssKib();
            int threads = ThisProcess.threads();
            return String.format(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.1f | %d |%n", concurrent, 2 * concurrent,
                    before / 1024.0, with / 1024.0, (with - before) / 1024.0 / concurrent, threads);
        } finally {
            for (CallHarness s : sessions) {
                s.close();
            }
        }
    }
}
