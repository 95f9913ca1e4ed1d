package dev.duet.core.negotiation;

import dev.duet.core.ConnectionId;
import dev.duet.core.Epoch;
import dev.duet.core.NegotiationSettings;
import dev.duet.core.NegotiationState;
import dev.duet.core.ParticipantId;
import dev.duet.core.Presence;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Negotiation-machine events per second: a whole call (both arrive, ready, offer, answer, ten
 * candidates a side, ICE connected, a hang-up and the peer's bye) replayed into two fresh
 * machines, every event through {@link NegotiationMachine#handle}. Next to it, the floor: the same
 * events through a bare type dispatch that only counts them. The events were recorded
 * once by pumping two machines into each other (commands turned into the events an adapter and
 * the relay would report). Only compiled and run with {@code -Pbench} (docs/benchmarks.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
public class MachineBenchmark {
    /** Events in one recorded call, both sides together (checked when recording). */
    static final int EVENTS = 57;
    private static final ParticipantId EXPERT = ParticipantId.of("expert-ada");
    private static final ParticipantId LEARNER = ParticipantId.of("learner-bo");
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Presence EXPERT_FIRST = new Presence(EXPERT, ConnectionId.of("c1"), T0);
    private static final Presence LEARNER_LATER = new Presence(LEARNER, ConnectionId.of("c2"), T0.plusSeconds(5));
    private static final int CANDIDATES_PER_SIDE = 10;

    private List<NegotiationEvent> expertEvents;
    private List<NegotiationEvent> learnerEvents;

    /** For JMH, which instantiates the state (explicit: the class sits in an exported package). */
    public MachineBenchmark() {}

    @Setup
    public void record() {
        Side expert = new Side(new NegotiationMachine(EXPERT, NegotiationSettings.defaults()), "e1");
        Side learner = new Side(new NegotiationMachine(LEARNER, NegotiationSettings.defaults()), "l1");
        expert.peer = learner;
        learner.peer = expert;
        expert.inbox.add(new NegotiationEvent.JoinedRelay(EXPERT_FIRST, Optional.empty()));
        expert.inbox.add(new NegotiationEvent.PeerJoined(LEARNER_LATER));
        learner.inbox.add(new NegotiationEvent.JoinedRelay(LEARNER_LATER, Optional.of(EXPERT_FIRST)));
        pump(expert, learner);
        if (expert.machine.state() != NegotiationState.CONNECTED || learner.machine.state() != NegotiationState.CONNECTED) {
            throw new IllegalStateException("the recorded call did not connect: " + expert.machine + " / " + learner.machine);
        }
        learner.inbox.add(new NegotiationEvent.HangUp("done"));
        pump(expert, learner);
        if (expert.machine.state() != NegotiationState.CLOSED || learner.machine.state() != NegotiationState.CLOSED) {
            throw new IllegalStateException("the recorded call did not end: " + expert.machine + " / " + learner.machine);
        }
        expertEvents = List.copyOf(expert.handled);
        learnerEvents = List.copyOf(learner.handled);
        int total = expertEvents.size() + learnerEvents.size();
        if (total != EVENTS) {
            throw new IllegalStateException("the recorded call has " + total + " events; set EVENTS to it");
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public NegotiationState machines() {
        NegotiationMachine expert = new NegotiationMachine(EXPERT, NegotiationSettings.defaults());
        NegotiationMachine learner = new NegotiationMachine(LEARNER, NegotiationSettings.defaults());
        for (NegotiationEvent e : expertEvents) {
            expert.handle(e);
        }
        for (NegotiationEvent e : learnerEvents) {
            learner.handle(e);
        }
        return learner.state();
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int typeDispatchOnlyBaseline() {
        return count(expertEvents) + count(learnerEvents);
    }

    private static int count(List<NegotiationEvent> events) {
        int n = 0;
        for (NegotiationEvent e : events) {
            if (e instanceof NegotiationEvent.SignalReceived) {
                n += 3;
            } else if (e instanceof NegotiationEvent.LocalCandidate) {
                n += 2;
            } else {
                n += 1;
            }
        }
        return n;
    }

    private static void pump(Side a, Side b) {
        while (!a.inbox.isEmpty() || !b.inbox.isEmpty()) {
            a.step();
            b.step();
        }
    }

    /** One machine and the adapter around it, turning each command into the event it leads to. */
    private static final class Side {
        final NegotiationMachine machine;
        final String ufrag;
        final Deque<NegotiationEvent> inbox = new ArrayDeque<>();
        final List<NegotiationEvent> handled = new ArrayList<>();
        Side peer;
        boolean remoteApplied;
        boolean localSent;
        boolean connected;

        Side(NegotiationMachine machine, String ufrag) {
            this.machine = machine;
            this.ufrag = ufrag;
        }

        void step() {
            NegotiationEvent event = inbox.poll();
            if (event == null) {
                return;
            }
            handled.add(event);
            for (NegotiationCommand command : machine.handle(event)) {
                // timers, candidates applied, state changes and closing bring nothing back
                if (command instanceof NegotiationCommand.CreatePeerConnection c) {
                    inbox.add(new NegotiationEvent.TracksAttached(c.epoch()));
                } else if (command instanceof NegotiationCommand.SendSignal s) {
                    peer.inbox.add(new NegotiationEvent.SignalReceived(s.signal()));
                } else if (command instanceof NegotiationCommand.CreateOffer o) {
                    described(o.epoch(), SdpType.OFFER);
                } else if (command instanceof NegotiationCommand.CreateAnswer a) {
                    described(a.epoch(), SdpType.ANSWER);
                } else if (command instanceof NegotiationCommand.ApplyRemoteDescription d) {
                    inbox.add(new NegotiationEvent.RemoteDescriptionApplied(d.epoch(), d.type()));
                    remoteApplied = true;
                    maybeConnect(d.epoch());
                }
            }
        }

        private void described(Epoch epoch, SdpType type) {
            inbox.add(new NegotiationEvent.LocalDescriptionReady(epoch, type, sdp(ufrag)));
            for (int i = 0; i < CANDIDATES_PER_SIDE; i++) {
                inbox.add(new NegotiationEvent.LocalCandidate(epoch, ufrag, new IceCandidate("0", 0,
                        "candidate:" + i + " 1 udp 2122260223 10.77.0." + (i + 1) + " 5000 typ host ufrag " + ufrag)));
            }
            localSent = true;
            maybeConnect(epoch);
        }

        private void maybeConnect(Epoch epoch) {
            if (remoteApplied && localSent && !connected) {
                connected = true;
                inbox.add(new NegotiationEvent.IceStateChanged(epoch, IceConnectionState.CONNECTED));
            }
        }
    }

    private static String sdp(String ufrag) {
        return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-ufrag:" + ufrag + "\r\na=ice-pwd:secretsecretsecret\r\n";
    }
}
