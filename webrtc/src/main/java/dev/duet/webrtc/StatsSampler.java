package dev.duet.webrtc;

import dev.duet.core.Epoch;
import dev.duet.core.internal.Checks;
import dev.duet.signaling.client.MediaReport;
import dev.duet.webrtc.internal.MediaCounters;
import dev.duet.webrtc.internal.MediaReports;
import dev.duet.webrtc.internal.OneWayMediaDetector;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The call's stats sampler: asks the current peer connection for its counters every
 * {@code interval}, turns each two consecutive samples into a {@link MediaReport} and watches the
 * reports for one-way media. One peer connection at a time: {@link #start} resets everything.
 * Confined to the call's thread, which is also {@code scheduler}'s.
 */
final class StatsSampler {
    /** What one sample gave: the report for the interval since the previous one, and one-way changes. */
    record Sampled(MediaReport report, List<OneWayMediaDetector.Change> oneWayChanges) {}

    private final ScheduledExecutorService scheduler;
    private final Duration interval;
    private final Duration oneWayThreshold;
    private ScheduledFuture<?> task;
    private MediaCounters last;
    private OneWayMediaDetector oneWay;

    StatsSampler(ScheduledExecutorService scheduler, Duration interval, Duration oneWayThreshold) {
        this.scheduler = Checks.notNull(scheduler, "scheduler");
        this.interval = Checks.positive(interval, "interval");
        this.oneWayThreshold = Checks.positive(oneWayThreshold, "oneWayThreshold");
        this.oneWay = new OneWayMediaDetector(oneWayThreshold);
    }

    /** Samples a new peer connection: {@code sampleNow} is run every interval (its result comes to {@link #sampled}). */
    void start(Runnable sampleNow) {
        stop();
        last = null;
        oneWay = new OneWayMediaDetector(oneWayThreshold);
        long period = interval.toMillis();
        task = scheduler.scheduleAtFixedRate(sampleNow, period, period, TimeUnit.MILLISECONDS);
    }

    /** No more sampling (the peer connection closed, or the call ended). */
    void stop() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    /** A sample arrived at {@code now}: the report since the previous sample, if there was one and it saw a stream. */
    Optional<Sampled> sampled(MediaCounters counters, Epoch epoch, Instant now) {
        MediaCounters previous = last;
        last = counters;
        if (previous == null) {
            return Optional.empty();
        }
        return MediaReports.between(previous, counters, epoch, now)
                .map(report -> new Sampled(report, oneWay.observe(report, now)));
    }
}
