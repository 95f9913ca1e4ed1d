package dev.duet.core.simulation;

import dev.duet.core.ParticipantId;
import dev.duet.core.ConnectionId;
import dev.duet.core.negotiation.NegotiationEvent;
import dev.duet.core.NegotiationState;
import dev.duet.core.NegotiationStats;
import dev.duet.core.Presence;
import dev.duet.core.negotiation.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two {@link SimPeer}s, a simulated relay and a simulated network in virtual time, driven by one
 * {@link Scenario}. Deterministic: the same scenario gives the same trace. After {@link #run()},
 * {@link Result#violations()} lists every broken rule.
 *
 * <p>The properties checked:
 * <ul>
 *   <li>both sides end CONNECTED in the same epoch, each within {@link #SETTLE_BOUND} of the last disruption;</li>
 *   <li>no offer or answer is made before that side's tracks are attached (the peer-connection model),
 *       and no offer before the peer's {@code ready} of the epoch has arrived (the adapter);</li>
 *   <li>no candidate is applied before the remote description of its ICE generation (the model);</li>
 *   <li>never two accepted offers in one negotiation: an answer is only applied to the offer it answers,
 *       a remote offer is never applied over a pending local offer without rollback, and no offer is
 *       accepted twice; at the end both peer connections are stable with mirrored descriptions;</li>
 *   <li>the machines never refuse an event, never get one after closing, and never close.</li>
 * </ul>
 */
final class Simulation {
    /** Both sides must be connected this long after the last disruption at the latest. */
    static final Duration SETTLE_BOUND = Duration.ofSeconds(90);
    /** The run goes on this long after the last disruption, to see that connection holds. */
    static final Duration RUN_AFTER = Duration.ofSeconds(150);
    private static final long MAX_TASKS = 500_000;
    static final Instant ROOM_OPENS = Instant.parse("2026-11-24T09:55:00Z");

    final Scenario scenario;
    final Random random;
    final VirtualScheduler scheduler = new VirtualScheduler(ROOM_OPENS);
    final IceModel ice = new IceModel(this);
    final boolean keepTrace;

    private final Map<Scenario.Side, SimPeer> peers = new EnumMap<>(Scenario.Side.class);
    private final Map<Scenario.Side, Connection> current = new EnumMap<>(Scenario.Side.class);
    private final List<String> trace = new ArrayList<>();
    private final List<String> timeline = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final Set<String> acceptedOffers = new HashSet<>();
    private int connectionCount;

    /** One signaling connection between a client and the relay. */
    static final class Connection {
        final Scenario.Side side;
        final ConnectionId id;
        final Instant arrivedAt;
        final SimLink up;
        final SimLink down;

        Connection(Simulation sim, Scenario.Side side, ConnectionId id, Instant arrivedAt) {
            this.side = side;
            this.id = id;
            this.arrivedAt = arrivedAt;
            this.up = new SimLink(sim);
            this.down = new SimLink(sim);
        }
    }

    /** What a run produced. */
    record Result(Scenario scenario, List<String> violations, List<String> trace, List<String> timeline,
            List<NegotiationStats> stats) {
        boolean ok() {
            return violations.isEmpty();
        }

        String report() {
            StringBuilder out = new StringBuilder();
            out.append("seed ").append(scenario.seed()).append(" broke ").append(violations.size()).append(" rule(s):\n");
            violations.stream().limit(20).forEach(v -> out.append("  - ").append(v).append('\n'));
            out.append("scenario: ").append(scenario).append('\n');
            out.append("trace (").append(trace.size()).append(" lines):\n");
            trace.forEach(line -> out.append("  ").append(line).append('\n'));
            out.append("re-run just this seed with -Dduet.sim.seed=").append(scenario.seed()).append('\n');
            return out.toString();
        }
    }

    Simulation(Scenario scenario, boolean keepTrace) {
        this.scenario = scenario;
        this.random = new Random(scenario.seed() * 31 + 7);
        this.keepTrace = keepTrace;
        peers.put(Scenario.Side.EXPERT, new SimPeer(this, Scenario.Side.EXPERT, ParticipantId.of("expert-ada"),
                scenario.expertMediaAt()));
        peers.put(Scenario.Side.LEARNER, new SimPeer(this, Scenario.Side.LEARNER, ParticipantId.of("learner-bo"),
                scenario.learnerMediaAt()));
    }

    static Result run(Scenario scenario) {
        return new Simulation(scenario, true).execute();
    }

    Result execute() {
        schedule(scenario.expertArrivesAt(), () -> join(Scenario.Side.EXPERT));
        schedule(scenario.learnerArrivesAt(), () -> join(Scenario.Side.LEARNER));
        for (Scenario.Rejoin r : scenario.rejoins()) {
            schedule(r.at(), () -> dropConnection(r));
        }
        for (Scenario.Outage o : scenario.outages()) {
            schedule(o.at(), () -> {
                trace("network outage begins" + (o.fails() ? " (ICE will fail)" : ""));
                timeline("network path breaks for " + o.length() / 1000.0 + " s");
                ice.startOutage(o.fails());
            });
            schedule(o.at() + o.length(), () -> {
                trace("network outage ends");
                ice.endOutage();
            });
        }
        for (Scenario.Renegotiation n : scenario.renegotiations()) {
            schedule(n.at(), () -> {
                SimPeer peer = peers.get(n.side());
                if (peer.pc != null) {
                    peer.post(new NegotiationEvent.NegotiationNeeded(peer.pc.epoch));
                }
            });
        }
        long settle = scenario.lastDisruption();
        boolean finished = scheduler.runUntil(settle + RUN_AFTER.toMillis(), MAX_TASKS);
        if (!finished) {
            violation("did not settle: " + MAX_TASKS + " tasks ran by virtual time " + seconds(scheduler.nowMillis()));
        }
        checkEnd(settle);
        return new Result(scenario, List.copyOf(violations), List.copyOf(trace), List.copyOf(timeline),
                List.of(peers.get(Scenario.Side.EXPERT).machine.stats(), peers.get(Scenario.Side.LEARNER).machine.stats()));
    }

    private void checkEnd(long settle) {
        SimPeer expert = peers.get(Scenario.Side.EXPERT);
        SimPeer learner = peers.get(Scenario.Side.LEARNER);
        for (SimPeer p : List.of(expert, learner)) {
            if (p.machine.state() != NegotiationState.CONNECTED) {
                violation(p.name + " ended in " + p.machine.state() + ", not CONNECTED");
            } else if (p.connectedSince > settle + SETTLE_BOUND.toMillis()) {
                violation(p.name + " connected only at " + seconds(p.connectedSince) + ", more than " + SETTLE_BOUND
                        + " after the last disruption at " + seconds(settle));
            }
        }
        if (!expert.machine.epoch().equals(learner.machine.epoch())) {
            violation("the sides ended in different epochs: expert " + expert.machine.epoch() + ", learner "
                    + learner.machine.epoch());
        }
        if (expert.pc == null || learner.pc == null) {
            violation("a side ended without a peer connection");
            return;
        }
        for (FakePeerConnection pc : List.of(expert.pc, learner.pc)) {
            if (pc.signaling != FakePeerConnection.SignalingState.STABLE) {
                violation(pc + " ended in " + pc.signaling + ", not stable");
            }
        }
        if (expert.pc.currentLocal == null || learner.pc.currentRemote == null
                || !expert.pc.currentLocal.id().equals(learner.pc.currentRemote.id())
                || !expert.pc.currentRemote.id().equals(learner.pc.currentLocal.id())) {
            violation("the sides' final descriptions do not mirror each other: " + expert.pc + " / " + learner.pc);
        }
    }

    // ---------------------------------------------------------------- the relay

    private void join(Scenario.Side side) {
        if (current.get(side) != null) {
            return;
        }
        SimPeer peer = peers.get(side);
        Connection conn = new Connection(this, side, ConnectionId.of("c" + (++connectionCount)), scheduler.now());
        current.put(side, conn);
        peer.connection = conn;
        Presence self = presence(conn);
        Connection other = current.get(otherSide(side));
        Optional<Presence> peerPresence = Optional.ofNullable(other).map(this::presence);
        trace("relay: " + peer.name + " arrives on " + conn.id);
        timeline(peer.name + " arrives at the relay (connection " + conn.id + ", stamped " + clock(scheduler.nowMillis()) + ")");
        conn.down.send(false, true, false, () -> peer.joinResult(conn, self, peerPresence));
        if (other != null) {
            SimPeer otherPeer = peers.get(other.side);
            other.down.send(false, true, false, () -> otherPeer.post(new NegotiationEvent.PeerJoined(self)));
        }
    }

    private void dropConnection(Scenario.Rejoin r) {
        Connection conn = current.get(r.side());
        SimPeer peer = peers.get(r.side());
        if (conn == null || peer.connection != conn) {
            return;
        }
        conn.up.alive = false;
        conn.down.alive = false;
        peer.connection = null;
        trace("relay: " + peer.name + "'s connection " + conn.id + " drops" + (r.freshProcess() ? " (process restart)" : ""));
        timeline(peer.name + " loses the signaling connection" + (r.freshProcess() ? " and reloads" : ""));
        if (r.freshProcess()) {
            peer.restartProcess(scheduler.nowMillis() + r.reconnectAfter() + random.nextInt(1_000));
        }
        if (r.leaveNoticed()) {
            current.remove(r.side());
            Connection other = current.get(otherSide(r.side()));
            if (other != null) {
                SimPeer otherPeer = peers.get(other.side);
                other.down.send(false, true, false, () -> otherPeer.post(new NegotiationEvent.PeerLeft(conn.id)));
            }
        }
        schedule(scheduler.nowMillis() + r.reconnectAfter(), () -> {
            if (current.get(r.side()) == conn) {
                current.remove(r.side());
            }
            join(r.side());
        });
    }

    /** A client sends a signal: up to the relay, which forwards it if the sender is still current. */
    void send(Connection from, Signal signal) {
        boolean candidates = signal instanceof Signal.Candidates;
        from.up.send(candidates, false, true, () -> {
            if (current.get(from.side) != from) {
                return;
            }
            Connection to = current.get(otherSide(from.side));
            if (to == null) {
                return;
            }
            SimPeer target = peers.get(to.side);
            to.down.send(candidates, false, true, () -> target.signalArrived(signal));
        });
    }

    private Presence presence(Connection conn) {
        return new Presence(peers.get(conn.side).id, conn.id, conn.arrivedAt);
    }

    private static Scenario.Side otherSide(Scenario.Side side) {
        return side == Scenario.Side.EXPERT ? Scenario.Side.LEARNER : Scenario.Side.EXPERT;
    }

    // ---------------------------------------------------------------- bookkeeping

    void offerAccepted(String offerId) {
        if (!acceptedOffers.add(offerId)) {
            violation("offer " + offerId + " was accepted twice");
        }
    }

    void violation(String what) {
        violations.add(seconds(scheduler.nowMillis()) + " " + what);
        trace("VIOLATION: " + what);
    }

    void trace(String line) {
        if (keepTrace) {
            trace.add(seconds(scheduler.nowMillis()) + " " + line);
        }
    }

    void timeline(String line) {
        if (keepTrace) {
            timeline.add(clock(scheduler.nowMillis()) + "  " + line);
        }
    }

    /** Virtual time as a UTC time of day, for timelines people read. */
    static String clock(long millis) {
        return java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
                .format(ROOM_OPENS.plusMillis(millis).atOffset(java.time.ZoneOffset.UTC));
    }

    private void schedule(long atMillis, Runnable action) {
        scheduler.at(atMillis, action);
    }

    static String seconds(long millis) {
        return String.format(Locale.ROOT, "t=%7.3fs", millis / 1000.0);
    }

    private static final Pattern SDP = Pattern.compile("sdp=v=0.*?a=duet-sim-desc:([^\\r]+)\\r\\n.*?a=ice-ufrag:([^\\r]+)\\r\\n",
            Pattern.DOTALL);

    /** A one-line form of events and commands, with fake SDPs shortened to their description id and ufrag. */
    static String brief(Object o) {
        Matcher m = SDP.matcher(String.valueOf(o));
        return m.replaceAll("sdp=<$1 ufrag $2>")
                .replaceAll("IceCandidate\\[sdpMid=0, sdpMLineIndex=0, candidate=candidate:(\\d) [^]]* ufrag ([^]]*)\\]", "cand$1/$2");
    }
}
