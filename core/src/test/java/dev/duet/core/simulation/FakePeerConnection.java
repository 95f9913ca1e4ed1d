package dev.duet.core.simulation;

import dev.duet.core.Epoch;
import dev.duet.core.negotiation.IceCandidate;
import dev.duet.core.negotiation.NegotiationEvent;
import dev.duet.core.negotiation.SdpType;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A model of an {@code RTCPeerConnection} as far as negotiation goes: the signaling states
 * (stable, have-local-offer, have-remote-offer, rollback), an operations chain (one operation at
 * a time, each taking a little virtual time), ICE username fragments and candidate gathering.
 * It refuses what a real one refuses, and also reports as violations what a real one would
 * silently get wrong: an offer or answer without local tracks, a candidate added before the
 * remote description of its ICE generation, an answer that does not answer the current offer.
 */
final class FakePeerConnection {
    enum SignalingState { STABLE, HAVE_LOCAL_OFFER, HAVE_REMOTE_OFFER }

    /** A parsed fake session description. */
    record Desc(SdpType type, String id, String answers, String ufrag) {
        String sdp() {
            return "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\na=duet-sim-desc:" + id + "\r\na=duet-sim-answers:" + answers
                    + "\r\na=ice-ufrag:" + ufrag + "\r\n";
        }

        static Desc parse(SdpType type, String sdp) {
            String id = attribute(sdp, "a=duet-sim-desc:");
            String answers = attribute(sdp, "a=duet-sim-answers:");
            String ufrag = attribute(sdp, "a=ice-ufrag:");
            return new Desc(type, id, answers, ufrag);
        }

        private static String attribute(String sdp, String prefix) {
            for (String line : sdp.split("\r\n")) {
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length());
                }
            }
            throw new IllegalArgumentException("fake SDP lacks " + prefix + ": " + sdp);
        }
    }

    private final Simulation sim;
    private final String name;
    final Epoch epoch;
    private final Consumer<NegotiationEvent> toMachine;
    private final Queue<Runnable> operations = new ArrayDeque<>();
    private boolean operationRunning;
    private final Set<String> gatheredUfrags = new HashSet<>();
    private int descriptionCount;
    private int ufragGeneration;

    boolean open = true;
    private boolean gone;
    private final boolean lateCallbacks;
    boolean tracksAttached;
    SignalingState signaling = SignalingState.STABLE;
    Desc pendingLocal;
    Desc pendingRemote;
    Desc currentLocal;
    Desc currentRemote;
    /** ICE username fragments of which at least one remote candidate was applied. */
    final Set<String> appliedRemoteUfrags = new HashSet<>();
    boolean iceConnected;

    FakePeerConnection(Simulation sim, String name, Epoch epoch, Consumer<NegotiationEvent> toMachine) {
        this.sim = sim;
        this.name = name;
        this.epoch = epoch;
        this.toMachine = toMachine;
        this.lateCallbacks = sim.random.nextBoolean();
        sim.ice.register(this);
    }

    /** Hands an event of this connection (an ICE state change) to its machine. */
    void deliver(NegotiationEvent event) {
        toMachine.accept(event);
    }

    /**
     * Delivers a callback that was under way. After {@link #close()} some still arrive, as native
     * callbacks race a close; the machine must see them as stale. After the owning process died
     * ({@code gone}), none does.
     */
    private void deliverUnlessGone(NegotiationEvent event) {
        if (gone || (!open && !lateCallbacks)) {
            return;
        }
        toMachine.accept(event);
    }

    /** The process that owned this connection died: nothing more comes from it. */
    void gone() {
        gone = true;
        close();
    }

    // ---- operations (the adapter's commands)

    void createOfferAndSetLocal(boolean iceRestart) {
        enqueue("createOffer", () -> {
            if (!tracksAttached) {
                sim.violation(name + " created an offer before its local tracks were attached");
            }
            if (signaling == SignalingState.HAVE_REMOTE_OFFER) {
                return fail("createOffer", "InvalidStateError: createOffer in have-remote-offer");
            }
            String ufrag = iceRestart || currentLocal == null && pendingLocal == null ? newUfrag()
                    : (pendingLocal != null ? pendingLocal.ufrag : currentLocal.ufrag);
            pendingLocal = new Desc(SdpType.OFFER, name + "@" + epoch + "-offer-" + (++descriptionCount), "-", ufrag);
            signaling = SignalingState.HAVE_LOCAL_OFFER;
            gather(ufrag);
            return new NegotiationEvent.LocalDescriptionReady(epoch, SdpType.OFFER, pendingLocal.sdp());
        });
    }

    void createAnswerAndSetLocal() {
        enqueue("createAnswer", () -> {
            if (!tracksAttached) {
                sim.violation(name + " created an answer before its local tracks were attached");
            }
            if (signaling != SignalingState.HAVE_REMOTE_OFFER) {
                return fail("createAnswer", "InvalidStateError: createAnswer in " + signaling);
            }
            boolean newGeneration = currentRemote == null || !currentRemote.ufrag.equals(pendingRemote.ufrag)
                    || currentLocal == null;
            String ufrag = newGeneration ? newUfrag() : currentLocal.ufrag;
            Desc answer = new Desc(SdpType.ANSWER, name + "@" + epoch + "-answer-" + (++descriptionCount), pendingRemote.id, ufrag);
            currentRemote = pendingRemote;
            currentLocal = answer;
            pendingRemote = null;
            signaling = SignalingState.STABLE;
            sim.ice.descriptionsChanged(epoch);
            gather(ufrag);
            return new NegotiationEvent.LocalDescriptionReady(epoch, SdpType.ANSWER, answer.sdp());
        });
    }

    void applyRemote(SdpType type, String sdp, boolean rollbackFirst) {
        enqueue("setRemoteDescription(" + type + ")", () -> {
            if (rollbackFirst) {
                if (signaling != SignalingState.HAVE_LOCAL_OFFER) {
                    return fail("rollback", "InvalidStateError: rollback in " + signaling);
                }
                pendingLocal = null;
                signaling = SignalingState.STABLE;
            }
            Desc remote = Desc.parse(type, sdp);
            if (type == SdpType.OFFER) {
                if (signaling == SignalingState.HAVE_LOCAL_OFFER) {
                    sim.violation(name + " was told to apply remote offer " + remote.id + " over its own pending offer "
                            + pendingLocal.id + " without rolling back: two offers accepted in one negotiation");
                    return fail("setRemoteDescription", "InvalidStateError: remote offer in have-local-offer");
                }
                pendingRemote = remote;
                signaling = SignalingState.HAVE_REMOTE_OFFER;
            } else {
                if (signaling != SignalingState.HAVE_LOCAL_OFFER) {
                    return fail("setRemoteDescription", "InvalidStateError: remote answer in " + signaling);
                }
                if (!remote.answers.equals(pendingLocal.id)) {
                    sim.violation(name + " was given answer " + remote.id + " to " + remote.answers
                            + " while its pending offer is " + pendingLocal.id);
                    return fail("setRemoteDescription", "answer does not match the local offer");
                }
                sim.offerAccepted(pendingLocal.id);
                currentLocal = pendingLocal;
                currentRemote = remote;
                pendingLocal = null;
                signaling = SignalingState.STABLE;
                sim.ice.descriptionsChanged(epoch);
            }
            return new NegotiationEvent.RemoteDescriptionApplied(epoch, type);
        });
    }

    void addCandidates(List<IceCandidate> candidates) {
        enqueue("addIceCandidate", () -> {
            Desc remote = pendingRemote != null ? pendingRemote : currentRemote;
            for (IceCandidate c : candidates) {
                String ufrag = ufragOf(c);
                if (remote == null) {
                    sim.violation(name + " was told to add a candidate of " + ufrag + " before any remote description");
                } else if (!remote.ufrag.equals(ufrag)) {
                    sim.violation(name + " was told to add a candidate of " + ufrag
                            + " but its remote description has ICE ufrag " + remote.ufrag);
                } else {
                    appliedRemoteUfrags.add(ufrag);
                }
            }
            sim.ice.descriptionsChanged(epoch);
            return null;
        });
    }

    void close() {
        open = false;
        operations.clear();
        sim.ice.closed(this);
    }

    // ---- internals

    private interface Operation {
        NegotiationEvent run();
    }

    private void enqueue(String what, Operation op) {
        if (!open) {
            sim.violation(name + " was told to " + what + " after it was closed");
            return;
        }
        operations.add(() -> {
            if (!open) {
                return;
            }
            NegotiationEvent result = op.run();
            if (result != null) {
                long callbackDelay = sim.random.nextInt(30);
                sim.scheduler.schedule(Duration.ofMillis(callbackDelay), () -> deliverUnlessGone(result));
            }
        });
        runNext();
    }

    private void runNext() {
        if (operationRunning || operations.isEmpty()) {
            return;
        }
        operationRunning = true;
        Runnable op = operations.poll();
        sim.scheduler.schedule(Duration.ofMillis(1 + sim.random.nextInt(40)), () -> {
            operationRunning = false;
            op.run();
            runNext();
        });
    }

    private NegotiationEvent fail(String operation, String reason) {
        sim.violation(name + ": " + operation + " failed: " + reason);
        return new NegotiationEvent.OperationFailed(epoch, operation, reason);
    }

    private String newUfrag() {
        return name.replace(' ', '_') + "u" + (++ufragGeneration);
    }

    private void gather(String ufrag) {
        if (!gatheredUfrags.add(ufrag)) {
            return;
        }
        int count = 1 + sim.random.nextInt(3);
        for (int i = 1; i <= count; i++) {
            IceCandidate candidate = new IceCandidate("0", 0,
                    "candidate:" + i + " 1 udp 2122260223 10.77.0." + i + " " + (5000 + i) + " typ host ufrag " + ufrag);
            // Most candidates come within 300 ms; some (a slow TURN allocation) take seconds.
            long delay = sim.random.nextInt(7) == 0 ? 300 + sim.random.nextInt(15_000) : 1 + sim.random.nextInt(300);
            sim.scheduler.schedule(Duration.ofMillis(delay),
                    () -> deliverUnlessGone(new NegotiationEvent.LocalCandidate(epoch, ufrag, candidate)));
        }
    }

    static String ufragOf(IceCandidate c) {
        String s = c.candidate();
        return s.substring(s.indexOf(" ufrag ") + " ufrag ".length());
    }

    String activeLocalUfrag() {
        return currentLocal == null ? null : currentLocal.ufrag;
    }

    String activeRemoteUfrag() {
        return currentRemote == null ? null : currentRemote.ufrag;
    }

    @Override
    public String toString() {
        return name + "[" + epoch + ", " + signaling + ", local=" + (currentLocal == null ? "-" : currentLocal.id)
                + ", remote=" + (currentRemote == null ? "-" : currentRemote.id) + "]";
    }
}
