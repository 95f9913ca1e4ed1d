package dev.duet.core.simulation;

import dev.duet.core.ParticipantId;
import dev.duet.core.Epoch;
import dev.duet.core.negotiation.IllegalNegotiationEventException;
import dev.duet.core.negotiation.NegotiationCommand;
import dev.duet.core.negotiation.NegotiationEvent;
import dev.duet.core.negotiation.NegotiationDriver;
import dev.duet.core.negotiation.NegotiationMachine;
import dev.duet.core.NegotiationSettings;
import dev.duet.core.NegotiationState;
import dev.duet.core.Presence;
import dev.duet.core.negotiation.Signal;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * One simulated participant: a real {@link NegotiationMachine} and an adapter that carries out its
 * commands against a {@link FakePeerConnection}, the simulated relay and the virtual scheduler,
 * the way the WebRTC peer will against native objects.
 */
final class SimPeer {
    final Scenario.Side side;
    final ParticipantId id;
    final String name;
    private final Simulation sim;

    NegotiationMachine machine;
    private NegotiationDriver driver;
    FakePeerConnection pc;
    Simulation.Connection connection;
    long mediaReadyAt;
    /** Virtual time of the last move into CONNECTED, or -1 when not connected. */
    long connectedSince = -1;
    /** Epochs for which the peer's ready has arrived (checked before every offer). */
    private final Set<Epoch> readyFromPeer = new HashSet<>();
    /** Epochs for which this side has sent ready (a second one is a resend). */
    private final Set<Epoch> readySent = new HashSet<>();

    SimPeer(Simulation sim, Scenario.Side side, ParticipantId id, long mediaReadyAt) {
        this.sim = sim;
        this.side = side;
        this.id = id;
        this.name = side == Scenario.Side.EXPERT ? "expert" : "learner";
        this.mediaReadyAt = mediaReadyAt;
        startProcess();
    }

    /** A new machine and driver; commands of an earlier (dead) process's driver are ignored. */
    private void startProcess() {
        machine = new NegotiationMachine(id, NegotiationSettings.defaults());
        NegotiationDriver[] self = new NegotiationDriver[1];
        self[0] = new NegotiationDriver(machine, sim.scheduler.asTaskScheduler(), command -> {
            if (driver == self[0]) {
                sim.trace(name + "   => " + Simulation.brief(command));
                execute(command);
            }
        });
        driver = self[0];
    }

    /** The relay's answer to a join: the first one is {@code Joined}, later ones {@code Rejoined}. */
    void joinResult(Simulation.Connection conn, Presence self, Optional<Presence> peer) {
        if (conn != connection) {
            return;
        }
        post(machine.state() == NegotiationState.IDLE
                ? new NegotiationEvent.JoinedRelay(self, peer)
                : new NegotiationEvent.Rejoined(self, peer));
    }

    /** The client process restarted: everything local is gone, media must be acquired again. */
    void restartProcess(long mediaAgainAt) {
        if (pc != null) {
            pc.gone();
            pc = null;
        }
        connectedSince = -1;
        startProcess();
        mediaReadyAt = mediaAgainAt;
        sim.trace(name + " process restarted");
    }

    void post(NegotiationEvent event) {
        sim.trace(name + " <- " + Simulation.brief(event));
        try {
            if (!driver.post(event)) {
                sim.violation(name + " got " + Simulation.brief(event) + " after its machine closed");
            }
        } catch (IllegalNegotiationEventException e) {
            sim.violation(name + " machine refused an event: " + e.getMessage());
        }
    }

    private void execute(NegotiationCommand command) {
        if (command instanceof NegotiationCommand.CreatePeerConnection c) {
            if (pc != null) {
                sim.violation(name + " was told to build a peer connection for " + c.epoch() + " while " + pc + " is open");
                pc.close();
            }
            FakePeerConnection created = new FakePeerConnection(sim, name, c.epoch(), this::post);
            pc = created;
            long attachAt = Math.max(sim.scheduler.nowMillis(), mediaReadyAt) + sim.random.nextInt(200);
            if (sim.scenario.mutation() == Scenario.Mutation.REPORT_TRACKS_EARLY) {
                sim.scheduler.schedule(Duration.ZERO, () -> {
                    if (created.open) {
                        post(new NegotiationEvent.TracksAttached(c.epoch()));
                    }
                });
            }
            sim.scheduler.at(attachAt, () -> {
                if (created.open) {
                    created.tracksAttached = true;
                    if (sim.scenario.mutation() != Scenario.Mutation.REPORT_TRACKS_EARLY) {
                        post(new NegotiationEvent.TracksAttached(c.epoch()));
                    }
                }
            });
        } else if (command instanceof NegotiationCommand.ClosePeerConnection c) {
            if (pc == null || !pc.epoch.equals(c.epoch())) {
                sim.violation(name + " was told to close the peer connection of " + c.epoch() + " but has " + pc);
                return;
            }
            pc.close();
            pc = null;
        } else if (command instanceof NegotiationCommand.SendSignal c) {
            if (c.signal() instanceof Signal.Offer o) {
                sim.timeline(name + " sends offer " + o.offerId() + " in epoch " + o.epoch());
            } else if (c.signal() instanceof Signal.Answer a) {
                sim.timeline(name + " sends answer to offer " + a.offerId() + " in epoch " + a.epoch());
            } else if (c.signal() instanceof Signal.Ready r) {
                sim.timeline(readySent.add(r.epoch())
                        ? name + " has its tracks attached and sends ready for epoch " + r.epoch()
                        : name + " has heard no ready from the peer yet and sends its own again");
            }
            if (connection != null) {
                sim.send(connection, c.signal());
            }
        } else if (command instanceof NegotiationCommand.CreateOffer c) {
            sim.timeline(name + " creates " + (c.iceRestart() ? "an ICE-restart offer" : "an offer"));
            if (!readyFromPeer.contains(c.epoch())) {
                sim.violation(name + " made an offer in epoch " + c.epoch() + " before the peer's ready arrived");
            }
            pcFor(c.epoch()).createOfferAndSetLocal(c.iceRestart());
        } else if (command instanceof NegotiationCommand.CreateAnswer c) {
            pcFor(c.epoch()).createAnswerAndSetLocal();
        } else if (command instanceof NegotiationCommand.ApplyRemoteDescription c) {
            pcFor(c.epoch()).applyRemote(c.type(), c.sdp(), c.rollbackFirst());
        } else if (command instanceof NegotiationCommand.AddRemoteCandidates c) {
            pcFor(c.epoch()).addCandidates(c.candidates());
        } else if (command instanceof NegotiationCommand.StateChanged c) {
            connectedSince = c.to() == NegotiationState.CONNECTED ? sim.scheduler.nowMillis() : -1;
            sim.timeline(name + ": " + c.from().code() + " -> " + c.to().code() + " (" + c.why() + ")");
        }
    }

    private FakePeerConnection pcFor(Epoch epoch) {
        if (pc == null || !pc.epoch.equals(epoch)) {
            sim.violation(name + " got a command for epoch " + epoch + " but its peer connection is " + pc);
            FakePeerConnection orphan = new FakePeerConnection(sim, name + "-orphan", epoch, e -> { });
            orphan.close();
            return orphan;
        }
        return pc;
    }

    void signalArrived(Signal signal) {
        if (signal instanceof Signal.Ready) {
            readyFromPeer.add(signal.epoch());
        }
        post(new NegotiationEvent.SignalReceived(signal));
    }
}
