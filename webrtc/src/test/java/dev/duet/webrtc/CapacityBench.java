package dev.duet.webrtc;

import static dev.duet.webrtc.CallHarness.EXPERT;
import static dev.duet.webrtc.CallHarness.LEARNER;

import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.Participant;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.server.InMemoryRelay;
import dev.duet.signaling.server.RelayEventSink;
import dev.duet.signaling.server.RelayLimits;
import dev.duet.testing.TestNetwork;
import dev.duet.testing.ThisProcess;
import dev.duet.webrtc.internal.LocalTracks;
import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Calls per JVM, Duet against a bare webrtc-java pair doing the same media, side by side in one
 * run, for docs/benchmarks.md (issue 15, goal 4). Each mode runs in its own fresh JVM (same flags,
 * a 512 MiB heap committed from the start) so that neither inherits the other's native memory:
 * <ul>
 *   <li><b>bare</b>: two {@code RTCPeerConnection}s of one factory (the dummy audio module, as
 *       {@link MediaEngine#synthetic()}), the same synthetic sources ({@link LocalTracks}), offer,
 *       answer and trickled candidates handed over directly in the callbacks, no thread of its own;</li>
 *   <li><b>duet</b>: two {@link DuetCall}s on one {@link MediaEngine}, signalling through one in-JVM
 *       relay for all sessions (no sockets; a real relay runs elsewhere), transport callbacks on one
 *       shared executor, with the default 3 s stats interval.</li>
 * </ul>
 * Both send 320×240 video at 30 fps and a tone each way. Time to first frame: 3 warm-up then
 * {@code bench.calls} calls one at a time, from the second side's start (bare: the second peer
 * connection exists; Duet: the relay admitted the second participant) to the later of the two
 * first decoded remote frames. Capacity: calls are added (1, 2, 4, 6, ...) and each step measures
 * every remote video track's received frames, the process's CPU, resident memory and threads over
 * {@code bench.window} seconds, until the mean received frame rate drops below 15 fps. Then the
 * native memory kept per closed call: 20 calls opened and closed one at a time. Inside the
 * namespace: {@code .ci/netns-run.sh mvn -o -B -q -pl webrtc -Pbench -DskipTests verify
 * -Dbench.main=dev.duet.webrtc.CapacityBench}.
 */
public final class CapacityBench {
    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    private static final int FPS = 30;
    private static final double FLOOR_FPS = 15;
    private static final int MAX_CALLS = 40;

    private CapacityBench() {}

    public static void main(String[] args) throws Exception {
        if (TestNetwork.decide(System.getenv(), System.getProperty(TestNetwork.OPT_IN_PROPERTY),
                HostNetwork.usableAddress()) instanceof TestNetwork.Verdict.Skip skip) {
            System.err.println(skip.message());
            System.exit(2);
        }
        if (args.length == 1) {
            System.exit(measure(args[0]));
        }
        StringBuilder out = new StringBuilder();
        for (String mode : List.of("bare", "duet")) {
            out.append("### ").append(mode).append('\n').append(child(mode)).append('\n');
        }
        System.out.println(out);
        Files.writeString(Path.of("target", "capacity-bench.md"), out);
    }

    /** Runs {@code mode} in a fresh JVM with the bench profile's flags; returns its table lines. */
    private static String child(String mode) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dbench.calls=" + Integer.getInteger("bench.calls", 10), "-Dbench.window=" + Integer.getInteger("bench.window", 5)));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CapacityBench.class.getName(), mode));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        StringBuilder lines = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.err.println(mode + ": " + line);
                if (line.matches("^(\\||time |before |resident ).*")) { // the figures, not the log lines
                    lines.append(line).append('\n');
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException(mode + " exited with " + p.exitValue());
        }
        return lines.toString();
    }

    /** One side-by-side subject: opens calls of its kind. */
    private interface Calls extends AutoCloseable {
        Call open() throws Exception;

        @Override
        void close();
    }

    /** One call, both sides in this JVM. */
    private abstract static class Call implements AutoCloseable {
        final CompletableFuture<Long> firstFrameA = new CompletableFuture<>();
        final CompletableFuture<Long> firstFrameB = new CompletableFuture<>();
        final AtomicLong framesA = new AtomicLong();
        final AtomicLong framesB = new AtomicLong();
        final CompletableFuture<Long> secondStart = new CompletableFuture<>();

        /** Nanoseconds from the second side's start to both sides' first remote frame. */
        long timeToMedia() throws Exception {
            long last = Math.max(firstFrameA.get(30, TimeUnit.SECONDS), firstFrameB.get(30, TimeUnit.SECONDS));
            return last - secondStart.get(30, TimeUnit.SECONDS);
        }

        /** Counts frames; {@code releases}: the sink is on the track itself and must release each frame (Duet's wrapper does). */
        VideoTrackSink counter(AtomicLong frames, CompletableFuture<Long> first, boolean releases) {
            return new VideoTrackSink() {
                @Override
                public void onVideoFrame(VideoFrame frame) {
                    if (frames.getAndIncrement() == 0) {
                        first.complete(System.nanoTime());
                    }
                    if (releases) {
                        frame.release();
                    }
                }
            };
        }

        @Override
        public abstract void close();
    }

    private static int measure(String mode) throws Exception {
        int timed = Integer.getInteger("bench.calls", 10);
        int window = Integer.getInteger("bench.window", 5);
        try (Calls calls = mode.equals("bare") ? new BareCalls() : new DuetCalls()) {
            List<Long> times = new ArrayList<>();
            for (int i = 0; i < 3 + timed; i++) {
                try (Call call = calls.open()) {
                    long t = call.timeToMedia();
                    if (i >= 3) {
                        times.add(t);
                    }
                }
            }
            Collections.sort(times);
            System.out.printf(Locale.ROOT, "time to first frame both sides, %d calls: p50 %.0f ms, max %.0f ms%n", times.size(),
                    times.get((times.size() - 1) / 2) / 1e6, times.get(times.size() - 1) / 1e6);

            System.gc();
            long rssBefore = ThisProcess.rssKib();
            int threadsBefore = ThisProcess.threads();
            System.out.printf(Locale.ROOT, "before the calls: RSS %.1f MiB, %d threads%n", rssBefore / 1024.0, threadsBefore);
            System.out.println("| calls | mean / min received fps | CPU (cores) | CPU per call (% of a core) | RSS (MiB) |"
                    + " RSS per call (MiB) | threads | threads per call |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            List<Call> open = new ArrayList<>();
            try {
                for (int target = 1; target <= MAX_CALLS; target = target < 2 ? target + 1 : target + 2) {
                    while (open.size() < target) {
                        Call call = calls.open();
                        open.add(call);
                        call.timeToMedia();
                    }
                    Thread.sleep(2_000); // let the new calls' encoders settle: a benchmark's window, not an ordering wait
                    long[] framesBefore = frames(open);
                    long cpuBefore = ThisProcess.cpuTicks();
                    long start = System.nanoTime();
                    Thread.sleep(window * 1000L); // the measuring window
                    double seconds = (System.nanoTime() - start) / 1e9;
                    long[] framesAfter = frames(open);
                    double cores = (ThisProcess.cpuTicks() - cpuBefore) / 100.0 / seconds;
                    double sum = 0;
                    double min = Double.MAX_VALUE;
                    for (int i = 0; i < framesAfter.length; i++) {
                        double fps = (framesAfter[i] - framesBefore[i]) / seconds;
                        sum += fps;
                        min = Math.min(min, fps);
                    }
                    double mean = sum / framesAfter.length;
                    long rss = ThisProcess.rssKib();
                    int threads = ThisProcess.threads();
                    System.out.printf(Locale.ROOT, "| %d | %.1f / %.1f | %.2f | %.1f | %.1f | %.1f | %d | %.1f |%n", target, mean, min, cores,
                            100 * cores / target, rss / 1024.0, (rss - rssBefore) / 1024.0 / target, threads,
                            (threads - threadsBefore) / (double) target);
                    if (mean < FLOOR_FPS) {
                        break;
                    }
                }
            } finally {
                open.forEach(Call::close);
            }

            System.gc();
            long rssClosedBefore = ThisProcess.rssKib();
            int cycles = 20;
            for (int i = 0; i < cycles; i++) {
                try (Call call = calls.open()) {
                    call.timeToMedia();
                }
            }
            System.gc();
            long rssClosedAfter = ThisProcess.rssKib();
            System.out.printf(Locale.ROOT, "resident memory kept per closed call (%d calls opened and closed one at a time): %.2f MiB%n",
                    cycles, (rssClosedAfter - rssClosedBefore) / 1024.0 / cycles);
        }
        return 0;
    }

    private static long[] frames(List<Call> calls) {
        long[] out = new long[calls.size() * 2];
        for (int i = 0; i < calls.size(); i++) {
            out[2 * i] = calls.get(i).framesA.get();
            out[2 * i + 1] = calls.get(i).framesB.get();
        }
        return out;
    }

    // ------------------------------------------------------------------ Duet

    /**
     * Duet calls as an app hosting many would run them: one engine, one relay for every session
     * (in this JVM, with no sockets: a real one runs elsewhere, so its cost is left out), one shared
     * executor for every transport's callbacks. Each side still has Duet's own two threads: the
     * call's and its transport's.
     */
    private static final class DuetCalls implements Calls {
        private final MediaEngine engine = MediaEngine.synthetic();
        private final TicketKey key = TicketKey.of("k1", new java.security.SecureRandom().generateSeed(32));
        private final InMemoryRelay relay = new InMemoryRelay(new JoinTicketVerifier(List.of(key), Duration.ofSeconds(30)),
                java.time.Clock.systemUTC(), RelayLimits.defaults(), RelayEventSink.none());
        private final JoinTicketIssuer issuer = new JoinTicketIssuer(key, Duration.ofHours(2));
        private final java.util.concurrent.ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bench-transport-callbacks");
            t.setDaemon(true);
            return t;
        });
        private int sessions;

        @Override
        public Call open() throws Exception {
            Instant now = Instant.now();
            Booking booking = new Booking(SessionId.of("cap-" + (++sessions)), Participant.expert(EXPERT.value(), "Ada"),
                    Participant.learner(LEARNER.value(), "Bo"), now, Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
            LocalMedia media = LocalMedia.synthetic().withSyntheticVideo(WIDTH, HEIGHT, FPS);
            DuetCall[] both = new DuetCall[2];
            Call call = new Call() {
                @Override
                public void close() {
                    for (DuetCall c : both) {
                        if (c != null) {
                            c.close();
                        }
                    }
                }
            };
            try {
                both[0] = side(booking, EXPERT, media, new Counting(() -> both[0], call.counter(call.framesA, call.firstFrameA, false), null));
                both[1] = side(booking, LEARNER, media,
                        new Counting(() -> both[1], call.counter(call.framesB, call.firstFrameB, false), call.secondStart));
                both[0].start().get(10, TimeUnit.SECONDS);
                both[1].start().get(10, TimeUnit.SECONDS);
                return call;
            } catch (Exception | Error e) {
                call.close();
                throw e;
            }
        }

        private DuetCall side(Booking booking, dev.duet.core.ParticipantId who, LocalMedia media, CallListener listener) {
            return DuetCall.builder(engine, relay.transport(booking.sessionId(), TicketSource.of(issuer.issue(booking, who, Instant.now())),
                    callbacks)).media(media).listener(listener).build();
        }

        @Override
        public void close() {
            engine.close();
            relay.close();
            callbacks.shutdownNow();
        }
    }

    /** Counts a Duet call's remote video frames with the app's own sink, as an app would show them. */
    private static final class Counting implements CallListener {
        private final java.util.function.Supplier<DuetCall> call;
        private final VideoTrackSink sink;
        private final CompletableFuture<Long> joined;

        Counting(java.util.function.Supplier<DuetCall> call, VideoTrackSink sink, CompletableFuture<Long> joined) {
            this.call = call;
            this.sink = sink;
            this.joined = joined;
        }

        @Override
        public void onJoined(dev.duet.signaling.client.Member self) {
            if (joined != null) {
                joined.complete(System.nanoTime());
            }
        }

        @Override
        public void onRemoteTrack(RemoteTrack track) {
            if (track.kind() == dev.duet.core.MediaKind.VIDEO) {
                call.get().addVideoSink(track, sink);
            }
        }
    }

    // ------------------------------------------------------------------ bare webrtc-java

    private static final class BareCalls implements Calls {
        private final AudioDeviceModule audio = new AudioDeviceModule(AudioLayer.kDummyAudio);
        private final PeerConnectionFactory factory = new PeerConnectionFactory(audio);
        private final ScheduledExecutorService mediaThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bare-media");
            t.setDaemon(true);
            return t;
        });

        @Override
        public Call open() {
            return new BareCall(factory, mediaThread);
        }

        @Override
        public void close() {
            factory.dispose();
            audio.dispose();
            mediaThread.shutdownNow();
        }
    }

    /** Two peer connections handing offer, answer and candidates to each other directly. */
    private static final class BareCall extends Call {
        private final LocalTracks tracksA;
        private final LocalTracks tracksB;
        private final Side a;
        private final Side b;

        BareCall(PeerConnectionFactory factory, ScheduledExecutorService mediaThread) {
            LocalMedia media = LocalMedia.synthetic().withSyntheticVideo(WIDTH, HEIGHT, FPS);
            tracksA = LocalTracks.create(media, factory, mediaThread);
            tracksB = LocalTracks.create(media, factory, mediaThread);
            a = new Side(factory, tracksA, counter(framesA, firstFrameA, true));
            b = new Side(factory, tracksB, counter(framesB, firstFrameB, true));
            a.other = b;
            b.other = a;
            secondStart.complete(System.nanoTime());
            a.pc.createOffer(new RTCOfferOptions(), described(a, offer ->
                    b.pc.setRemoteDescription(offer, done(() -> {
                        b.remoteSet();
                        b.pc.createAnswer(new RTCAnswerOptions(), described(b, answer ->
                                a.pc.setRemoteDescription(answer, done(a::remoteSet))));
                    }))));
        }

        /** Sets the description locally, then passes it on. */
        private static CreateSessionDescriptionObserver described(Side side, Consumer<RTCSessionDescription> then) {
            return new CreateSessionDescriptionObserver() {
                @Override
                public void onSuccess(RTCSessionDescription description) {
                    side.pc.setLocalDescription(description, done(() -> then.accept(description)));
                }

                @Override
                public void onFailure(String error) {
                    System.err.println("bare: creating a description failed: " + error);
                }
            };
        }

        private static SetSessionDescriptionObserver done(Runnable then) {
            return new SetSessionDescriptionObserver() {
                @Override
                public void onSuccess() {
                    then.run();
                }

                @Override
                public void onFailure(String error) {
                    System.err.println("bare: setting a description failed: " + error);
                }
            };
        }

        @Override
        public void close() {
            a.close();
            b.close();
            tracksA.close();
            tracksB.close();
        }
    }

    /** One peer connection of a bare pair; candidates for it wait until its remote description is set. */
    private static final class Side implements PeerConnectionObserver {
        final RTCPeerConnection pc;
        final List<RTCRtpSender> senders = new ArrayList<>();
        private final VideoTrackSink sink;
        private final List<RTCIceCandidate> early = new ArrayList<>();
        private VideoTrack remoteVideo;
        private boolean remoteSet;
        Side other;

        Side(PeerConnectionFactory factory, LocalTracks tracks, VideoTrackSink sink) {
            this.sink = sink;
            this.pc = factory.createPeerConnection(new RTCConfiguration(), this);
            for (MediaStreamTrack track : tracks.tracks()) {
                senders.add(pc.addTrack(track, List.of("bare")));
            }
        }

        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            other.candidate(candidate);
        }

        synchronized void candidate(RTCIceCandidate candidate) {
            if (remoteSet) {
                pc.addIceCandidate(candidate);
            } else {
                early.add(candidate);
            }
        }

        synchronized void remoteSet() {
            remoteSet = true;
            early.forEach(pc::addIceCandidate);
            early.clear();
        }

        @Override
        public synchronized void onTrack(RTCRtpTransceiver transceiver) {
            if (transceiver.getReceiver().getTrack() instanceof VideoTrack video) {
                remoteVideo = video;
                video.addSink(sink);
            }
        }

        synchronized void close() {
            if (remoteVideo != null) {
                remoteVideo.removeSink(sink);
            }
            senders.forEach(pc::removeTrack);
            pc.close();
        }
    }
}
