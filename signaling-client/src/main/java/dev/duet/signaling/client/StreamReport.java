package dev.duet.signaling.client;

import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import dev.duet.core.internal.Checks;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * One direction and kind of media over one sampling interval.
 *
 * @param direction       inbound (received here) or outbound (sent from here)
 * @param kind            audio or video
 * @param flowing         whether packets moved during the interval
 * @param bitrateKbps     zero or more
 * @param lossRatio       0 to 1
 * @param jitterMs        inbound only, zero or more
 * @param roundTripMs     zero or more, when known
 * @param framesPerSecond video only, zero or more
 * @param width           video only, 1 to 16384
 * @param height          video only, 1 to 16384
 */
public record StreamReport(
        MediaDirection direction,
        MediaKind kind,
        boolean flowing,
        double bitrateKbps,
        double lossRatio,
        OptionalDouble jitterMs,
        OptionalDouble roundTripMs,
        OptionalDouble framesPerSecond,
        OptionalInt width,
        OptionalInt height) {



    public StreamReport {
        Checks.notNull(direction, "stream.direction");
        Checks.notNull(kind, "stream.kind");
        Checks.notNull(jitterMs, "stream.jitterMs");
        Checks.notNull(roundTripMs, "stream.roundTripMs");
        Checks.notNull(framesPerSecond, "stream.framesPerSecond");
        Checks.notNull(width, "stream.width");
        Checks.notNull(height, "stream.height");
        requireFinite(bitrateKbps, 0, 1e7, "stream.bitrateKbps");
        requireFinite(lossRatio, 0, 1, "stream.lossRatio");
        jitterMs.ifPresent(v -> requireFinite(v, 0, 1e6, "stream.jitterMs"));
        roundTripMs.ifPresent(v -> requireFinite(v, 0, 1e6, "stream.roundTripMs"));
        framesPerSecond.ifPresent(v -> requireFinite(v, 0, 1000, "stream.framesPerSecond"));
        width.ifPresent(v -> requireRange(v, "stream.width"));
        height.ifPresent(v -> requireRange(v, "stream.height"));
    }

    /** An audio or video stream with only the essentials. */
    public static StreamReport of(MediaDirection direction, MediaKind kind, boolean flowing, double bitrateKbps) {
        return new StreamReport(direction, kind, flowing, bitrateKbps, 0, OptionalDouble.empty(), OptionalDouble.empty(),
                OptionalDouble.empty(), OptionalInt.empty(), OptionalInt.empty());
    }

    private static void requireFinite(double value, double min, double max, String name) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", but was " + value);
        }
    }

    private static void requireRange(int value, String name) {
        if (value < 1 || value > 16384) {
            throw new IllegalArgumentException(name + " must be 1 to 16384, but was " + value);
        }
    }
}
