package dev.duet.webrtc;

import dev.duet.core.Epoch;
import dev.duet.core.internal.Checks;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The call's connect deadline: armed when a negotiation starts, disarmed when media connects; if
 * it runs out first, {@code onExpired} gets the epoch it was armed for. Arming again replaces the
 * earlier deadline. Confined to the call's thread, which is also {@code scheduler}'s.
 */
final class ConnectWatchdog {
    private final ScheduledExecutorService scheduler;
    private final Duration timeout;
    private final Consumer<Epoch> onExpired;
    private ScheduledFuture<?> deadline;

    ConnectWatchdog(ScheduledExecutorService scheduler, Duration timeout, Consumer<Epoch> onExpired) {
        this.scheduler = Checks.notNull(scheduler, "scheduler");
        this.timeout = Checks.positive(timeout, "timeout");
        this.onExpired = Checks.notNull(onExpired, "onExpired");
    }

    Duration timeout() {
        return timeout;
    }

    /** Starts (or restarts) the deadline for {@code epoch}. */
    void arm(Epoch epoch) {
        disarm();
        deadline = scheduler.schedule(() -> onExpired.accept(epoch), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Media connected, or the call is over: no deadline. */
    void disarm() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
