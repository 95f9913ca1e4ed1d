package dev.duet.webrtc;

import static org.assertj.core.api.Assertions.fail;

import dev.duet.core.ParticipantId;
import dev.duet.core.NegotiationState;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.Member;
import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what a call tells its listener, with waits that time out and print the call's story. */
final class CallRecorder implements CallListener {
    final String name;
    final List<String> story = Collections.synchronizedList(new ArrayList<>());
    final BlockingQueue<MediaReport> reports = new LinkedBlockingQueue<>();
    final BlockingQueue<CallError> errors = new LinkedBlockingQueue<>();
    final BlockingQueue<OneWayMedia> oneWay = new LinkedBlockingQueue<>();
    final BlockingQueue<String> chats = new LinkedBlockingQueue<>();
    final BlockingQueue<Member> peers = new LinkedBlockingQueue<>();
    final BlockingQueue<ParticipantId> peersLeft = new LinkedBlockingQueue<>();
    final BlockingQueue<RemoteTrack> remoteTracks = new LinkedBlockingQueue<>();
    final BlockingQueue<Instant> restartOffers = new LinkedBlockingQueue<>();
    final CompletableFuture<Long> joinedNanos = new CompletableFuture<>();
    final CompletableFuture<Long> firstFrameNanos = new CompletableFuture<>();
    final CompletableFuture<CallEnd> ended = new CompletableFuture<>();
    final CompletableFuture<Void> connected = new CompletableFuture<>();
    /** Callbacks that came after onEnded (there must be none). */
    final List<String> afterEnded = Collections.synchronizedList(new ArrayList<>());
    volatile int localOffers;
    volatile int remoteOffers;
    final java.util.Set<String> callbackThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();

    CallRecorder(String name) {
        this.name = name;
    }

    private void note(String what) {
        callbackThreads.add(Thread.currentThread().getName());
        if (ended.isDone()) {
            afterEnded.add(what);
        }
        story.add(Instant.now() + " " + name + ": " + what);
    }

    @Override
    public void onJoined(Member self) {
        joinedNanos.complete(System.nanoTime());
        note("joined as " + self.connection());
    }

    @Override
    public void onPeerPresent(Member peer) {
        note("peer present " + peer.connection());
        peers.add(peer);
    }

    @Override
    public void onPeerLeft(ParticipantId peer, Instant leftAt) {
        note("peer left " + peer);
        peersLeft.add(peer);
    }

    @Override
    public void onStateChanged(NegotiationState from, NegotiationState to, String why) {
        note(from + " -> " + to + " (" + why + ")");
        if (to == NegotiationState.CONNECTED) {
            connected.complete(null);
        }
    }

    @Override
    public void onOffer(boolean local, boolean iceRestart) {
        note((local ? "made" : "received") + " an offer" + (iceRestart ? " (ICE restart)" : ""));
        if (local && iceRestart) {
            restartOffers.add(Instant.now());
        } else if (local) {
            localOffers++;
        } else {
            remoteOffers++;
        }
    }

    @Override
    public void onRemoteTrack(RemoteTrack track) {
        note("remote " + track);
        remoteTracks.add(track);
    }

    @Override
    public void onFirstRemoteVideoFrame(int width, int height) {
        note("first remote frame " + width + "x" + height);
        firstFrameNanos.complete(System.nanoTime());
    }

    @Override
    public void onChat(ParticipantId from, Instant relayedAt, String text) {
        note("chat from " + from + ": " + text);
        chats.add(text);
    }

    @Override
    public void onMediaReport(MediaReport report) {
        note("report relayed=" + report.relayed() + " " + report.streams().stream()
                .map(s -> s.direction().code() + "-" + s.kind().code() + "=" + (s.flowing() ? "yes" : "no")).toList());
        reports.add(report);
    }

    @Override
    public void onOneWayMedia(OneWayMedia event) {
        note("one-way " + event);
        oneWay.add(event);
    }

    @Override
    public void onSignalingInterrupted(String reason) {
        note("signaling interrupted: " + reason);
    }

    @Override
    public void onError(CallError error) {
        note("error " + error);
        errors.add(error);
    }

    @Override
    public void onEnded(CallEnd end) {
        note("ended: " + end.reason() + end.error().map(e -> " [" + e.kind() + "]").orElse(""));
        ended.complete(end);
    }

    /** Waits for a report of this side in which audio and video flow in both directions. */
    MediaReport awaitTwoWayMedia(Duration timeout) throws InterruptedException {
        return awaitReport(timeout, "audio and video flowing both ways", CallRecorder::twoWay);
    }

    MediaReport awaitReport(Duration timeout, String what, java.util.function.Predicate<MediaReport> test)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            MediaReport report = left > 0 ? reports.poll(left, TimeUnit.NANOSECONDS) : null;
            if (report == null) {
                return fail(name + ": no report with " + what + " within " + timeout + "\n" + story());
            }
            if (test.test(report)) {
                return report;
            }
        }
    }

    static boolean twoWay(MediaReport report) {
        for (MediaDirection d : MediaDirection.values()) {
            for (MediaKind k : MediaKind.values()) {
                if (!flows(report, d, k)) {
                    return false;
                }
            }
        }
        return true;
    }

    static boolean flows(MediaReport report, MediaDirection d, MediaKind k) {
        return report.streams().stream().anyMatch(s -> s.direction() == d && s.kind() == k && s.flowing());
    }

    <T> T await(BlockingQueue<T> queue, Duration timeout, String what) throws InterruptedException {
        T value = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (value == null) {
            return fail(name + ": no " + what + " within " + timeout + "\n" + story());
        }
        return value;
    }

    <T> T await(CompletableFuture<T> future, Duration timeout, String what) throws Exception {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return fail(name + ": no " + what + " within " + timeout + "\n" + story());
        }
    }

    String story() {
        synchronized (story) {
            return String.join("\n", story);
        }
    }
}
