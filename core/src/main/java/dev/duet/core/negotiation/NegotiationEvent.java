package dev.duet.core.negotiation;

import dev.duet.core.Presence;
import dev.duet.core.Epoch;
import dev.duet.core.ConnectionId;
import dev.duet.core.internal.Checks;
import java.util.Optional;

/**
 * What happens to a {@link NegotiationMachine}: relay facts, results of the commands it issued,
 * signals from the peer, ICE states, timers, and the ends of a session. Events that carry an
 * {@link Epoch} and name an epoch other than the current one are stale: counted and ignored.
 */
public sealed interface NegotiationEvent {

    // ---- relay facts ----

    /** This side joined the relay: its own presence, and the peer's if the peer was already there. */
    record JoinedRelay(Presence self, Optional<Presence> peer) implements NegotiationEvent {
        public JoinedRelay {
            Checks.notNull(self, "joined.self");
            Checks.notNull(peer, "joined.peer");
        }
    }

    /** This side's signaling connection was replaced by a new one (a network drop and rejoin). */
    record Rejoined(Presence self, Optional<Presence> peer) implements NegotiationEvent {
        public Rejoined {
            Checks.notNull(self, "rejoined.self");
            Checks.notNull(peer, "rejoined.peer");
        }
    }

    /** The peer arrived, or arrived again on a new connection (which replaces the old one). */
    record PeerJoined(Presence peer) implements NegotiationEvent {
        public PeerJoined {
            Checks.notNull(peer, "peerJoined.peer");
        }
    }

    /** The peer's connection {@code connection} left the relay. */
    record PeerLeft(ConnectionId connection) implements NegotiationEvent {
        public PeerLeft {
            Checks.notNull(connection, "peerLeft.connection");
        }
    }

    // ---- local media and results of commands ----

    /** All local tracks are attached to the epoch's peer connection. */
    record TracksAttached(Epoch epoch) implements NegotiationEvent {
        public TracksAttached {
            Checks.notNull(epoch, "tracksAttached.epoch");
        }
    }

    /** A local change (a track added later) needs a new offer/answer exchange. */
    record NegotiationNeeded(Epoch epoch) implements NegotiationEvent {
        public NegotiationNeeded {
            Checks.notNull(epoch, "negotiationNeeded.epoch");
        }
    }

    /**
     * This side changed something ICE depends on (new TURN credentials were set on the peer
     * connection) and wants new candidates: an ICE-restart offer follows as soon as the current
     * exchange allows, from whichever side asked (glare is resolved as for any renegotiation).
     */
    record IceRestartNeeded(Epoch epoch, String why) implements NegotiationEvent {
        public IceRestartNeeded {
            Checks.notNull(epoch, "iceRestartNeeded.epoch");
            Checks.notNull(why, "iceRestartNeeded.why");
        }
    }

    /** Result of {@link NegotiationCommand.CreateOffer} or {@link NegotiationCommand.CreateAnswer}: created and set as local description. */
    record LocalDescriptionReady(Epoch epoch, SdpType type, String sdp) implements NegotiationEvent {
        public LocalDescriptionReady {
            Checks.notNull(epoch, "localDescriptionReady.epoch");
            Checks.notNull(type, "localDescriptionReady.type");
            Checks.notNull(sdp, "localDescriptionReady.sdp");
        }
    }

    /** Result of {@link NegotiationCommand.ApplyRemoteDescription}: the remote description is set. */
    record RemoteDescriptionApplied(Epoch epoch, SdpType type) implements NegotiationEvent {
        public RemoteDescriptionApplied {
            Checks.notNull(epoch, "remoteDescriptionApplied.epoch");
            Checks.notNull(type, "remoteDescriptionApplied.type");
        }
    }

    /** A command on the peer connection failed; the machine ends the session with the reason. */
    record OperationFailed(Epoch epoch, String operation, String reason) implements NegotiationEvent {
        public OperationFailed {
            Checks.notNull(epoch, "operationFailed.epoch");
            Checks.notNull(operation, "operationFailed.operation");
            Checks.notNull(reason, "operationFailed.reason");
        }
    }

    /** The local peer connection gathered a candidate of its description with username fragment {@code ufrag}. */
    record LocalCandidate(Epoch epoch, String ufrag, IceCandidate candidate) implements NegotiationEvent {
        public LocalCandidate {
            Checks.notNull(epoch, "localCandidate.epoch");
            Checks.notNull(ufrag, "localCandidate.ufrag");
            Checks.notNull(candidate, "localCandidate.candidate");
        }
    }

    /** The epoch's peer connection changed ICE connection state. */
    record IceStateChanged(Epoch epoch, IceConnectionState state) implements NegotiationEvent {
        public IceStateChanged {
            Checks.notNull(epoch, "iceStateChanged.epoch");
            Checks.notNull(state, "iceStateChanged.state");
        }
    }

    /** A timer the machine started has fired. */
    record TimerFired(TimerKey key) implements NegotiationEvent {
        public TimerFired {
            Checks.notNull(key, "timerFired.key");
        }
    }

    // ---- the peer ----

    /** A signal from the peer, as the relay forwarded it. */
    record SignalReceived(Signal signal) implements NegotiationEvent {
        public SignalReceived {
            Checks.notNull(signal, "signalReceived.signal");
        }
    }

    // ---- ends ----

    /** The local user hangs up: tell the peer ({@code bye}) and close. */
    record HangUp(String reason) implements NegotiationEvent {
        public HangUp {
            Checks.notNull(reason, "hangUp.reason");
        }
    }

    /**
     * The relay says the peer hung up ({@code peer-left} with reason {@code hung-up}): the session
     * is over even if the peer's {@code bye} never arrived.
     */
    record PeerHungUp(String reason) implements NegotiationEvent {
        public PeerHungUp {
            Checks.notNull(reason, "peerHungUp.reason");
        }
    }

    /** The relay closed the session for good. */
    record SessionClosedByRelay(String reason) implements NegotiationEvent {
        public SessionClosedByRelay {
            Checks.notNull(reason, "sessionClosed.reason");
        }
    }

    /** The booking's join window has closed. */
    record WindowClosed() implements NegotiationEvent {}
}
