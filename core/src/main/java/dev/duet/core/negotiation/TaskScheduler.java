package dev.duet.core.negotiation;

import dev.duet.core.internal.Checks;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task after a delay, on the session's own thread. The only way time enters the
 * negotiation: production code passes the session's single-threaded
 * {@link ScheduledExecutorService}; tests pass virtual time.
 */
@FunctionalInterface
public interface TaskScheduler {

    /** A scheduled task that can still be cancelled. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not started; harmless when it already ran or was cancelled. */
        void cancel();
    }

    /**
     * Runs {@code task} once after {@code delay}, on the same thread that drives the session.
     *
     * @param delay zero or positive
     */
    Cancellable schedule(Duration delay, Runnable task);

    /**
     * A scheduler on {@code executor}, which must be the session's own serial executor (one thread),
     * so that tasks run confined with everything else of the session.
     */
    static TaskScheduler on(ScheduledExecutorService executor) {
        Checks.notNull(executor, "executor");
        return (delay, task) -> {
            Checks.notNegative(delay, "delay");
            Checks.notNull(task, "task");
            ScheduledFuture<?> future = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        };
    }
}
