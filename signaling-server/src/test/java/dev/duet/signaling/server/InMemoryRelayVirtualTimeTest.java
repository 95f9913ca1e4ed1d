package dev.duet.signaling.server;

import static dev.duet.signaling.server.TestSession.EXPERT;
import static dev.duet.signaling.server.TestSession.LEARNER;
import static dev.duet.signaling.server.TestSession.SESSION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.testing.ManualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A whole relayed session on one thread in virtual time: the in-memory relay's timers and pipes and
 * both transports' loops run on one {@link ManualScheduler}, so the rate limit, the transports'
 * go-back and their pacing play out exactly and at once, with no real waiting.
 */
class InMemoryRelayVirtualTimeTest {
    private static final Instant START = Instant.parse("2026-11-24T09:58:00Z");
    private final ManualScheduler time = new ManualScheduler(START);
    private final List<AttendanceEvent> events = new ArrayList<>();
    private InMemoryRelay relay;
    private final List<SignalingTransport> transports = new ArrayList<>();

    @AfterEach
    void stop() {
        transports.forEach(SignalingTransport::close);
        time.advance(Duration.ZERO);
        relay.close();
        time.shutdownNow();
    }

    private SignalingTransport join(dev.duet.core.ParticipantId who, RecordingListener listener) {
        SignalingTransport t = relay.transport(SESSION, TicketSource.of(TestSession.ticket(who)), Runnable::run);
        transports.add(t);
        CompletableFuture<?> joined = t.join(listener);
        time.advance(Duration.ZERO);
        assertThat(joined).isCompleted();
        return t;
    }

    @Test
    void sendsTheRelayDropsForRateAreResentInOrderNotLost() {
        relay = new InMemoryRelay(TestSession.VERIFIER, time.clock(),
                RelayLimits.defaults().withMessagesPerSecond(10).withBurst(10), events::add, time, time::nanoTime);
        RecordingListener expertEvents = new RecordingListener("");
        join(EXPERT, expertEvents);
        SignalingTransport learner = join(LEARNER, new RecordingListener(""));
        assertThat(events).extracting(AttendanceEvent::at).as("stamped by the virtual clock").containsOnly(START);

        List<CompletableFuture<Void>> accepted = new ArrayList<>();
        for (int i = 1; i <= 40; i++) { // four times what the relay takes per second
            accepted.add(learner.send(new ChatMessage("r" + i)));
        }
        time.advance(Duration.ZERO);
        assertThat(expertEvents.messages).as("the burst of 10 at once, less the join frame; the rest dropped for now")
                .hasSize(9);

        time.advance(Duration.ofSeconds(10));
        assertThat(accepted).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(expertEvents.messages).extracting(m -> m.message())
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 40).mapToObj(i -> new ChatMessage("r" + i))
                        .toList());
    }
}
