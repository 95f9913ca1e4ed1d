package dev.duet.core.negotiation;

import dev.duet.core.NegotiationSettings;

/** The timers the negotiation machine asks for (see {@link NegotiationSettings} for their lengths). */
public enum TimerKind {
    /** Own {@code ready} sent, peer's not received: resend ours, keep waiting. */
    READY_WAIT,
    /** Offer sent, no answer: resend the same offer (the peer resends its answer if it already answered). */
    ANSWER_WAIT,
    /** Initiator only: descriptions exchanged but ICE not connected in time: restart ICE. */
    ICE_CONNECT,
    /** Initiator only: ICE disconnected for longer than the grace: restart ICE. */
    ICE_DISCONNECTED
}
