package dev.duet.core.negotiation;

import dev.duet.core.internal.Checks;

/**
 * Names one arming of a timer. A {@link NegotiationEvent.TimerFired} whose key is not the latest
 * arming of its kind is stale and ignored, so a cancel that loses a race with the firing is harmless.
 */
public record TimerKey(TimerKind kind, long generation) {
    public TimerKey {
        Checks.notNull(kind, "timerKey.kind");
    }
}
