package dev.duet.core.simulation;

import dev.duet.core.ParticipantId;
import dev.duet.core.negotiation.Epoch;
import dev.duet.core.negotiation.IllegalNegotiationEventException;
import dev.duet.core.negotiation.NegotiationCommand;
import dev.duet.core.negotiation.NegotiationEvent;
import dev.duet.core.negotiation.NegotiationMachine;
import dev.duet.core.negotiation.NegotiationSettings;
import dev.duet.core.negotiation.NegotiationState;
import dev.duet.core.negotiation.Presence;
import dev.duet.core.negotiation.Signal;
import dev.duet.core.negotiation.TimerKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    FakePeerConnection pc;
    Simulation.Connection connection;
    long mediaReadyAt;
    /** Virtual time of the last move into CONNECTED, or -1 when not connected. */
    long connectedSince = -1;
    private final Map<TimerKey, VirtualScheduler.Task> timers = new HashMap<>();
    /** Epochs for which the peer's ready has arrived (checked before every offer). */
    private final Set<Epoch> readyFromPeer = new HashSet<>();

    SimPeer(Simulation sim, Scenario.Side side, ParticipantId id, long mediaReadyAt) {
        this.sim = sim;
        this.side = side;
        this.id = id;
        this.name = side == Scenario.Side.EXPERT ? "expert" : "learner";
        this.mediaReadyAt = mediaReadyAt;
        this.machine = newMachine();
    }

    private NegotiationMachine newMachine() {
        return new NegotiationMachine(id, NegotiationSettings.defaults());
    }

    /** The relay's answer to a join: the first one is {@code Joined}, later ones {@code Rejoined}. */
    void joinResult(Simulation.Connection conn, Presence self, Optional<Presence> peer) {
        if (conn != connection) {
            return;
        }
        post(machine.state() == NegotiationState.IDLE
                ? new NegotiationEvent.Joined(self, peer)
                : new NegotiationEvent.Rejoined(self, peer));
    }

    /** The client process restarted: everything local is gone, media must be acquired again. */
    void restartProcess(long mediaAgainAt) {
        if (pc != null) {
            pc.gone();
            pc = null;
        }
        timers.values().forEach(VirtualScheduler.Task::cancel);
        timers.clear();
        connectedSince = -1;
        machine = newMachine();
        mediaReadyAt = mediaAgainAt;
        sim.trace(name + " process restarted");
    }

    void post(NegotiationEvent event) {
        if (machine.state() == NegotiationState.CLOSED) {
            sim.violation(name + " got " + Simulation.brief(event) + " after its machine closed");
            return;
        }
        List<NegotiationCommand> commands;
        try {
            commands = machine.handle(event);
        } catch (IllegalNegotiationEventException e) {
            sim.violation(name + " machine refused an event: " + e.getMessage());
            return;
        }
        sim.trace(name + " <- " + Simulation.brief(event) + (commands.isEmpty() ? "" : "  => " + Simulation.brief(commands)));
        for (NegotiationCommand command : commands) {
            execute(command, event);
        }
    }

    private void execute(NegotiationCommand command, NegotiationEvent cause) {
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
                sim.timeline(cause instanceof NegotiationEvent.TimerFired
                        ? name + " has heard no ready from the peer yet and sends its own again"
                        : name + " has its tracks attached and sends ready for epoch " + r.epoch());
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
        } else if (command instanceof NegotiationCommand.StartTimer c) {
            timers.put(c.key(), sim.scheduler.schedule(c.delay(), () -> {
                timers.remove(c.key());
                post(new NegotiationEvent.TimerFired(c.key()));
            }));
        } else if (command instanceof NegotiationCommand.CancelTimer c) {
            VirtualScheduler.Task task = timers.remove(c.key());
            if (task != null) {
                task.cancel();
            }
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
