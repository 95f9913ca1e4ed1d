package dev.duet.core.negotiation;

import dev.duet.core.NegotiationSettings;
import dev.duet.core.Presence;
import dev.duet.core.Epoch;
import dev.duet.core.NegotiationStats;
import dev.duet.core.NegotiationState;
import dev.duet.core.ParticipantId;
import dev.duet.core.internal.Checks;
import dev.duet.core.internal.Sdp;
import dev.duet.core.negotiation.NegotiationCommand.AddRemoteCandidates;
import dev.duet.core.negotiation.NegotiationCommand.ApplyRemoteDescription;
import dev.duet.core.negotiation.NegotiationCommand.CancelTimer;
import dev.duet.core.negotiation.NegotiationCommand.ClosePeerConnection;
import dev.duet.core.negotiation.NegotiationCommand.CreateAnswer;
import dev.duet.core.negotiation.NegotiationCommand.CreateOffer;
import dev.duet.core.negotiation.NegotiationCommand.CreatePeerConnection;
import dev.duet.core.negotiation.NegotiationCommand.SendSignal;
import dev.duet.core.negotiation.NegotiationCommand.StartTimer;
import dev.duet.core.negotiation.NegotiationCommand.StateChanged;
import dev.duet.core.negotiation.NegotiationEvent.HangUp;
import dev.duet.core.negotiation.NegotiationEvent.IceStateChanged;
import dev.duet.core.negotiation.NegotiationEvent.JoinedRelay;
import dev.duet.core.negotiation.NegotiationEvent.LocalCandidate;
import dev.duet.core.negotiation.NegotiationEvent.IceRestartNeeded;
import dev.duet.core.negotiation.NegotiationEvent.LocalDescriptionReady;
import dev.duet.core.negotiation.NegotiationEvent.NegotiationNeeded;
import dev.duet.core.negotiation.NegotiationEvent.OperationFailed;
import dev.duet.core.negotiation.NegotiationEvent.PeerJoined;
import dev.duet.core.negotiation.NegotiationEvent.PeerLeft;
import dev.duet.core.negotiation.NegotiationEvent.Rejoined;
import dev.duet.core.negotiation.NegotiationEvent.RemoteDescriptionApplied;
import dev.duet.core.negotiation.NegotiationEvent.SessionClosedByRelay;
import dev.duet.core.negotiation.NegotiationEvent.SignalReceived;
import dev.duet.core.negotiation.NegotiationEvent.TimerFired;
import dev.duet.core.negotiation.NegotiationEvent.TracksAttached;
import dev.duet.core.negotiation.NegotiationEvent.WindowClosed;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One participant's side of a session's WebRTC negotiation, as a pure state machine: each
 * {@link NegotiationEvent} in returns the {@link NegotiationCommand}s to carry out, in order. It
 * never touches a socket, a native object or a clock; timers are commands ({@code StartTimer},
 * {@code CancelTimer}) that the adapter runs on an injected scheduler and answers with
 * {@code TimerFired}.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li><b>Epoch and roles.</b> Once both sides are present, the {@link Epoch} is the pair of their
 *       connection ids. The later arrival by the relay's stamps is the initiator (equal stamps: the
 *       greater participant id); the other side is the polite peer for glare. A rejoin on either side
 *       starts a new epoch: the old peer connection is closed and a new one built. Signals and adapter
 *       results of another epoch are dropped and counted.</li>
 *   <li><b>Ready.</b> Each side sends {@code ready} once its tracks are attached. The initiator creates
 *       its first offer only when its own tracks are attached and the peer's {@code ready} has
 *       arrived; an offer that arrives before this side's tracks are attached waits for them. So no
 *       offer or answer is ever made without local tracks.</li>
 *   <li><b>Candidates.</b> Remote candidates are applied only once the remote description with their
 *       ICE username fragment is set; before that they are buffered (bounded); candidates of an
 *       older fragment are dropped. Local candidates are sent only after the description they
 *       belong to has been sent.</li>
 *   <li><b>Glare.</b> Perfect negotiation: a colliding offer is ignored by the impolite side
 *       (initiator) and accepted by the polite side, which rolls its own offer back and offers again
 *       once stable.</li>
 *   <li><b>Resends.</b> An unanswered {@code ready} or offer is sent again on a timer; a repeated
 *       offer that was already answered gets the same answer again. Duplicates are recognised and
 *       dropped.</li>
 *   <li><b>ICE.</b> ICE {@code failed}, {@code disconnected} for longer than the grace, or no
 *       connection in time after the exchange: the initiator restarts ICE. Either side restarts
 *       ICE when its adapter asks ({@code IceRestartNeeded}, e.g. after new TURN credentials).</li>
 *   <li><b>End.</b> Hang-up (sends {@code bye}), the peer's {@code bye}, the relay closing the
 *       session, the window closing, or a failed peer-connection operation: the peer connection is
 *       closed and the machine is {@link NegotiationState#CLOSED} for good.</li>
 * </ul>
 *
 * <p>States and their legal transitions are listed once, in {@link NegotiationState}. An event the
 * state does not allow throws {@link IllegalNegotiationEventException} and changes nothing.
 *
 * <p>Not thread-safe: confine each machine to its session's own serial executor.
 */
public final class NegotiationMachine {
    private final ParticipantId self;
    private final NegotiationSettings settings;

    private NegotiationState state = NegotiationState.IDLE;
    private Presence selfPresence;
    private Presence peerPresence;
    private Round round;
    private final EnumMap<TimerKind, Long> armedTimers = new EnumMap<>(TimerKind.class);
    private long timerGeneration;

    private long staleMessages;
    private long duplicateMessages;
    private long ignoredOffers;
    private long rollbacks;
    private long staleCandidates;
    private long overflowCandidates;
    private long malformedSignals;
    private long resentSignals;
    private long iceRestarts;

    /**
     * @param self     the local participant
     * @param settings timer lengths and limits
     */
    public NegotiationMachine(ParticipantId self, NegotiationSettings settings) {
        this.self = Checks.notNull(self, "self");
        this.settings = Checks.notNull(settings, "settings");
    }

    public ParticipantId self() {
        return self;
    }

    public NegotiationState state() {
        return state;
    }

    /** The current epoch, while both sides are present. */
    public Optional<Epoch> epoch() {
        return round == null ? Optional.empty() : Optional.of(round.epoch);
    }

    /** Whether this side is the initiator of the current epoch, while there is one. */
    public Optional<Boolean> initiator() {
        return round == null ? Optional.empty() : Optional.of(round.initiator);
    }

    public NegotiationStats stats() {
        return new NegotiationStats(staleMessages, duplicateMessages, ignoredOffers, rollbacks, staleCandidates,
                overflowCandidates, malformedSignals, resentSignals, iceRestarts);
    }

    /**
     * Takes one event and returns what to do, in order.
     *
     * @throws IllegalNegotiationEventException if the current state does not allow the event; nothing changed
     */
    public List<NegotiationCommand> handle(NegotiationEvent event) {
        Checks.notNull(event, "event");
        if (!allows(state, event)) {
            throw new IllegalNegotiationEventException(state, event, switch (state) {
                case CLOSED -> "the session is closed and takes no more events";
                case IDLE -> "expected JoinedRelay first (or HangUp, SessionClosedByRelay, WindowClosed)";
                default -> "already joined; a new connection of this side is reported as Rejoined";
            });
        }
        List<NegotiationCommand> out = new ArrayList<>();
        if (event instanceof JoinedRelay e) {
            onJoined(e, out);
        } else if (event instanceof Rejoined e) {
            onRejoined(e, out);
        } else if (event instanceof PeerJoined e) {
            onPeerJoined(e, out);
        } else if (event instanceof PeerLeft e) {
            onPeerLeft(e, out);
        } else if (event instanceof TracksAttached e) {
            onTracksAttached(e, out);
        } else if (event instanceof NegotiationNeeded e) {
            if (!droppedAsStale(e.epoch())) {
                round.negotiationPending = true;
                proceed(out);
            }
        } else if (event instanceof IceRestartNeeded e) {
            if (!droppedAsStale(e.epoch())) {
                round.restartPending = true;
                proceed(out);
            }
        } else if (event instanceof LocalDescriptionReady e) {
            onLocalDescriptionReady(e, out);
        } else if (event instanceof RemoteDescriptionApplied e) {
            onRemoteDescriptionApplied(e, out);
        } else if (event instanceof OperationFailed e) {
            if (!droppedAsStale(e.epoch())) {
                close("peer connection operation " + e.operation() + " failed: " + e.reason(), out);
            }
        } else if (event instanceof LocalCandidate e) {
            onLocalCandidate(e, out);
        } else if (event instanceof IceStateChanged e) {
            onIceStateChanged(e, out);
        } else if (event instanceof TimerFired e) {
            onTimerFired(e.key(), out);
        } else if (event instanceof SignalReceived e) {
            onSignal(e.signal(), out);
        } else if (event instanceof HangUp e) {
            if (round != null) {
                out.add(new SendSignal(new Signal.Bye(round.epoch, e.reason())));
            }
            close("hung up: " + e.reason(), out);
        } else if (event instanceof SessionClosedByRelay e) {
            close("relay closed the session: " + e.reason(), out);
        } else if (event instanceof NegotiationEvent.PeerHungUp e) {
            close("peer hung up" + (e.reason().isEmpty() ? "" : ": " + e.reason()), out);
        } else if (event instanceof WindowClosed) {
            close("the join window closed", out);
        } else {
            throw new IllegalNegotiationEventException(state, event, "unknown event type");
        }
        return out;
    }

    // ---------------------------------------------------------------- presence

    private void onJoined(JoinedRelay e, List<NegotiationCommand> out) {
        checkPresences(e, e.self(), e.peer());
        selfPresence = e.self();
        enterPresence(e.peer(), "joined", out);
    }

    private void onRejoined(Rejoined e, List<NegotiationCommand> out) {
        checkPresences(e, e.self(), e.peer());
        endRound(out);
        selfPresence = e.self();
        enterPresence(e.peer(), "rejoined on a new connection", out);
    }

    private void checkPresences(NegotiationEvent e, Presence selfFact, Optional<Presence> peerFact) {
        if (!selfFact.participant().equals(self)) {
            throw new IllegalNegotiationEventException(state, e, "self presence is for " + selfFact.participant()
                    + ", but this machine is " + self);
        }
        if (peerFact.isPresent()) {
            checkPeer(e, peerFact.get(), selfFact);
        }
    }

    private void checkPeer(NegotiationEvent e, Presence peer, Presence selfFact) {
        if (peer.participant().equals(self)) {
            throw new IllegalNegotiationEventException(state, e, "peer presence is this machine's own participant " + self);
        }
        if (selfFact != null && peer.connection().equals(selfFact.connection())) {
            throw new IllegalNegotiationEventException(state, e, "peer and self share connection " + peer.connection());
        }
    }

    private void enterPresence(Optional<Presence> peer, String why, List<NegotiationCommand> out) {
        if (peer.isPresent()) {
            peerPresence = peer.get();
            startRound(why + ", peer " + peerPresence.participant() + " present", out);
        } else {
            peerPresence = null;
            moveTo(NegotiationState.WAITING_FOR_PEER, why + ", peer not present", out);
        }
    }

    private void onPeerJoined(PeerJoined e, List<NegotiationCommand> out) {
        Presence peer = e.peer();
        checkPeer(e, peer, selfPresence);
        if (peerPresence != null && !peerPresence.participant().equals(peer.participant())) {
            throw new IllegalNegotiationEventException(state, e, "peer " + peer.participant()
                    + " joined while peer " + peerPresence.participant() + " is present; a session has two participants");
        }
        if (peer.equals(peerPresence)) {
            duplicateMessages++;
            return;
        }
        boolean replaced = peerPresence != null;
        endRound(out);
        peerPresence = peer;
        startRound(replaced ? "peer " + peer.participant() + " rejoined on a new connection"
                : "peer " + peer.participant() + " joined", out);
    }

    private void onPeerLeft(PeerLeft e, List<NegotiationCommand> out) {
        if (peerPresence == null || !peerPresence.connection().equals(e.connection())) {
            staleMessages++;
            return;
        }
        String who = peerPresence.participant().value();
        endRound(out);
        peerPresence = null;
        moveTo(NegotiationState.WAITING_FOR_PEER, "peer " + who + " left", out);
    }

    private void startRound(String why, List<NegotiationCommand> out) {
        boolean initiator = selfPresence.arrivedAfter(peerPresence);
        round = new Round(Epoch.of(selfPresence.connection(), peerPresence.connection()), initiator);
        out.add(new CreatePeerConnection(round.epoch, !initiator));
        moveTo(NegotiationState.PREPARING, why + "; epoch " + round.epoch + ", "
                + (initiator ? "this side arrived later and offers" : "the peer arrived later and offers"), out);
    }

    private void endRound(List<NegotiationCommand> out) {
        if (round != null) {
            out.add(new ClosePeerConnection(round.epoch));
            round = null;
        }
        for (TimerKind kind : TimerKind.values()) {
            disarm(kind, out);
        }
    }

    private void close(String why, List<NegotiationCommand> out) {
        endRound(out);
        moveTo(NegotiationState.CLOSED, why, out);
    }

    // ---------------------------------------------------------------- local side

    private void onTracksAttached(TracksAttached e, List<NegotiationCommand> out) {
        if (droppedAsStale(e.epoch())) {
            return;
        }
        if (round.tracksAttached) {
            throw new IllegalNegotiationEventException(state, e, "tracks of epoch " + e.epoch() + " were already attached");
        }
        round.tracksAttached = true;
        out.add(new SendSignal(new Signal.Ready(round.epoch)));
        if (!round.peerReady) {
            arm(TimerKind.READY_WAIT, settings.readyResend(), out);
        }
        proceed(out);
    }

    private void onLocalDescriptionReady(LocalDescriptionReady e, List<NegotiationCommand> out) {
        if (droppedAsStale(e.epoch())) {
            return;
        }
        Op expected = e.type() == SdpType.OFFER ? Op.CREATING_OFFER : Op.CREATING_ANSWER;
        if (round.op != expected) {
            throw new IllegalNegotiationEventException(state, e, "a local " + e.type() + " was reported, but "
                    + round.op + " is outstanding");
        }
        String ufrag = Sdp.iceUfrag(e.sdp()).orElseThrow(() -> new IllegalNegotiationEventException(state, e,
                "the local description has no a=ice-ufrag line"));
        Round r = round;
        r.moveOp(Op.NONE);
        if (e.type() == SdpType.ANSWER) {
            r.moveSignaling(Signaling.STABLE);
            r.lastAnswer = new Signal.Answer(r.epoch, r.opOfferId, e.sdp());
            out.add(new SendSignal(r.lastAnswer));
            markDescriptionSent(ufrag, out);
            exchangeDone("answer sent", out);
            proceed(out);
            return;
        }
        r.moveSignaling(Signaling.HAVE_LOCAL_OFFER);
        if (r.pendingRemoteOffer != null) {
            // Only the polite side keeps a remote offer while making its own: glare, and it yields.
            Signal.Offer theirs = r.pendingRemoteOffer;
            applyRemoteOffer(theirs, true, out);
            return;
        }
        r.localOffer = new Signal.Offer(r.epoch, r.opOfferId, e.sdp());
        out.add(new SendSignal(r.localOffer));
        markDescriptionSent(ufrag, out);
        arm(TimerKind.ANSWER_WAIT, settings.answerTimeout(), out);
    }

    private void onRemoteDescriptionApplied(RemoteDescriptionApplied e, List<NegotiationCommand> out) {
        if (droppedAsStale(e.epoch())) {
            return;
        }
        Op expected = e.type() == SdpType.OFFER ? Op.APPLYING_REMOTE_OFFER : Op.APPLYING_REMOTE_ANSWER;
        if (round.op != expected) {
            throw new IllegalNegotiationEventException(state, e, "a remote " + e.type() + " was reported applied, but "
                    + round.op + " is outstanding");
        }
        Round r = round;
        setRemoteUfrag(r.opRemoteUfrag, out);
        if (e.type() == SdpType.OFFER) {
            r.moveSignaling(Signaling.HAVE_REMOTE_OFFER);
            r.moveOp(Op.CREATING_ANSWER);
            out.add(new CreateAnswer(r.epoch));
        } else {
            r.moveSignaling(Signaling.STABLE);
            r.localOffer = null;
            r.moveOp(Op.NONE);
            exchangeDone("answer applied", out);
            proceed(out);
        }
    }

    private void onLocalCandidate(LocalCandidate e, List<NegotiationCommand> out) {
        if (droppedAsStale(e.epoch())) {
            return;
        }
        if (round.sentLocalUfrags.contains(e.ufrag())) {
            out.add(new SendSignal(new Signal.Candidates(round.epoch, e.ufrag(), List.of(e.candidate()))));
        } else {
            round.unsentLocalCandidates.computeIfAbsent(e.ufrag(), u -> new ArrayList<>()).add(e.candidate());
        }
    }

    private void markDescriptionSent(String ufrag, List<NegotiationCommand> out) {
        round.sentLocalUfrags.add(ufrag);
        List<IceCandidate> waiting = round.unsentLocalCandidates.remove(ufrag);
        if (waiting == null) {
            return;
        }
        for (int from = 0; from < waiting.size(); from += Signal.MAX_CANDIDATES_PER_BATCH) {
            List<IceCandidate> batch = waiting.subList(from, Math.min(waiting.size(), from + Signal.MAX_CANDIDATES_PER_BATCH));
            out.add(new SendSignal(new Signal.Candidates(round.epoch, ufrag, batch)));
        }
    }

    private void onIceStateChanged(IceStateChanged e, List<NegotiationCommand> out) {
        if (droppedAsStale(e.epoch())) {
            return;
        }
        Round r = round;
        switch (e.state()) {
            case CONNECTED, COMPLETED -> {
                if (state == NegotiationState.PREPARING) {
                    throw new IllegalNegotiationEventException(state, e, "ICE cannot connect before any description was exchanged");
                }
                r.iceConnected = true;
                disarm(TimerKind.ICE_CONNECT, out);
                disarm(TimerKind.ICE_DISCONNECTED, out);
                moveTo(NegotiationState.CONNECTED, "ICE " + e.state().name().toLowerCase(java.util.Locale.ROOT), out);
            }
            case DISCONNECTED -> {
                r.iceConnected = false;
                if (state == NegotiationState.CONNECTED) {
                    moveTo(NegotiationState.RECONNECTING, "ICE disconnected", out);
                }
                if (r.initiator && state == NegotiationState.RECONNECTING) {
                    arm(TimerKind.ICE_DISCONNECTED, settings.iceDisconnectedGrace(), out);
                }
            }
            case FAILED -> {
                r.iceConnected = false;
                if (state != NegotiationState.PREPARING) {
                    moveTo(NegotiationState.RECONNECTING, "ICE failed", out);
                }
                if (r.initiator) {
                    requestIceRestart(out);
                }
            }
            case NEW, CHECKING, CLOSED -> {
                // informational only
            }
        }
    }

    private void requestIceRestart(List<NegotiationCommand> out) {
        disarm(TimerKind.ICE_CONNECT, out);
        disarm(TimerKind.ICE_DISCONNECTED, out);
        round.restartPending = true;
        proceed(out);
    }

    // ---------------------------------------------------------------- the peer's signals

    private void onSignal(Signal signal, List<NegotiationCommand> out) {
        if (droppedAsStale(signal.epoch())) {
            return;
        }
        if (signal instanceof Signal.Ready) {
            if (round.peerReady) {
                duplicateMessages++;
                return;
            }
            round.peerReady = true;
            disarm(TimerKind.READY_WAIT, out);
            proceed(out);
        } else if (signal instanceof Signal.Offer offer) {
            onOffer(offer, out);
        } else if (signal instanceof Signal.Answer answer) {
            onAnswer(answer, out);
        } else if (signal instanceof Signal.Candidates candidates) {
            onCandidates(candidates, out);
        } else if (signal instanceof Signal.Bye bye) {
            close("peer said bye" + (bye.reason().isEmpty() ? "" : ": " + bye.reason()), out);
        }
    }

    private void onOffer(Signal.Offer offer, List<NegotiationCommand> out) {
        Round r = round;
        if (r.pendingRemoteOffer != null && r.pendingRemoteOffer.offerId() == offer.offerId()) {
            duplicateMessages++;
            return;
        }
        if (offer.offerId() <= r.lastRemoteOfferId) {
            if (r.lastAnswer != null && r.lastAnswer.offerId() == offer.offerId()) {
                out.add(new SendSignal(r.lastAnswer));
                resentSignals++;
            } else {
                duplicateMessages++;
            }
            return;
        }
        if (Sdp.iceUfrag(offer.sdp()).isEmpty()) {
            malformedSignals++;
            return;
        }
        boolean collision = r.op == Op.CREATING_OFFER || (r.op == Op.NONE && r.signaling == Signaling.HAVE_LOCAL_OFFER);
        if (collision && r.initiator) {
            ignoredOffers++;
            return;
        }
        r.lastRemoteOfferId = offer.offerId();
        if (collision) {
            rollbacks++;
            r.negotiationPending = true;
            disarm(TimerKind.ANSWER_WAIT, out);
            if (r.op == Op.CREATING_OFFER) {
                r.pendingRemoteOffer = offer;
            } else {
                applyRemoteOffer(offer, true, out);
            }
        } else if (r.op != Op.NONE || !r.tracksAttached) {
            r.pendingRemoteOffer = offer;
        } else {
            applyRemoteOffer(offer, false, out);
        }
    }

    private void applyRemoteOffer(Signal.Offer offer, boolean rollbackFirst, List<NegotiationCommand> out) {
        Round r = round;
        r.pendingRemoteOffer = null;
        if (rollbackFirst) {
            r.localOffer = null;
            r.moveSignaling(Signaling.STABLE);
        }
        r.moveOp(Op.APPLYING_REMOTE_OFFER);
        r.opOfferId = offer.offerId();
        r.opRemoteUfrag = Sdp.iceUfrag(offer.sdp()).orElseThrow();
        out.add(new ApplyRemoteDescription(r.epoch, SdpType.OFFER, offer.sdp(), rollbackFirst));
        moveTo(NegotiationState.NEGOTIATING, "offer " + offer.offerId() + " received", state == NegotiationState.PREPARING, out);
    }

    private void onAnswer(Signal.Answer answer, List<NegotiationCommand> out) {
        Round r = round;
        if (r.op != Op.NONE || r.signaling != Signaling.HAVE_LOCAL_OFFER || r.localOffer == null
                || r.localOffer.offerId() != answer.offerId()) {
            duplicateMessages++;
            return;
        }
        var ufrag = Sdp.iceUfrag(answer.sdp());
        if (ufrag.isEmpty()) {
            malformedSignals++;
            return;
        }
        disarm(TimerKind.ANSWER_WAIT, out);
        r.moveOp(Op.APPLYING_REMOTE_ANSWER);
        r.opRemoteUfrag = ufrag.get();
        out.add(new ApplyRemoteDescription(r.epoch, SdpType.ANSWER, answer.sdp(), false));
    }

    private void onCandidates(Signal.Candidates c, List<NegotiationCommand> out) {
        Round r = round;
        boolean applying = r.op == Op.APPLYING_REMOTE_OFFER || r.op == Op.APPLYING_REMOTE_ANSWER;
        String ufrag = c.ufrag();
        if (!applying && ufrag.equals(r.remoteUfrag)) {
            out.add(new AddRemoteCandidates(r.epoch, c.candidates()));
            return;
        }
        boolean aboutToBeStale = applying && ufrag.equals(r.remoteUfrag) && !ufrag.equals(r.opRemoteUfrag);
        if (aboutToBeStale || r.staleRemoteUfrags.contains(ufrag)) {
            staleCandidates += c.candidates().size();
            return;
        }
        for (IceCandidate candidate : c.candidates()) {
            if (r.bufferedRemote.size() >= settings.maxBufferedCandidates()) {
                r.bufferedRemote.removeFirst();
                overflowCandidates++;
            }
            r.bufferedRemote.addLast(new BufferedCandidate(ufrag, candidate));
        }
    }

    private void setRemoteUfrag(String ufrag, List<NegotiationCommand> out) {
        Round r = round;
        if (r.remoteUfrag != null && !r.remoteUfrag.equals(ufrag)) {
            r.staleRemoteUfrags.add(r.remoteUfrag);
        }
        r.remoteUfrag = ufrag;
        List<IceCandidate> ready = new ArrayList<>();
        for (Iterator<BufferedCandidate> it = r.bufferedRemote.iterator(); it.hasNext(); ) {
            BufferedCandidate b = it.next();
            if (b.ufrag.equals(ufrag)) {
                ready.add(b.candidate);
                it.remove();
            } else if (r.staleRemoteUfrags.contains(b.ufrag)) {
                staleCandidates++;
                it.remove();
            }
        }
        if (!ready.isEmpty()) {
            out.add(new AddRemoteCandidates(r.epoch, ready));
        }
    }

    // ---------------------------------------------------------------- progress

    /** Starts whatever the current facts allow: a waiting remote offer, the first offer, a renegotiation or an ICE restart. */
    private void proceed(List<NegotiationCommand> out) {
        Round r = round;
        if (r == null || r.op != Op.NONE || !r.tracksAttached) {
            return;
        }
        if (r.pendingRemoteOffer != null) {
            applyRemoteOffer(r.pendingRemoteOffer, false, out);
            return;
        }
        if (r.signaling != Signaling.STABLE || !r.peerReady) {
            return;
        }
        if (r.initiator && !r.firstOfferMade) {
            makeOffer(false, out);
        } else if (r.exchangeDone && (r.restartPending || r.negotiationPending)) {
            makeOffer(r.restartPending, out);
        }
    }

    private void makeOffer(boolean iceRestart, List<NegotiationCommand> out) {
        Round r = round;
        r.moveOp(Op.CREATING_OFFER);
        r.opOfferId = ++r.offerSeq;
        r.firstOfferMade = true;
        r.negotiationPending = false;
        if (iceRestart) {
            r.restartPending = false;
            iceRestarts++;
        }
        out.add(new CreateOffer(r.epoch, iceRestart));
        moveTo(NegotiationState.NEGOTIATING, "tracks attached and peer ready: making the first offer",
                state == NegotiationState.PREPARING, out);
    }

    private void exchangeDone(String why, List<NegotiationCommand> out) {
        Round r = round;
        r.exchangeDone = true;
        if (!r.iceConnected && r.initiator) {
            arm(TimerKind.ICE_CONNECT, settings.iceConnectTimeout(), out);
        }
        if (state == NegotiationState.NEGOTIATING) {
            moveTo(r.iceConnected ? NegotiationState.CONNECTED : NegotiationState.CONNECTING,
                    "descriptions exchanged: " + why, out);
        }
    }

    // ---------------------------------------------------------------- timers

    private void onTimerFired(TimerKey key, List<NegotiationCommand> out) {
        Long generation = armedTimers.get(key.kind());
        if (generation == null || generation != key.generation() || round == null) {
            staleMessages++;
            return;
        }
        armedTimers.remove(key.kind());
        Round r = round;
        switch (key.kind()) {
            case READY_WAIT -> {
                if (!r.peerReady) {
                    out.add(new SendSignal(new Signal.Ready(r.epoch)));
                    resentSignals++;
                    arm(TimerKind.READY_WAIT, settings.readyResend(), out);
                }
            }
            case ANSWER_WAIT -> {
                if (r.op == Op.NONE && r.signaling == Signaling.HAVE_LOCAL_OFFER && r.localOffer != null) {
                    out.add(new SendSignal(r.localOffer));
                    resentSignals++;
                    arm(TimerKind.ANSWER_WAIT, settings.answerTimeout(), out);
                }
            }
            case ICE_CONNECT, ICE_DISCONNECTED -> {
                if (!r.iceConnected && r.initiator) {
                    requestIceRestart(out);
                }
            }
        }
    }

    private void arm(TimerKind kind, Duration delay, List<NegotiationCommand> out) {
        disarm(kind, out);
        long generation = ++timerGeneration;
        armedTimers.put(kind, generation);
        out.add(new StartTimer(new TimerKey(kind, generation), delay));
    }

    private void disarm(TimerKind kind, List<NegotiationCommand> out) {
        Long generation = armedTimers.remove(kind);
        if (generation != null) {
            out.add(new CancelTimer(new TimerKey(kind, generation)));
        }
    }

    // ---------------------------------------------------------------- helpers

    /** True, and counted, when {@code epoch} is not the current one: the caller drops its event. */
    private boolean droppedAsStale(Epoch epoch) {
        if (round != null && round.epoch.equals(epoch)) {
            return false;
        }
        staleMessages++;
        return true;
    }

    private void moveTo(NegotiationState to, String why, boolean when, List<NegotiationCommand> out) {
        if (when) {
            moveTo(to, why, out);
        }
    }

    private void moveTo(NegotiationState to, String why, List<NegotiationCommand> out) {
        if (to == state) {
            return;
        }
        if (!state.canMoveTo(to)) {
            throw new IllegalStateException("bug: transition " + state + " -> " + to + " is not in the table (" + why + ")");
        }
        out.add(new StateChanged(state, to, why));
        state = to;
    }

    @Override
    public String toString() {
        return "NegotiationMachine[self=" + self + ", state=" + state + ", epoch="
                + (round == null ? "none" : round.epoch + (round.initiator ? " (initiator)" : " (polite)")) + "]";
    }

    /**
     * What the peer connection is doing on this machine's behalf; at most one at a time. A hidden
     * sub-machine of its own: every change goes through {@link Round#moveOp}, which refuses a move
     * not in {@link #LEGAL} (a bug in this class, never a peer's doing).
     */
    enum Op {
        NONE,
        CREATING_OFFER,
        APPLYING_REMOTE_OFFER,
        CREATING_ANSWER,
        APPLYING_REMOTE_ANSWER;

        /** Every legal (from, to) pair; a new round starts at {@code NONE}. */
        static final Map<Op, Set<Op>> LEGAL = Map.of(
                NONE, EnumSet.of(CREATING_OFFER, APPLYING_REMOTE_OFFER, APPLYING_REMOTE_ANSWER),
                CREATING_OFFER, EnumSet.of(NONE),
                APPLYING_REMOTE_OFFER, EnumSet.of(CREATING_ANSWER),
                CREATING_ANSWER, EnumSet.of(NONE),
                APPLYING_REMOTE_ANSWER, EnumSet.of(NONE));

        boolean canMoveTo(Op to) {
            return LEGAL.get(this).contains(to);
        }
    }

    /**
     * The peer connection's signaling state as the machine knows it (the W3C states it uses). A
     * hidden sub-machine of its own: every change goes through {@link Round#moveSignaling}, which
     * refuses a move not in {@link #LEGAL}.
     */
    enum Signaling {
        STABLE,
        HAVE_LOCAL_OFFER,
        HAVE_REMOTE_OFFER;

        /**
         * Every legal (from, to) pair; a new round starts at {@code STABLE}. {@code HAVE_LOCAL_OFFER
         * -> STABLE} is an applied answer or a rollback (the polite side yielding in glare).
         */
        static final Map<Signaling, Set<Signaling>> LEGAL = Map.of(
                STABLE, EnumSet.of(HAVE_LOCAL_OFFER, HAVE_REMOTE_OFFER),
                HAVE_LOCAL_OFFER, EnumSet.of(STABLE),
                HAVE_REMOTE_OFFER, EnumSet.of(STABLE));

        boolean canMoveTo(Signaling to) {
            return LEGAL.get(this).contains(to);
        }
    }

    private record BufferedCandidate(String ufrag, IceCandidate candidate) {}

    /** Everything that lives and dies with one epoch. */
    private static final class Round {
        final Epoch epoch;
        final boolean initiator;
        boolean tracksAttached;
        boolean peerReady;
        boolean firstOfferMade;
        boolean exchangeDone;
        boolean negotiationPending;
        boolean restartPending;
        boolean iceConnected;
        private Signaling signaling = Signaling.STABLE;
        private Op op = Op.NONE;
        long opOfferId;
        String opRemoteUfrag;
        long offerSeq;
        Signal.Offer localOffer;
        long lastRemoteOfferId;
        Signal.Answer lastAnswer;
        Signal.Offer pendingRemoteOffer;
        String remoteUfrag;
        final Set<String> staleRemoteUfrags = new HashSet<>();
        final Set<String> sentLocalUfrags = new HashSet<>();
        final Deque<BufferedCandidate> bufferedRemote = new ArrayDeque<>();
        final Map<String, List<IceCandidate>> unsentLocalCandidates = new LinkedHashMap<>();

        Round(Epoch epoch, boolean initiator) {
            this.epoch = epoch;
            this.initiator = initiator;
        }

        void moveOp(Op to) {
            if (!op.canMoveTo(to)) {
                throw new IllegalStateException("peer connection operation " + op + " -> " + to + " is not a legal move");
            }
            op = to;
        }

        void moveSignaling(Signaling to) {
            if (!signaling.canMoveTo(to)) {
                throw new IllegalStateException("signaling state " + signaling + " -> " + to + " is not a legal move");
            }
            signaling = to;
        }
    }

    /**
     * Does this state take events of this kind at all? {@code IDLE} takes only {@code JoinedRelay} and the
     * ends; {@code CLOSED} takes nothing; every other state takes everything but {@code JoinedRelay} (a
     * second join is a {@code Rejoined}). Finer rules (a result with no command outstanding, say)
     * are checked by the machine and raise the same exception.
     */
    static boolean allows(NegotiationState state, NegotiationEvent event) {
        return switch (state) {
            case IDLE -> event instanceof NegotiationEvent.JoinedRelay
                    || event instanceof NegotiationEvent.HangUp
                    || event instanceof NegotiationEvent.SessionClosedByRelay
                    || event instanceof NegotiationEvent.WindowClosed;
            case CLOSED -> false;
            default -> !(event instanceof NegotiationEvent.JoinedRelay);
        };
    }
}
