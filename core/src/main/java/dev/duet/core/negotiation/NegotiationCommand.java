package dev.duet.core.negotiation;

import dev.duet.core.Epoch;
import dev.duet.core.NegotiationState;
import dev.duet.core.internal.Checks;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link NegotiationMachine} asks its adapter to do, in order. Commands that act on a peer
 * connection must be carried out one after another (each completes, then the next starts, as the
 * WebRTC operations chain does), and report their results as {@link NegotiationEvent}s.
 */
public sealed interface NegotiationCommand {

    /**
     * Build the peer connection of {@code epoch}, then attach the local tracks (whenever local media
     * is available) and report {@link NegotiationEvent.TracksAttached}. {@code polite} tells which
     * side of the perfect-negotiation pattern this is, for adapters that care.
     */
    record CreatePeerConnection(Epoch epoch, boolean polite) implements NegotiationCommand {
        public CreatePeerConnection {
            Checks.notNull(epoch, "epoch");
        }
    }

    /** Close and release the peer connection of {@code epoch}. Nothing of it is used again. */
    record ClosePeerConnection(Epoch epoch) implements NegotiationCommand {
        public ClosePeerConnection {
            Checks.notNull(epoch, "epoch");
        }
    }

    /** Send {@code signal} to the peer through the relay. */
    record SendSignal(Signal signal) implements NegotiationCommand {
        public SendSignal {
            Checks.notNull(signal, "signal");
        }
    }

    /**
     * Create an offer (with a new ICE username fragment when {@code iceRestart}), set it as the local
     * description, report {@link NegotiationEvent.LocalDescriptionReady}.
     */
    record CreateOffer(Epoch epoch, boolean iceRestart) implements NegotiationCommand {
        public CreateOffer {
            Checks.notNull(epoch, "epoch");
        }
    }

    /** Create an answer to the remote offer, set it as the local description, report {@link NegotiationEvent.LocalDescriptionReady}. */
    record CreateAnswer(Epoch epoch) implements NegotiationCommand {
        public CreateAnswer {
            Checks.notNull(epoch, "epoch");
        }
    }

    /**
     * Set the remote description (after rolling back the local offer when {@code rollbackFirst}: the
     * polite side in glare), report {@link NegotiationEvent.RemoteDescriptionApplied}.
     */
    record ApplyRemoteDescription(Epoch epoch, SdpType type, String sdp, boolean rollbackFirst)
            implements NegotiationCommand {
        public ApplyRemoteDescription {
            Checks.notNull(epoch, "epoch");
            Checks.notNull(type, "type");
            Checks.notNull(sdp, "sdp");
        }
    }

    /** Add remote candidates; the remote description they belong to is already set. */
    record AddRemoteCandidates(Epoch epoch, List<IceCandidate> candidates) implements NegotiationCommand {
        public AddRemoteCandidates {
            Checks.notNull(epoch, "epoch");
            candidates = List.copyOf(Checks.notNull(candidates, "candidates"));
        }
    }

    /** Fire {@link NegotiationEvent.TimerFired} with {@code key} after {@code delay}, on the session's thread. */
    record StartTimer(TimerKey key, Duration delay) implements NegotiationCommand {
        public StartTimer {
            Checks.notNull(key, "key");
            Checks.notNull(delay, "delay");
        }
    }

    /** Cancel the timer {@code key} if it has not fired (a firing that races the cancel is ignored anyway). */
    record CancelTimer(TimerKey key) implements NegotiationCommand {
        public CancelTimer {
            Checks.notNull(key, "key");
        }
    }

    /** Tell the app: the session moved from {@code from} to {@code to}, because {@code why}. */
    record StateChanged(NegotiationState from, NegotiationState to, String why) implements NegotiationCommand {
        public StateChanged {
            Checks.notNull(from, "from");
            Checks.notNull(to, "to");
            Checks.notNull(why, "why");
        }
    }
}
