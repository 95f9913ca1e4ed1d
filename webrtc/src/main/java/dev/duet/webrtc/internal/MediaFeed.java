package dev.duet.webrtc.internal;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A generator that pushes media into a native source at a fixed rate on the engine's one media
 * thread. {@link #close()} returns only once no push is running, so the owner may then dispose the
 * source safely.
 */
abstract class MediaFeed implements AutoCloseable {
    private final ScheduledExecutorService mediaThread;
    private ScheduledFuture<?> task;

    MediaFeed(ScheduledExecutorService mediaThread) {
        this.mediaThread = mediaThread;
    }

    final void start(long periodMicros) {
        task = mediaThread.scheduleAtFixedRate(this::push, 0, periodMicros, TimeUnit.MICROSECONDS);
    }

    abstract void push();

    @Override
    public final void close() {
        task.cancel(false);
        try {
            // The media thread runs one task at a time: once this no-op ran, no push is in flight.
            mediaThread.submit(() -> { }).get(5, TimeUnit.SECONDS);
        } catch (RejectedExecutionException | ExecutionException | TimeoutException shutDown) {
            // the engine's media thread is gone (engine closing): nothing runs on it any more
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
