package dev.duet.core.simulation;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/**
 * Deterministic virtual time: tasks run in order of their due time, ties in order of scheduling.
 * Nothing runs unless {@link #runUntil} is called; no thread, no wall clock.
 */
final class VirtualScheduler {
    private final Instant origin;
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long nowMillis;
    private long sequence;
    private long executed;

    VirtualScheduler(Instant origin) {
        this.origin = origin;
    }

    /** A scheduled task; {@link #cancel()} before it runs and it never runs. */
    static final class Task implements Comparable<Task> {
        final long dueMillis;
        final long sequence;
        final Runnable action;
        boolean cancelled;

        Task(long dueMillis, long sequence, Runnable action) {
            this.dueMillis = dueMillis;
            this.sequence = sequence;
            this.action = action;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Task o) {
            int byTime = Long.compare(dueMillis, o.dueMillis);
            return byTime != 0 ? byTime : Long.compare(sequence, o.sequence);
        }
    }

    long nowMillis() {
        return nowMillis;
    }

    Instant now() {
        return origin.plusMillis(nowMillis);
    }

    /** This virtual time as the {@link dev.duet.core.negotiation.TaskScheduler} a driver takes. */
    dev.duet.core.negotiation.TaskScheduler asTaskScheduler() {
        return (delay, task) -> schedule(delay, task)::cancel;
    }

    Task schedule(Duration delay, Runnable action) {
        return at(nowMillis + Math.max(0, delay.toMillis()), action);
    }

    Task at(long dueMillis, Runnable action) {
        Task task = new Task(Math.max(dueMillis, nowMillis), sequence++, action);
        queue.add(task);
        return task;
    }

    /**
     * Runs due tasks in order until the queue is empty, the next task is later than {@code limitMillis},
     * or {@code maxTasks} tasks have run. Returns true when it stopped because the queue emptied or the limit was reached.
     */
    boolean runUntil(long limitMillis, long maxTasks) {
        while (!queue.isEmpty()) {
            Task next = queue.peek();
            if (next.dueMillis > limitMillis) {
                nowMillis = limitMillis;
                return true;
            }
            queue.poll();
            if (next.cancelled) {
                continue;
            }
            nowMillis = next.dueMillis;
            next.action.run();
            if (++executed >= maxTasks) {
                return false;
            }
        }
        return true;
    }

}
