package dev.duet.core.attendance;

import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import dev.duet.core.internal.Checks;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * One direction and kind of media as one participant's stats sampler saw it over one interval: did
 * it flow, and how well. Seen from the reporting participant: {@code INBOUND} is what it received.
 */
public record MediaFlow(MediaDirection direction, MediaKind kind, boolean flowing, double lossRatio, OptionalDouble roundTripMs,
        OptionalDouble jitterMs, OptionalDouble framesPerSecond, OptionalInt width, OptionalInt height) {



    public MediaFlow {
        Checks.notNull(direction, "flow.direction");
        Checks.notNull(kind, "flow.kind");
        Checks.notNull(roundTripMs, "flow.roundTripMs");
        Checks.notNull(jitterMs, "flow.jitterMs");
        Checks.notNull(framesPerSecond, "flow.framesPerSecond");
        Checks.notNull(width, "flow.width");
        Checks.notNull(height, "flow.height");
        if (!(lossRatio >= 0 && lossRatio <= 1)) {
            throw new IllegalArgumentException("flow.lossRatio must be between 0 and 1, but was " + lossRatio);
        }
    }

    /** Only the essentials: flowing or not, no quality figures. */
    public static MediaFlow of(MediaDirection direction, MediaKind kind, boolean flowing) {
        return new MediaFlow(direction, kind, flowing, 0, OptionalDouble.empty(), OptionalDouble.empty(),
                OptionalDouble.empty(), OptionalInt.empty(), OptionalInt.empty());
    }
}
