package dev.duet.signaling.server.internal;

import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A connection's outgoing frames, bounded: {@link #send} only queues (cheap, never blocks, safe
 * under any lock) and the frames are written one at a time, in order, never under the caller's
 * locks: on {@code executor}, or, for frames queued inside {@link #deferringWrites}, by that
 * thread once its work is done and it holds no lock (a frame handled on a connection's thread
 * writes its answers and deliveries there, with no hand-off to another thread). When more than
 * {@code maxQueuedBytes} wait, the client is not reading fast enough: the queue stops taking
 * frames and {@code onOverflow} runs once (it closes the connection).
 */
final class QueuedOutbound {
    /** Writes one text frame and calls {@code done} (with null, or the failure) once it is written; closes. */
    interface FrameWriter {
        void write(String text, Consumer<Throwable> done);

        void close(int code, String reason);
    }

    /** A close, queued after the frames sent before it. */
    private record Close(int code, String reason) {}

    private static final int PENDING = 0;
    private static final int DONE_IN_PLACE = 1;
    private static final int LEFT_TO_CALLBACK = 2;

    private final FrameWriter writer;
    private final Executor executor;
    private final long maxQueuedBytes;
    private final Runnable onOverflow;
    private final AtomicLong queuedBytes;   // shared by the node's connections: its total
    private final Queue<Object> queue = new ConcurrentLinkedQueue<>(); // String frames, then maybe one Close
    private final AtomicLong mine = new AtomicLong();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicBoolean overflowed = new AtomicBoolean();

    /** The queues a thread inside {@link #deferringWrites} has sent on; it writes them when its work is done. */
    private static final ThreadLocal<java.util.List<QueuedOutbound>> DEFERRED = new ThreadLocal<>();

    /**
     * Runs {@code work}, and then writes on this thread what it queued on any connection. Call
     * holding no lock: the writes run here (they never block; Jetty writes what the socket takes
     * and finishes the rest on its own threads).
     */
    static void deferringWrites(Runnable work) {
        if (DEFERRED.get() != null) {
            work.run(); // nested: the outer call writes
            return;
        }
        java.util.List<QueuedOutbound> touched = new java.util.ArrayList<>(4);
        DEFERRED.set(touched);
        try {
            work.run();
        } finally {
            DEFERRED.remove();
            for (QueuedOutbound q : touched) {
                if (!q.queue.isEmpty() && q.writing.compareAndSet(false, true)) {
                    q.writeLoop();
                }
            }
        }
    }

    QueuedOutbound(FrameWriter writer, Executor executor, long maxQueuedBytes, AtomicLong nodeQueuedBytes, Runnable onOverflow) {
        this.writer = writer;
        this.executor = executor;
        this.maxQueuedBytes = maxQueuedBytes;
        this.queuedBytes = nodeQueuedBytes;
        this.onOverflow = onOverflow;
    }

    /** Queues {@code text}; false if the connection overflowed (the frame is dropped, the connection is being closed). */
    boolean send(String text) {
        if (overflowed.get()) {
            return false;
        }
        long size = weight(text);
        if (mine.addAndGet(size) > maxQueuedBytes) {
            mine.addAndGet(-size);
            if (overflowed.compareAndSet(false, true)) {
                onOverflow.run();
            }
            return false;
        }
        queuedBytes.addAndGet(size);
        queue.add(text);
        java.util.List<QueuedOutbound> deferred = DEFERRED.get();
        if (deferred != null) {
            if (!deferred.contains(this)) {
                deferred.add(this);
            }
            return true;
        }
        if (writing.compareAndSet(false, true)) {
            executor.execute(this::writeLoop);
        }
        return true;
    }

    /** Closes the connection once every frame queued before is written. */
    void close(int code, String reason) {
        queue.add(new Close(code, reason));
        if (writing.compareAndSet(false, true)) {
            executor.execute(this::writeLoop);
        }
    }

    /** Bytes waiting on this connection. */
    long queued() {
        return mine.get();
    }

    /** Forgets what is queued (the connection is gone). */
    void discard() {
        overflowed.set(true);
        Object dropped;
        while ((dropped = queue.poll()) != null) {
            if (dropped instanceof String text) {
                release(text);
            }
        }
    }

    private void writeLoop() {
        while (true) {
            Object item = queue.poll();
            if (item instanceof Close close) {
                writer.close(close.code(), close.reason());
                continue;
            }
            String next = (String) item;
            if (next == null) {
                writing.set(false);
                if (queue.isEmpty() || !writing.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            AtomicInteger state = new AtomicInteger(PENDING);
            writer.write(next, failure -> {
                release(next);
                if (failure != null) {
                    discard();
                    writing.set(false);
                    return;
                }
                if (!state.compareAndSet(PENDING, DONE_IN_PLACE)) {
                    writeLoop(); // written later, on the library's thread: go on from there
                }
            });
            if (state.compareAndSet(PENDING, LEFT_TO_CALLBACK)) {
                return; // the callback continues the loop once this frame is out
            }
        }
    }

    private void release(String text) {
        long size = weight(text);
        mine.addAndGet(-size);
        queuedBytes.addAndGet(-size);
    }

    /** What a frame costs in the queue: its UTF-16 chars count twice, close enough to its memory. */
    private static long weight(String text) {
        return 2L * text.length() + 64;
    }
}
