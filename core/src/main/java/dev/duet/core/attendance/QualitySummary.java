package dev.duet.core.attendance;

import dev.duet.core.internal.Checks;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * How well media flowed, from the media reports, so support can tell a bad network from a no-show.
 *
 * <h2>Verdict</h2>
 * {@code relayedTime} and {@code directTime} split the time both were present and reports came in
 * by whether the selected candidate pair went through a TURN relay.
 * Figures are the medians of each direction's receiver reports, the worse direction deciding.
 * <ul>
 *   <li>{@link Verdict#NO_DATA}: no media report at all while both were present.</li>
 *   <li>{@link Verdict#POOR}: loss over 5 %, or round trip over 400 ms, or media one way only for
 *       more than 20 % of the time both were present, or media both ways for less than half of it.</li>
 *   <li>{@link Verdict#DEGRADED}: otherwise, loss over 2 %, round trip over 250 ms, jitter over
 *       30 ms, video under 10 frames per second, or one-way media over 5 % of the time both were present.</li>
 *   <li>{@link Verdict#GOOD}: otherwise.</li>
 * </ul>
 */
public record QualitySummary(DirectionQuality expertToLearner, DirectionQuality learnerToExpert, Duration relayedTime,
        Duration directTime, Verdict verdict, String verdictReason) {

    public enum Verdict { GOOD, DEGRADED, POOR, NO_DATA }

    /**
     * One direction, from the receiving side's reports while media flowed: median and worst of each
     * figure (worst is the highest for loss, round trip and jitter, the lowest for frame rate and height).
     */
    public record DirectionQuality(int reports, OptionalDouble medianRoundTripMs, OptionalDouble worstRoundTripMs,
            OptionalDouble medianLossRatio, OptionalDouble worstLossRatio, OptionalDouble medianJitterMs,
            OptionalDouble worstJitterMs, OptionalDouble medianFramesPerSecond, OptionalDouble worstFramesPerSecond,
            OptionalInt medianHeight, OptionalInt worstHeight) {}

    public QualitySummary {
        Checks.notNull(expertToLearner, "expertToLearner");
        Checks.notNull(learnerToExpert, "learnerToExpert");
        Checks.notNull(relayedTime, "relayedTime");
        Checks.notNull(directTime, "directTime");
        Checks.notNull(verdict, "verdict");
        Checks.notNull(verdictReason, "verdictReason");
    }
}
