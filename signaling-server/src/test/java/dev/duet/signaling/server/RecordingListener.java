package dev.duet.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.ParticipantId;
import dev.duet.core.ConnectionId;
import dev.duet.signaling.client.CloseReason;
import dev.duet.signaling.client.JoinResult;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.SignalingListener;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Queues what a transport reports; the test takes events with a timeout. Also checks callbacks stay on one thread. */
final class RecordingListener implements SignalingListener {
    record Message(ParticipantId from, PeerMessage message) {}

    record PeerLeft(ParticipantId participant, ConnectionId connection, dev.duet.core.DepartureReason reason) {}

    final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<Object> presence = new LinkedBlockingQueue<>();
    final BlockingQueue<Object> lifecycle = new LinkedBlockingQueue<>();
    private final String expectedThreadPrefix;

    RecordingListener(String expectedThreadPrefix) {
        this.expectedThreadPrefix = expectedThreadPrefix;
    }

    @Override
    public void onPeerJoined(Member peer) {
        checkThread();
        presence.add(peer);
    }

    @Override
    public void onPeerLeft(ParticipantId participant, ConnectionId connection, Instant leftAt,
            dev.duet.core.DepartureReason reason) {
        checkThread();
        presence.add(new PeerLeft(participant, connection, reason));
    }

    @Override
    public void onMessage(ParticipantId from, Instant relayedAt, PeerMessage message) {
        checkThread();
        messages.add(new Message(from, message));
    }

    @Override
    public void onDisconnected(String reason) {
        lifecycle.add("disconnected");
    }

    @Override
    public void onRejoined(JoinResult result) {
        lifecycle.add(result);
    }

    @Override
    public void onClosed(CloseReason reason) {
        lifecycle.add(reason);
    }

    private void checkThread() {
        assertThat(Thread.currentThread().getName()).startsWith(expectedThreadPrefix);
    }

    static <T> T take(BlockingQueue<T> queue, long seconds) throws InterruptedException {
        T value = queue.poll(seconds, TimeUnit.SECONDS);
        assertThat(value).as("an event within %s s", seconds).isNotNull();
        return value;
    }
}
