package dev.duet.signaling.client.internal;

import dev.duet.core.internal.Checks;
import dev.duet.core.internal.LogContext;
import dev.duet.signaling.client.SignalingListener;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The two threads of a signaling transport, shared by the relay's and Pusher's: its loop (one task at
 * a time; all of the transport's state lives there) and its callback executor, where the listener
 * hears of events and futures complete, one at a time and in order, with the session in the log
 * context. Not for apps.
 */
public final class TransportLoop {
    private final ScheduledExecutorService loop;
    private final boolean own;
    private final Executor callbacks;
    private final String sessionLabel;
    private final Logger log;
    private volatile SignalingListener listener;

    /**
     * @param given        the loop to run on, or {@code null} to make one (a daemon thread named {@code threadName})
     * @param callbacks    the app's callback executor (wrapped so that callbacks run one at a time)
     * @param sessionLabel the session id for log lines, or {@code null}
     * @param log          where a throwing listener is reported
     */
    public TransportLoop(ScheduledExecutorService given, Executor callbacks, String threadName, String sessionLabel, Logger log) {
        this.callbacks = new SerialExecutor(Checks.notNull(callbacks, "callbacks"));
        this.sessionLabel = sessionLabel;
        this.log = Checks.notNull(log, "log");
        this.own = given == null;
        this.loop = own ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(() -> {
                LogContext.with(sessionLabel, null, null); // the loop thread's lines carry the session for its whole life
                r.run();
            }, threadName);
            t.setDaemon(true);
            return t;
        }) : given;
    }

    public ScheduledExecutorService loop() {
        return loop;
    }

    /** The listener that {@link #notify} calls (set once the transport joins). */
    public void listener(SignalingListener listener) {
        this.listener = listener;
    }

    /** Runs a wire callback on the loop; once the transport has ended, it is dropped. */
    public void post(Runnable action) {
        try {
            loop.execute(action);
        } catch (RejectedExecutionException closed) {
            // the transport is closed; late callbacks of its last wire are dropped
        }
    }

    /** Runs a public call's work on the loop, or fails its future when the transport has ended. */
    public void onLoop(Runnable action, CompletableFuture<?> future) {
        try {
            loop.execute(action);
        } catch (RejectedExecutionException e) {
            fail(future, new IllegalStateException("the transport is closed"));
        }
    }

    /** Tells the listener, on the callback executor; a listener that throws is logged and the transport goes on. */
    public void notify(Consumer<SignalingListener> callback) {
        SignalingListener l = listener;
        callbacks.execute(() -> {
            try (LogContext ignored = LogContext.with(sessionLabel, null, null)) {
                callback.accept(l);
            } catch (RuntimeException e) {
                log.warn("a signaling listener threw; the transport goes on", e);
            }
        });
    }

    public <T> void complete(CompletableFuture<T> future, T value) {
        callbacks.execute(() -> future.complete(value));
    }

    public void fail(CompletableFuture<?> future, Throwable cause) {
        callbacks.execute(() -> future.completeExceptionally(cause));
    }

    /** Whether the transport has a listener to tell (it has joined). */
    public boolean hasListener() {
        return listener != null;
    }

    /** Ends the loop if the transport made it (a given loop is the giver's to end). */
    public void shutdownIfOwn() {
        if (own) {
            loop.shutdown();
        }
    }

    /** A random id for a client instance: 16 characters of {@code A-Z a-z 0-9}. */
    public static String randomClientId(Random random) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder id = new StringBuilder(16);
        for (int i = 0; i < 16; i++) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString();
    }

    /** {@code joinTimeout} when it is 1 s to 1 h; else an exception saying so. */
    public static Duration checkJoinTimeout(Duration joinTimeout) {
        Checks.notNull(joinTimeout, "joinTimeout");
        if (joinTimeout.compareTo(Duration.ofSeconds(1)) < 0 || joinTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("joinTimeout must be 1 s to 1 h, but was " + joinTimeout);
        }
        return joinTimeout;
    }
}
