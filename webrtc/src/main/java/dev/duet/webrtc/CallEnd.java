package dev.duet.webrtc;

import dev.duet.core.internal.Checks;
import dev.duet.core.NegotiationStats;
import java.time.Instant;
import java.util.Optional;

/**
 * How a call ended: when (the call's clock), why in words, the error when it failed, and the
 * negotiation counters of its machine.
 */
public record CallEnd(Instant at, String reason, Optional<CallError> error, NegotiationStats stats) {
    public CallEnd {
        Checks.notNull(at, "at");
        Checks.notNull(reason, "reason");
        Checks.notNull(error, "error");
        Checks.notNull(stats, "stats");
    }

    /** True when the call ended because of an error rather than a hang-up or the session's end. */
    public boolean failed() {
        return error.isPresent();
    }
}
