package dev.duet.core.negotiation;

import dev.duet.core.NegotiationState;

/**
 * An event that the machine's state does not allow: an adapter bug (a result for a command that
 * was never issued, an event after {@code CLOSED}, a second {@code JoinedRelay}). The machine's state
 * is unchanged when this is thrown.
 */
public final class IllegalNegotiationEventException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final transient NegotiationState state;
    private final transient NegotiationEvent event;

    IllegalNegotiationEventException(NegotiationState state, NegotiationEvent event, String detail) {
        super("event " + event.getClass().getSimpleName() + " is not allowed in state " + state + ": " + detail);
        this.state = state;
        this.event = event;
    }

    public NegotiationState state() {
        return state;
    }

    public NegotiationEvent event() {
        return event;
    }
}
