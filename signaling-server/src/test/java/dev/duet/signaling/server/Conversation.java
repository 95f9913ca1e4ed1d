package dev.duet.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.SignalingTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Numbered chat lines both ways between two transports, and the check that each side got them once, in order. */
final class Conversation {
    private Conversation() {}

    /** Sends "expert i" and "learner i" for i in {@code from..to}; completes when the relay accepted all. */
    static CompletableFuture<Void> sendBothWays(SignalingTransport expert, SignalingTransport learner, int from, int to) {
        List<CompletableFuture<Void>> accepted = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            accepted.add(expert.send(new ChatMessage("expert " + i)));
            accepted.add(learner.send(new ChatMessage("learner " + i)));
        }
        return CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new));
    }

    /** Each side's next messages are the other's lines {@code from..to}, in order (30 s each at most). */
    static void expectBothWays(RecordingListener expertEvents, RecordingListener learnerEvents, int from, int to)
            throws InterruptedException {
        for (int i = from; i <= to; i++) {
            assertThat(expertEvents.messages.poll(30, TimeUnit.SECONDS)).as("the expert's message %d", i)
                    .extracting(RecordingListener.Message::message).isEqualTo(new ChatMessage("learner " + i));
            assertThat(learnerEvents.messages.poll(30, TimeUnit.SECONDS)).as("the learner's message %d", i)
                    .extracting(RecordingListener.Message::message).isEqualTo(new ChatMessage("expert " + i));
        }
    }
}
