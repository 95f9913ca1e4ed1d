package dev.duet.core.negotiation;

import dev.duet.core.NegotiationSettings;
import dev.duet.core.Presence;
import dev.duet.core.Epoch;
import dev.duet.core.NegotiationState;
import dev.duet.core.ConnectionId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.ParticipantId;
import dev.duet.core.negotiation.NegotiationCommand.AddRemoteCandidates;
import dev.duet.core.negotiation.NegotiationCommand.ApplyRemoteDescription;
import dev.duet.core.negotiation.NegotiationCommand.CancelTimer;
import dev.duet.core.negotiation.NegotiationCommand.ClosePeerConnection;
import dev.duet.core.negotiation.NegotiationCommand.CreateAnswer;
import dev.duet.core.negotiation.NegotiationCommand.CreateOffer;
import dev.duet.core.negotiation.NegotiationCommand.CreatePeerConnection;
import dev.duet.core.negotiation.NegotiationCommand.SendSignal;
import dev.duet.core.negotiation.NegotiationCommand.StartTimer;
import dev.duet.core.negotiation.NegotiationEvent.HangUp;
import dev.duet.core.negotiation.NegotiationEvent.IceStateChanged;
import dev.duet.core.negotiation.NegotiationEvent.JoinedRelay;
import dev.duet.core.negotiation.NegotiationEvent.LocalCandidate;
import dev.duet.core.negotiation.NegotiationEvent.LocalDescriptionReady;
import dev.duet.core.negotiation.NegotiationEvent.NegotiationNeeded;
import dev.duet.core.negotiation.NegotiationEvent.PeerJoined;
import dev.duet.core.negotiation.NegotiationEvent.PeerLeft;
import dev.duet.core.negotiation.NegotiationEvent.RemoteDescriptionApplied;
import dev.duet.core.negotiation.NegotiationEvent.SignalReceived;
import dev.duet.core.negotiation.NegotiationEvent.TimerFired;
import dev.duet.core.negotiation.NegotiationEvent.TracksAttached;
import dev.duet.core.negotiation.NegotiationEvent.WindowClosed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NegotiationMachineTest {
    private static final ParticipantId EXPERT = ParticipantId.of("expert-ada");
    private static final ParticipantId LEARNER = ParticipantId.of("learner-bo");
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private static final Presence EXPERT_FIRST = new Presence(EXPERT, ConnectionId.of("c1"), T0);
    private static final Presence LEARNER_LATER = new Presence(LEARNER, ConnectionId.of("c2"), T0.plusSeconds(5));
    private static final Epoch EPOCH = Epoch.of(ConnectionId.of("c1"), ConnectionId.of("c2"));

    // ------------------------------------------------------------ roles

    @Test
    void theLaterArrivalIsTheInitiatorAndTheFirstArrivalIsPolite() {
        NegotiationMachine learner = machine(LEARNER);
        List<NegotiationCommand> out = learner.handle(new JoinedRelay(LEARNER_LATER, Optional.of(EXPERT_FIRST)));
        assertThat(out).contains(new CreatePeerConnection(EPOCH, false));
        assertThat(learner.initiator()).contains(true);

        NegotiationMachine expert = machine(EXPERT);
        expert.handle(new JoinedRelay(EXPERT_FIRST, Optional.empty()));
        assertThat(expert.state()).isEqualTo(NegotiationState.WAITING_FOR_PEER);
        out = expert.handle(new PeerJoined(LEARNER_LATER));
        assertThat(out).contains(new CreatePeerConnection(EPOCH, true));
        assertThat(expert.initiator()).contains(false);
        assertThat(expert.state()).isEqualTo(NegotiationState.PREPARING);
    }

    @Test
    void equalArrivalStampsMakeTheGreaterParticipantIdTheInitiator() {
        Presence expert = new Presence(EXPERT, ConnectionId.of("c1"), T0);
        Presence learner = new Presence(LEARNER, ConnectionId.of("c2"), T0);
        NegotiationMachine e = machine(EXPERT);
        NegotiationMachine l = machine(LEARNER);
        e.handle(new JoinedRelay(expert, Optional.of(learner)));
        l.handle(new JoinedRelay(learner, Optional.of(expert)));
        assertThat(l.initiator()).contains(true);   // "learner-bo" > "expert-ada"
        assertThat(e.initiator()).contains(false);
    }

    // ------------------------------------------------------------ ready gate

    @Test
    void theInitiatorOffersOnlyOnceItsTracksAreAttachedAndThePeerIsReady() {
        NegotiationMachine m = machine(LEARNER);
        m.handle(new JoinedRelay(LEARNER_LATER, Optional.of(EXPERT_FIRST)));
        List<NegotiationCommand> out = m.handle(new TracksAttached(EPOCH));
        assertThat(out).contains(new SendSignal(new Signal.Ready(EPOCH))).noneMatch(CreateOffer.class::isInstance);

        out = m.handle(signal(new Signal.Ready(EPOCH)));
        assertThat(out).contains(new CreateOffer(EPOCH, false));
        assertThat(m.state()).isEqualTo(NegotiationState.NEGOTIATING);
    }

    @Test
    void aReadyBeforeOwnTracksStillWaitsForTheTracks() {
        NegotiationMachine m = machine(LEARNER);
        m.handle(new JoinedRelay(LEARNER_LATER, Optional.of(EXPERT_FIRST)));
        assertThat(m.handle(signal(new Signal.Ready(EPOCH)))).noneMatch(CreateOffer.class::isInstance);
        assertThat(m.handle(new TracksAttached(EPOCH))).contains(new CreateOffer(EPOCH, false));
    }

    @Test
    void anOfferThatArrivesBeforeLocalTracksIsAnsweredOnlyAfterThem() {
        NegotiationMachine m = machine(EXPERT);
        m.handle(new JoinedRelay(EXPERT_FIRST, Optional.of(LEARNER_LATER)));
        assertThat(m.handle(signal(new Signal.Offer(EPOCH, 1, sdp("l1"))))).isEmpty();

        List<NegotiationCommand> out = m.handle(new TracksAttached(EPOCH));
        assertThat(out).contains(new ApplyRemoteDescription(EPOCH, SdpType.OFFER, sdp("l1"), false));
        assertThat(m.handle(new RemoteDescriptionApplied(EPOCH, SdpType.OFFER))).containsExactly(new CreateAnswer(EPOCH));
    }

    @Test
    void anUnansweredReadyIsSentAgainWhenItsTimerFires() {
        NegotiationMachine m = machine(EXPERT);
        m.handle(new JoinedRelay(EXPERT_FIRST, Optional.of(LEARNER_LATER)));
        StartTimer timer = only(m.handle(new TracksAttached(EPOCH)), StartTimer.class);
        assertThat(timer.key().kind()).isEqualTo(TimerKind.READY_WAIT);
        assertThat(timer.delay()).isEqualTo(Duration.ofSeconds(5));

        assertThat(m.handle(new TimerFired(timer.key()))).contains(new SendSignal(new Signal.Ready(EPOCH)));
        assertThat(m.stats().resentSignals()).isEqualTo(1);
    }

    // ------------------------------------------------------------ candidates

    @Test
    void remoteCandidatesWaitForTheDescriptionOfTheirIceGeneration() {
        NegotiationMachine m = offering();
        IceCandidate early = candidate("e1");
        assertThat(m.handle(signal(new Signal.Candidates(EPOCH, "e1", List.of(early))))).isEmpty();

        m.handle(signal(new Signal.Answer(EPOCH, 1, sdp("e1"))));
        List<NegotiationCommand> out = m.handle(new RemoteDescriptionApplied(EPOCH, SdpType.ANSWER));
        assertThat(out).contains(new AddRemoteCandidates(EPOCH, List.of(early)));
        assertThat(m.state()).isEqualTo(NegotiationState.CONNECTING);
    }

    @Test
    void candidatesOfAnOlderIceGenerationAreDropped() {
        NegotiationMachine m = connectedInitiator();
        m.handle(new IceStateChanged(EPOCH, IceConnectionState.FAILED));
        m.handle(new LocalDescriptionReady(EPOCH, SdpType.OFFER, sdp("l2")));
        m.handle(signal(new Signal.Answer(EPOCH, 2, sdp("e2"))));
        m.handle(new RemoteDescriptionApplied(EPOCH, SdpType.ANSWER));

        assertThat(m.handle(signal(new Signal.Candidates(EPOCH, "e1", List.of(candidate("e1")))))).isEmpty();
        assertThat(m.stats().staleCandidates()).isEqualTo(1);
        assertThat(m.handle(signal(new Signal.Candidates(EPOCH, "e2", List.of(candidate("e2"))))))
                .containsExactly(new AddRemoteCandidates(EPOCH, List.of(candidate("e2"))));
    }

    @Test
    void localCandidatesAreSentOnlyAfterTheDescriptionTheyBelongTo() {
        NegotiationMachine m = machine(EXPERT);
        m.handle(new JoinedRelay(EXPERT_FIRST, Optional.of(LEARNER_LATER)));
        m.handle(new TracksAttached(EPOCH));
        m.handle(signal(new Signal.Offer(EPOCH, 1, sdp("l1"))));
        m.handle(new RemoteDescriptionApplied(EPOCH, SdpType.OFFER));
        assertThat(m.handle(new LocalCandidate(EPOCH, "e1", candidate("e1")))).isEmpty();

        List<NegotiationCommand> out = m.handle(new LocalDescriptionReady(EPOCH, SdpType.ANSWER, sdp("e1")));
        assertThat(signalsIn(out)).containsSubsequence(
                new Signal.Answer(EPOCH, 1, sdp("e1")),
                new Signal.Candidates(EPOCH, "e1", List.of(candidate("e1"))));
    }

    // ------------------------------------------------------------ glare

    @Test
    void theImpoliteSideIgnoresAnOfferThatCollidesWithItsOwn() {
        NegotiationMachine m = offering();
        assertThat(m.handle(signal(new Signal.Offer(EPOCH, 1, sdp("e1"))))).isEmpty();
        assertThat(m.stats().ignoredOffers()).isEqualTo(1);
    }

    @Test
    void thePoliteSideRollsBackForTheInitiatorsOfferAndOffersAgainOnceStable() {
        NegotiationMachine m = connectedResponder();
        assertThat(m.handle(new NegotiationNeeded(EPOCH))).contains(new CreateOffer(EPOCH, false));
        m.handle(new LocalDescriptionReady(EPOCH, SdpType.OFFER, sdp("e1")));

        List<NegotiationCommand> out = m.handle(signal(new Signal.Offer(EPOCH, 2, sdp("l1"))));
        assertThat(out).contains(new ApplyRemoteDescription(EPOCH, SdpType.OFFER, sdp("l1"), true));
        assertThat(m.handle(new RemoteDescriptionApplied(EPOCH, SdpType.OFFER))).containsExactly(new CreateAnswer(EPOCH));
        out = m.handle(new LocalDescriptionReady(EPOCH, SdpType.ANSWER, sdp("e1")));
        assertThat(out).contains(new SendSignal(new Signal.Answer(EPOCH, 2, sdp("e1"))), new CreateOffer(EPOCH, false));
        assertThat(m.stats().rollbacks()).isEqualTo(1);
    }

    // ------------------------------------------------------------ resends and duplicates

    @Test
    void anUnansweredOfferIsSentAgainAndARepeatedOfferGetsTheSameAnswer() {
        NegotiationMachine offerer = machine(LEARNER);
        offerer.handle(new JoinedRelay(LEARNER_LATER, Optional.of(EXPERT_FIRST)));
        offerer.handle(new TracksAttached(EPOCH));
        offerer.handle(signal(new Signal.Ready(EPOCH)));
        StartTimer answerWait = only(offerer.handle(new LocalDescriptionReady(EPOCH, SdpType.OFFER, sdp("l1"))), StartTimer.class);
        assertThat(answerWait.key().kind()).isEqualTo(TimerKind.ANSWER_WAIT);
        assertThat(offerer.handle(new TimerFired(answerWait.key())))
                .contains(new SendSignal(new Signal.Offer(EPOCH, 1, sdp("l1"))));

        NegotiationMachine answerer = connectedResponder();
        assertThat(answerer.handle(signal(new Signal.Offer(EPOCH, 1, sdp("l1")))))
                .containsExactly(new SendSignal(new Signal.Answer(EPOCH, 1, sdp("e1"))));
    }

    @Test
    void signalsOfAnotherEpochAreDroppedAndCounted() {
        NegotiationMachine m = machine(EXPERT);
        m.handle(new JoinedRelay(EXPERT_FIRST, Optional.of(LEARNER_LATER)));
        Epoch old = Epoch.of(ConnectionId.of("c1"), ConnectionId.of("c0"));
        assertThat(m.handle(signal(new Signal.Offer(old, 1, sdp("x"))))).isEmpty();
        assertThat(m.handle(new TracksAttached(old))).isEmpty();
        assertThat(m.stats().staleMessages()).isEqualTo(2);
        assertThat(m.state()).isEqualTo(NegotiationState.PREPARING);
    }

    @Test
    void anOfferWithoutAnIceUsernameFragmentIsCountedAsMalformedAndChangesNothing() {
        NegotiationMachine m = connectedResponder();
        assertThat(m.handle(signal(new Signal.Offer(EPOCH, 2, "v=0\r\n")))).isEmpty();
        assertThat(m.stats().malformedSignals()).isEqualTo(1);
        assertThat(m.state()).isEqualTo(NegotiationState.CONNECTED);
    }

    // ------------------------------------------------------------ ICE

    @Test
    void iceFailedMakesTheInitiatorRestartIceAtOnce() {
        NegotiationMachine m = connectedInitiator();
        List<NegotiationCommand> out = m.handle(new IceStateChanged(EPOCH, IceConnectionState.FAILED));
        assertThat(out).contains(new CreateOffer(EPOCH, true));
        assertThat(m.state()).isEqualTo(NegotiationState.RECONNECTING);
    }

    @Test
    void iceDisconnectedRestartsOnlyAfterTheGraceAndNotIfItRecovers() {
        NegotiationMachine m = connectedInitiator();
        StartTimer grace = only(m.handle(new IceStateChanged(EPOCH, IceConnectionState.DISCONNECTED)), StartTimer.class);
        assertThat(grace.key().kind()).isEqualTo(TimerKind.ICE_DISCONNECTED);
        assertThat(grace.delay()).isEqualTo(Duration.ofSeconds(4));

        List<NegotiationCommand> out = m.handle(new IceStateChanged(EPOCH, IceConnectionState.CONNECTED));
        assertThat(out).contains(new CancelTimer(grace.key()));
        assertThat(m.handle(new TimerFired(grace.key()))).isEmpty(); // lost the race with the cancel: stale
        assertThat(m.state()).isEqualTo(NegotiationState.CONNECTED);

        grace = only(m.handle(new IceStateChanged(EPOCH, IceConnectionState.DISCONNECTED)), StartTimer.class);
        assertThat(m.handle(new TimerFired(grace.key()))).contains(new CreateOffer(EPOCH, true));
    }

    @Test
    void thePoliteSideLeavesIceRestartsToTheInitiator() {
        NegotiationMachine m = connectedResponder();
        assertThat(m.handle(new IceStateChanged(EPOCH, IceConnectionState.FAILED)))
                .noneMatch(c -> c instanceof CreateOffer || c instanceof StartTimer);
        assertThat(m.state()).isEqualTo(NegotiationState.RECONNECTING);
    }

    @Test
    void eitherSideRestartsIceWhenItsAdapterAsksAndAStaleRequestIsDropped() {
        NegotiationMachine polite = connectedResponder();
        assertThat(polite.handle(new NegotiationEvent.IceRestartNeeded(EPOCH, "TURN credentials refreshed")))
                .contains(new CreateOffer(EPOCH, true));
        assertThat(polite.stats().iceRestarts()).isEqualTo(1);

        NegotiationMachine initiator = connectedInitiator();
        Epoch old = Epoch.of(ConnectionId.of("c0"), ConnectionId.of("c2"));
        assertThat(initiator.handle(new NegotiationEvent.IceRestartNeeded(old, "late"))).isEmpty();
        assertThat(initiator.stats().staleMessages()).isEqualTo(1);
        assertThat(initiator.handle(new NegotiationEvent.IceRestartNeeded(EPOCH, "refreshed")))
                .contains(new CreateOffer(EPOCH, true));
    }

    @Test
    void aRestartAskedForDuringTheFirstExchangeFollowsIt() {
        NegotiationMachine m = offering();
        assertThat(m.handle(new NegotiationEvent.IceRestartNeeded(EPOCH, "refreshed")))
                .noneMatch(c -> c instanceof CreateOffer);
        m.handle(signal(new Signal.Answer(EPOCH, 1, sdp("e1"))));
        assertThat(m.handle(new RemoteDescriptionApplied(EPOCH, SdpType.ANSWER))).contains(new CreateOffer(EPOCH, true));
    }

    // ------------------------------------------------------------ presence changes

    @Test
    void aRejoiningPeerStartsANewEpochInWhichItOffers() {
        NegotiationMachine m = connectedResponder();
        Presence rejoined = new Presence(LEARNER, ConnectionId.of("c3"), T0.plusSeconds(60));
        List<NegotiationCommand> out = m.handle(new PeerJoined(rejoined));
        Epoch next = Epoch.of(ConnectionId.of("c1"), ConnectionId.of("c3"));
        assertThat(out).containsSubsequence(new ClosePeerConnection(EPOCH), new CreatePeerConnection(next, true));
        assertThat(m.state()).isEqualTo(NegotiationState.PREPARING);
        assertThat(m.epoch()).contains(next);
    }

    @Test
    void whenThisSideRejoinsItBecomesTheInitiator() {
        NegotiationMachine m = connectedResponder();
        Presence self = new Presence(EXPERT, ConnectionId.of("c4"), T0.plusSeconds(90));
        List<NegotiationCommand> out = m.handle(new NegotiationEvent.Rejoined(self, Optional.of(LEARNER_LATER)));
        assertThat(out).contains(new ClosePeerConnection(EPOCH),
                new CreatePeerConnection(Epoch.of(ConnectionId.of("c2"), ConnectionId.of("c4")), false));
        assertThat(m.initiator()).contains(true);
    }

    @Test
    void whenThePeerLeavesThePeerConnectionIsClosedAndThisSideWaits() {
        NegotiationMachine m = connectedResponder();
        assertThat(m.handle(new PeerLeft(ConnectionId.of("c2")))).contains(new ClosePeerConnection(EPOCH));
        assertThat(m.state()).isEqualTo(NegotiationState.WAITING_FOR_PEER);
        assertThat(m.epoch()).isEmpty();
        assertThat(m.handle(new PeerLeft(ConnectionId.of("c2")))).isEmpty();
    }

    // ------------------------------------------------------------ ends

    @Test
    void hangingUpSendsByeClosesThePeerConnectionAndEndsTheSession() {
        NegotiationMachine m = connectedResponder();
        List<NegotiationCommand> out = m.handle(new HangUp("done"));
        assertThat(out).containsSubsequence(new SendSignal(new Signal.Bye(EPOCH, "done")), new ClosePeerConnection(EPOCH));
        assertThat(m.state()).isEqualTo(NegotiationState.CLOSED);
    }

    @Test
    void thePeersByeAndTheWindowClosingBothEndTheSession() {
        NegotiationMachine a = connectedResponder();
        a.handle(signal(new Signal.Bye(EPOCH, "")));
        assertThat(a.state()).isEqualTo(NegotiationState.CLOSED);
        NegotiationMachine b = connectedInitiator();
        assertThat(b.handle(new WindowClosed())).contains(new ClosePeerConnection(EPOCH));
        assertThat(b.state()).isEqualTo(NegotiationState.CLOSED);
    }

    @Test
    void theRelaySayingThePeerHungUpEndsTheSessionWithoutItsBye() {
        NegotiationMachine m = connectedResponder();
        List<NegotiationCommand> out = m.handle(new NegotiationEvent.PeerHungUp("lesson over"));
        assertThat(out).contains(new ClosePeerConnection(EPOCH));
        assertThat(out).noneMatch(SendSignal.class::isInstance);
        assertThat(m.state()).isEqualTo(NegotiationState.CLOSED);
    }

    // ------------------------------------------------------------ illegal events

    @Test
    void aResultForACommandNeverIssuedIsATypedErrorAndChangesNothing() {
        NegotiationMachine m = connectedResponder();
        assertThatThrownBy(() -> m.handle(new LocalDescriptionReady(EPOCH, SdpType.OFFER, sdp("x"))))
                .isInstanceOf(IllegalNegotiationEventException.class)
                .hasMessageContaining("LocalDescriptionReady")
                .hasMessageContaining("NONE is outstanding");
        assertThat(m.state()).isEqualTo(NegotiationState.CONNECTED);
        assertThat(m.handle(signal(new Signal.Offer(EPOCH, 2, sdp("l1"))))).hasSize(1); // still works
    }

    @Test
    void aClosedMachineTakesNoEventAndASecondJoinIsIllegal() {
        NegotiationMachine closed = machine(EXPERT);
        closed.handle(new WindowClosed());
        assertThatThrownBy(() -> closed.handle(new JoinedRelay(EXPERT_FIRST, Optional.empty())))
                .isInstanceOf(IllegalNegotiationEventException.class)
                .hasMessageContaining("session is closed")
                .satisfies(e -> assertThat(((IllegalNegotiationEventException) e).state()).isEqualTo(NegotiationState.CLOSED));

        NegotiationMachine joined = machine(EXPERT);
        joined.handle(new JoinedRelay(EXPERT_FIRST, Optional.empty()));
        assertThatThrownBy(() -> joined.handle(new JoinedRelay(EXPERT_FIRST, Optional.empty())))
                .isInstanceOf(IllegalNegotiationEventException.class)
                .hasMessage("event JoinedRelay is not allowed in state WAITING_FOR_PEER: already joined; "
                        + "a new connection of this side is reported as Rejoined");
        assertThatThrownBy(() -> machine(EXPERT).handle(new TracksAttached(EPOCH)))
                .hasMessageContaining("expected JoinedRelay first");
        assertThat(joined.state()).isEqualTo(NegotiationState.WAITING_FOR_PEER);
    }

    @Test
    void presenceFactsAboutTheWrongParticipantAreRefused() {
        NegotiationMachine m = machine(EXPERT);
        assertThatThrownBy(() -> m.handle(new JoinedRelay(LEARNER_LATER, Optional.empty())))
                .isInstanceOf(IllegalNegotiationEventException.class)
                .hasMessageContaining("self presence is for learner-bo");
        m.handle(new JoinedRelay(EXPERT_FIRST, Optional.empty()));
        assertThatThrownBy(() -> m.handle(new PeerJoined(new Presence(EXPERT, ConnectionId.of("c9"), T0))))
                .isInstanceOf(IllegalNegotiationEventException.class)
                .hasMessageContaining("own participant");
        assertThat(m.state()).isEqualTo(NegotiationState.WAITING_FOR_PEER);
    }

    // ------------------------------------------------------------ helpers

    private static NegotiationMachine machine(ParticipantId self) {
        return new NegotiationMachine(self, NegotiationSettings.defaults());
    }

    /** The learner (initiator) with its first offer l1 sent. */
    private static NegotiationMachine offering() {
        NegotiationMachine m = machine(LEARNER);
        m.handle(new JoinedRelay(LEARNER_LATER, Optional.of(EXPERT_FIRST)));
        m.handle(new TracksAttached(EPOCH));
        m.handle(signal(new Signal.Ready(EPOCH)));
        m.handle(new LocalDescriptionReady(EPOCH, SdpType.OFFER, sdp("l1")));
        return m;
    }

    /** The learner (initiator), connected: offer l1, answer e1. */
    private static NegotiationMachine connectedInitiator() {
        NegotiationMachine m = offering();
        m.handle(signal(new Signal.Answer(EPOCH, 1, sdp("e1"))));
        m.handle(new RemoteDescriptionApplied(EPOCH, SdpType.ANSWER));
        m.handle(new IceStateChanged(EPOCH, IceConnectionState.CONNECTED));
        assertThat(m.state()).isEqualTo(NegotiationState.CONNECTED);
        return m;
    }

    /** The expert (polite, first arrival), connected: it answered offer 1 (l1) with e1. */
    private static NegotiationMachine connectedResponder() {
        NegotiationMachine m = machine(EXPERT);
        m.handle(new JoinedRelay(EXPERT_FIRST, Optional.empty()));
        m.handle(new PeerJoined(LEARNER_LATER));
        m.handle(new TracksAttached(EPOCH));
        m.handle(signal(new Signal.Ready(EPOCH)));
        m.handle(signal(new Signal.Offer(EPOCH, 1, sdp("l1"))));
        m.handle(new RemoteDescriptionApplied(EPOCH, SdpType.OFFER));
        m.handle(new LocalDescriptionReady(EPOCH, SdpType.ANSWER, sdp("e1")));
        m.handle(new IceStateChanged(EPOCH, IceConnectionState.CONNECTED));
        assertThat(m.state()).isEqualTo(NegotiationState.CONNECTED);
        return m;
    }

    private static SignalReceived signal(Signal s) {
        return new SignalReceived(s);
    }

    private static String sdp(String ufrag) {
        return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-ufrag:" + ufrag + "\r\na=ice-pwd:secretsecretsecret\r\n";
    }

    private static IceCandidate candidate(String ufrag) {
        return new IceCandidate("0", 0, "candidate:1 1 udp 2122260223 10.77.0.1 5000 typ host ufrag " + ufrag);
    }

    private static List<Signal> signalsIn(List<NegotiationCommand> out) {
        return out.stream().filter(SendSignal.class::isInstance).map(c -> ((SendSignal) c).signal()).toList();
    }

    private static <T extends NegotiationCommand> T only(List<NegotiationCommand> out, Class<T> type) {
        List<T> found = out.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as("%s in %s", type.getSimpleName(), out).hasSize(1);
        return found.get(0);
    }
}
