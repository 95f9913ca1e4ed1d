package dev.duet.webrtc.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories that name their threads, so a thread dump says what each one is for. */
public final class NamedThreads {
    private NamedThreads() {}

    /** Daemon threads named {@code prefix}, {@code prefix-2}, ... */
    public static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            int n = count.incrementAndGet();
            Thread thread = new Thread(runnable, n == 1 ? prefix : prefix + "-" + n);
            thread.setDaemon(true);
            return thread;
        };
    }
}
