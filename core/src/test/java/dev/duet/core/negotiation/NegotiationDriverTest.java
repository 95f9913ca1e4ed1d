package dev.duet.core.negotiation;

import dev.duet.core.NegotiationSettings;
import dev.duet.core.Presence;
import dev.duet.core.Epoch;
import dev.duet.core.NegotiationState;
import dev.duet.core.ConnectionId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.ParticipantId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NegotiationDriverTest {
    private static final ParticipantId EXPERT = ParticipantId.of("expert-ada");
    private static final Presence SELF = new Presence(EXPERT, ConnectionId.of("c1"), Instant.parse("2026-11-24T10:00:00Z"));
    private static final Presence PEER = new Presence(ParticipantId.of("learner-bo"), ConnectionId.of("c2"),
            Instant.parse("2026-11-24T10:01:00Z"));
    private static final Epoch EPOCH = Epoch.of(ConnectionId.of("c1"), ConnectionId.of("c2"));

    /** Records what was scheduled; tasks run only when the test says so. */
    private static final class RecordingScheduler implements TaskScheduler {
        record Scheduled(Duration delay, Runnable task, boolean[] cancelled) {}

        final List<Scheduled> scheduled = new ArrayList<>();

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            boolean[] cancelled = {false};
            scheduled.add(new Scheduled(delay, task, cancelled));
            return () -> cancelled[0] = true;
        }
    }

    private final RecordingScheduler scheduler = new RecordingScheduler();
    private final List<NegotiationCommand> toAdapter = new ArrayList<>();
    private final NegotiationDriver driver = new NegotiationDriver(
            new NegotiationMachine(EXPERT, NegotiationSettings.defaults()), scheduler, toAdapter::add);

    @Test
    void timersRunOnTheInjectedSchedulerAndFireBackIntoTheMachine() {
        driver.post(new NegotiationEvent.JoinedRelay(SELF, Optional.of(PEER)));
        driver.post(new NegotiationEvent.TracksAttached(EPOCH));
        assertThat(toAdapter).noneMatch(c -> c instanceof NegotiationCommand.StartTimer);
        assertThat(scheduler.scheduled).hasSize(1);
        assertThat(scheduler.scheduled.get(0).delay()).isEqualTo(Duration.ofSeconds(5));

        toAdapter.clear();
        scheduler.scheduled.get(0).task().run();
        assertThat(toAdapter).containsExactly(new NegotiationCommand.SendSignal(new Signal.Ready(EPOCH)));
        assertThat(scheduler.scheduled).hasSize(2); // re-armed
        assertThat(driver.pendingTimers()).isEqualTo(1);
    }

    @Test
    void aCancelledTimerIsCancelledOnTheSchedulerAndClosingLeavesNoTimerBehind() {
        driver.post(new NegotiationEvent.JoinedRelay(SELF, Optional.of(PEER)));
        driver.post(new NegotiationEvent.TracksAttached(EPOCH));
        driver.post(new NegotiationEvent.SignalReceived(new Signal.Ready(EPOCH)));
        assertThat(scheduler.scheduled.get(0).cancelled()[0]).isTrue();
        assertThat(driver.pendingTimers()).isZero();

        driver.post(new NegotiationEvent.TracksAttached(Epoch.of(ConnectionId.of("c1"), ConnectionId.of("c0")))); // stale
        driver.post(new NegotiationEvent.WindowClosed());
        assertThat(driver.machine().state()).isEqualTo(NegotiationState.CLOSED);
        assertThat(driver.post(new NegotiationEvent.IceStateChanged(EPOCH, IceConnectionState.CLOSED))).isFalse();
        assertThat(driver.ignoredAfterClose()).isEqualTo(1);
    }

    @Test
    void anIllegalEventPropagatesAsTheTypedError() {
        assertThatThrownBy(() -> driver.post(new NegotiationEvent.TracksAttached(EPOCH)))
                .isInstanceOf(IllegalNegotiationEventException.class);
        assertThat(toAdapter).isEmpty();
    }

    @Test
    void aSchedulerOnTheSessionsExecutorRunsTasksOnThatThreadAndCancels() throws Exception {
        ScheduledExecutorService session = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "session-s-42"));
        try {
            TaskScheduler onSession = TaskScheduler.on(session);
            CompletableFuture<String> ranOn = new CompletableFuture<>();
            CompletableFuture<Boolean> cancelledRan = new CompletableFuture<>();
            onSession.schedule(Duration.ofMinutes(1), () -> cancelledRan.complete(true)).cancel();
            onSession.schedule(Duration.ofMillis(5), () -> ranOn.complete(Thread.currentThread().getName()));
            assertThat(ranOn.get(5, TimeUnit.SECONDS)).isEqualTo("session-s-42");
            assertThat(cancelledRan).isNotDone();
            assertThatThrownBy(() -> onSession.schedule(Duration.ofSeconds(-1), () -> { }))
                    .hasMessageContaining("delay must be zero or positive");
        } finally {
            session.shutdownNow();
        }
    }
}
