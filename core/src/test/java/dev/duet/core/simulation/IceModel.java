package dev.duet.core.simulation;

import dev.duet.core.Epoch;
import dev.duet.core.negotiation.IceConnectionState;
import dev.duet.core.negotiation.NegotiationEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Connectivity between the two peer connections of an epoch. ICE connects (after a short check)
 * when both sides' current descriptions mirror each other and each side has applied at least one
 * remote candidate of the peer's current ICE username fragment, and the network is up. An outage
 * disconnects connected pairs; a failing outage also kills that ICE generation, so only an ICE
 * restart (new fragments) can connect again.
 */
final class IceModel {
    private final Simulation sim;
    private final Map<Epoch, List<FakePeerConnection>> byEpoch = new LinkedHashMap<>();
    private final Set<String> deadGenerations = new HashSet<>();
    private final Set<Epoch> checking = new HashSet<>();
    private boolean outage;

    IceModel(Simulation sim) {
        this.sim = sim;
    }

    void register(FakePeerConnection pc) {
        byEpoch.computeIfAbsent(pc.epoch, e -> new ArrayList<>()).add(pc);
    }

    void closed(FakePeerConnection pc) {
        List<FakePeerConnection> list = byEpoch.get(pc.epoch);
        if (list != null) {
            list.remove(pc);
        }
    }

    void descriptionsChanged(Epoch epoch) {
        evaluate(epoch);
    }

    void startOutage(boolean fails) {
        outage = true;
        for (List<FakePeerConnection> pair : byEpoch.values()) {
            if (pair.size() == 2 && pair.get(0).iceConnected) {
                if (fails) {
                    deadGenerations.add(generation(pair.get(0)));
                }
                for (FakePeerConnection pc : pair) {
                    pc.iceConnected = false;
                    post(pc, fails ? IceConnectionState.FAILED : IceConnectionState.DISCONNECTED);
                }
            }
        }
    }

    void endOutage() {
        outage = false;
        for (Epoch epoch : List.copyOf(byEpoch.keySet())) {
            evaluate(epoch);
        }
    }

    private void evaluate(Epoch epoch) {
        if (!canConnect(epoch) || checking.contains(epoch)) {
            return;
        }
        checking.add(epoch);
        sim.scheduler.schedule(Duration.ofMillis(10 + sim.random.nextInt(290)), () -> {
            checking.remove(epoch);
            if (canConnect(epoch)) {
                for (FakePeerConnection pc : byEpoch.get(epoch)) {
                    pc.iceConnected = true;
                    post(pc, IceConnectionState.CONNECTED);
                }
            }
        });
    }

    private boolean canConnect(Epoch epoch) {
        List<FakePeerConnection> pair = byEpoch.get(epoch);
        if (outage || pair == null || pair.size() != 2) {
            return false;
        }
        FakePeerConnection a = pair.get(0);
        FakePeerConnection b = pair.get(1);
        return !a.iceConnected && !b.iceConnected
                && a.activeLocalUfrag() != null && b.activeLocalUfrag() != null
                && Objects.equals(a.activeLocalUfrag(), b.activeRemoteUfrag())
                && Objects.equals(a.activeRemoteUfrag(), b.activeLocalUfrag())
                && a.appliedRemoteUfrags.contains(a.activeRemoteUfrag())
                && b.appliedRemoteUfrags.contains(b.activeRemoteUfrag())
                && !deadGenerations.contains(generation(a));
    }

    private static String generation(FakePeerConnection pc) {
        String local = pc.activeLocalUfrag();
        String remote = pc.activeRemoteUfrag();
        return local.compareTo(remote) < 0 ? local + "|" + remote : remote + "|" + local;
    }

    private void post(FakePeerConnection pc, IceConnectionState state) {
        sim.scheduler.schedule(Duration.ofMillis(sim.random.nextInt(20)), () -> {
            if (pc.open) {
                pc.deliver(new NegotiationEvent.IceStateChanged(pc.epoch, state));
            }
        });
    }
}
