package dev.duet.webrtc;

import dev.duet.core.internal.Checks;
import dev.duet.turn.IceServers;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Fetches fresh ICE servers before the TURN credential in the current ones expires: at
 * {@code refreshBefore} ahead of expiry (at most half the time left, at least a second from now),
 * again after each refresh, and every {@value #RETRY_SECONDS} s after a failed fetch. Outcomes come
 * to {@code onFresh} / {@code onFailure} on the call's thread. Confined to the call's thread, which
 * is also {@code scheduler}'s; fetches may complete on any thread.
 */
final class CredentialRefresher {
    static final long RETRY_SECONDS = 5;

    private final ScheduledExecutorService scheduler;
    private final Executor callThread;
    private final InstantSource clock;
    private final IceServerSource source;
    private final Duration refreshBefore;
    private final Consumer<IceServers> onFresh;
    private final Consumer<Throwable> onFailure;
    private ScheduledFuture<?> task;
    private boolean stopped;

    CredentialRefresher(ScheduledExecutorService scheduler, Executor callThread, InstantSource clock, IceServerSource source,
            Duration refreshBefore, Consumer<IceServers> onFresh, Consumer<Throwable> onFailure) {
        this.scheduler = Checks.notNull(scheduler, "scheduler");
        this.callThread = Checks.notNull(callThread, "callThread");
        this.clock = Checks.notNull(clock, "clock");
        this.source = Checks.notNull(source, "source");
        this.refreshBefore = Checks.positive(refreshBefore, "refreshBefore");
        this.onFresh = Checks.notNull(onFresh, "onFresh");
        this.onFailure = Checks.notNull(onFailure, "onFailure");
    }

    /** Plans the refresh of {@code servers} (nothing when they do not expire), replacing any planned one. */
    void scheduleFor(IceServers servers) {
        cancel();
        Optional<Instant> expiry = servers.expiresAt();
        if (expiry.isEmpty() || stopped) {
            return;
        }
        Duration untilExpiry = Duration.between(clock.instant(), expiry.get());
        Duration margin = refreshBefore.compareTo(untilExpiry.dividedBy(2)) < 0 ? refreshBefore : untilExpiry.dividedBy(2);
        long delay = Math.max(1000, untilExpiry.minus(margin).toMillis());
        task = scheduler.schedule(this::refresh, delay, TimeUnit.MILLISECONDS);
    }

    /** No more refreshes (the call ended). */
    void stop() {
        stopped = true;
        cancel();
    }

    private void cancel() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void refresh() {
        fetch(source, callThread, fresh -> {
            if (stopped) {
                return;
            }
            onFresh.accept(fresh);
            scheduleFor(fresh);
        }, error -> {
            if (stopped) {
                return;
            }
            onFailure.accept(error);
            task = scheduler.schedule(this::refresh, RETRY_SECONDS, TimeUnit.SECONDS);
        });
    }

    /** Runs one fetch of {@code source}; its outcome (a value, or the cause of a failure) is handed to {@code thread}. */
    static void fetch(IceServerSource source, Executor thread, Consumer<IceServers> onValue, Consumer<Throwable> onError) {
        CompletionStage<IceServers> stage;
        try {
            stage = Checks.notNull(source.fetch(), "the ICE server source's future");
        } catch (RuntimeException e) {
            onError.accept(e);
            return;
        }
        stage.whenComplete((servers, error) -> thread.execute(() -> {
            if (error != null) {
                onError.accept(error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error);
            } else if (servers == null) {
                onError.accept(new IllegalStateException("the ICE server source returned null"));
            } else {
                onValue.accept(servers);
            }
        }));
    }
}
