package dev.duet.signaling.client;

import dev.duet.core.internal.Checks;
import dev.duet.core.negotiation.Signal;

/**
 * What one participant sends the other through the relay: a negotiation signal, a chat
 * line, or a media report. The relay forwards all three and records media reports for attendance.
 */
public sealed interface PeerMessage permits PeerMessage.Negotiation, ChatMessage, MediaReport {

    /**
     * A negotiation signal (ready, offer, answer, candidates, bye) of the core state machine. Only
     * Duet's own modules see {@code Signal} (dev.duet.core.negotiation is exported to them alone):
     * an app passes such messages along, it never makes or reads them.
     */
    @SuppressWarnings("exports")
    record Negotiation(Signal signal) implements PeerMessage {
        public Negotiation {
            Checks.notNull(signal, "signal");
        }
    }
}
