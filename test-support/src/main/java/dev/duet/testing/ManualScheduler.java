package dev.duet.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A scheduler in virtual time, for tests of timeouts without waiting: nothing runs until the test
 * calls {@link #advance}, which runs every task that falls due, in time order, on the calling thread,
 * moving the virtual clock to each task's time. {@link #nanoTime()} and {@link #clock()} read the
 * same virtual time, so a component given all three sees one consistent clock.
 *
 * <p>Tasks may be scheduled from any thread (a server's connection threads, say);
 * {@link #awaitScheduled} waits, in real time, until enough are queued.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final Object lock = new Object();
    private final Instant start;
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
    private long nanos;
    private long sequence;
    private long scheduledEver;
    private boolean shutdown;

    /** Virtual time starts at {@code start} (for {@link #clock()}) and at 0 ns (for {@link #nanoTime()}). */
    public ManualScheduler(Instant start) {
        this.start = start;
    }

    /** Virtual monotonic time in nanoseconds, as {@code System::nanoTime} would give. */
    public long nanoTime() {
        synchronized (lock) {
            return nanos;
        }
    }

    /** A UTC clock that reads virtual time. */
    public Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException("the virtual clock is UTC");
            }

            @Override
            public Instant instant() {
                return start.plusNanos(nanoTime());
            }
        };
    }

    /** Moves virtual time forward by {@code by}, running each task that falls due at its own time. */
    public void advance(Duration by) {
        long target;
        synchronized (lock) {
            target = nanos + by.toNanos();
        }
        while (true) {
            Task<?> next;
            synchronized (lock) {
                next = queue.peek();
                if (next == null || next.at > target) {
                    nanos = target;
                    return;
                }
                queue.poll();
                nanos = Math.max(nanos, next.at);
            }
            next.runOnce();
        }
    }

    /** Waits in real time, at most {@code timeout}, until {@code count} tasks have been scheduled since this was made. */
    public void awaitScheduled(long count, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (scheduledEver < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException(scheduledEver + " of " + count + " tasks were scheduled within " + timeout);
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
    }

    /** How many tasks wait in the queue. */
    public int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    private <T> Task<T> enqueue(Callable<T> body, long delayNanos, long periodNanos) {
        synchronized (lock) {
            if (shutdown) {
                throw new java.util.concurrent.RejectedExecutionException("the scheduler was shut down");
            }
            Task<T> task = new Task<>(body, nanos + Math.max(0, delayNanos), periodNanos, sequence++);
            queue.add(task);
            scheduledEver++;
            lock.notifyAll();
            return task;
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return enqueue(() -> {
            command.run();
            return null;
        }, unit.toNanos(delay), 0);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return enqueue(callable, unit.toNanos(delay), 0);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return scheduleWithFixedDelay(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        if (delay <= 0) {
            throw new IllegalArgumentException("delay must be positive, but was " + delay);
        }
        return enqueue(() -> {
            command.run();
            return null;
        }, unit.toNanos(initialDelay), unit.toNanos(delay));
    }

    /** Runs at the current virtual time, on the next {@link #advance} (of any length, zero included). */
    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shutdown() {
        synchronized (lock) {
            shutdown = true;
        }
    }

    @Override
    public List<Runnable> shutdownNow() {
        synchronized (lock) {
            shutdown = true;
            List<Runnable> dropped = new ArrayList<>(queue);
            queue.clear();
            return dropped;
        }
    }

    @Override
    public boolean isShutdown() {
        synchronized (lock) {
            return shutdown;
        }
    }

    @Override
    public boolean isTerminated() {
        return isShutdown();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isShutdown();
    }

    private final class Task<T> implements ScheduledFuture<T>, Runnable {
        private final Callable<T> body;
        private final long period;
        private final long order;
        private long at;
        private boolean cancelled;
        private boolean done;
        private T result;
        private Throwable failure;

        Task(Callable<T> body, long at, long period, long order) {
            this.body = body;
            this.at = at;
            this.period = period;
            this.order = order;
        }

        void runOnce() {
            synchronized (lock) {
                if (cancelled || done) {
                    return;
                }
            }
            try {
                T value = body.call();
                synchronized (lock) {
                    if (period > 0 && !cancelled && !shutdown) {
                        at = nanos + period;
                        queue.add(this);
                    } else {
                        result = value;
                        done = true;
                    }
                }
            } catch (Exception | Error e) {
                synchronized (lock) {
                    failure = e;
                    done = true; // as ScheduledThreadPoolExecutor: a periodic task that throws stops
                }
            }
        }

        @Override
        public void run() {
            runOnce();
        }

        @Override
        public long getDelay(TimeUnit unit) {
            synchronized (lock) {
                return unit.convert(at - nanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public int compareTo(Delayed other) {
            Task<?> o = (Task<?>) other;
            return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            synchronized (lock) {
                if (done) {
                    return false;
                }
                cancelled = true;
                queue.remove(this);
                return true;
            }
        }

        @Override
        public boolean isCancelled() {
            synchronized (lock) {
                return cancelled;
            }
        }

        @Override
        public boolean isDone() {
            synchronized (lock) {
                return done || cancelled;
            }
        }

        @Override
        public T get() throws ExecutionException {
            synchronized (lock) {
                if (cancelled) {
                    throw new CancellationException();
                }
                if (!done) {
                    throw new IllegalStateException("not run yet: advance the virtual time first");
                }
                if (failure != null) {
                    throw new ExecutionException(failure);
                }
                return result;
            }
        }

        @Override
        public T get(long timeout, TimeUnit unit) throws ExecutionException {
            return get();
        }
    }
}
