package dev.duet.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duet.core.ParticipantId;
import dev.duet.core.ConnectionId;
import dev.duet.core.Epoch;
import dev.duet.core.negotiation.IceCandidate;
import dev.duet.core.negotiation.IceConnectionState;
import dev.duet.core.negotiation.IllegalNegotiationEventException;
import dev.duet.core.negotiation.NegotiationCommand;
import dev.duet.core.negotiation.NegotiationEvent;
import dev.duet.core.negotiation.NegotiationMachine;
import dev.duet.core.NegotiationSettings;
import dev.duet.core.Presence;
import dev.duet.core.negotiation.SdpType;
import dev.duet.core.negotiation.Signal;
import dev.duet.core.negotiation.TimerKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser client follows the same negotiation rules as the Java peer: two Java machines
 * negotiate under a seeded random schedule (arrival orders, ties, late tracks, late renegotiation
 * and glare, ICE failures and restarts, rejoins, timers); every event each side saw is then fed to
 * the JavaScript machine, which must answer each one with the same commands and the same state
 * (the words of {@code why} aside). The seed is printed on a failure.
 */
class ConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SEEDS = Integer.getInteger("duet.web.conformanceSeeds", 60);

    @TempDir
    Path dir;

    @Test
    void theJavaScriptMachineAnswersEveryEventAsTheJavaMachineDoes() throws Exception {
        Path node = NodeTestsTest.node();
        Map<String, Integer> seen = new HashMap<>();
        for (int seed = 1; seed <= SEEDS; seed++) {
            Run run = new Run(new Random(seed));
            run.play();
            for (Side side : List.of(run.expert, run.learner)) {
                ObjectNode script = JSON.createObjectNode();
                script.put("self", side.self.value());
                script.set("events", side.events);
                Path file = dir.resolve("seed-" + seed + "-" + side.self.value() + ".json");
                Files.writeString(file, JSON.writeValueAsString(script), StandardCharsets.UTF_8);
                Process p = new ProcessBuilder(node.toString(), "src/test/js/conformance-driver.mjs", file.toString())
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as("seed %d: the driver failed:%n%s", seed, out).isZero();
                JsonNode js = JSON.readTree(out);
                assertThat(js.size()).as("seed %d, %s: one answer per event", seed, side.self).isEqualTo(side.events.size());
                for (int i = 0; i < js.size(); i++) {
                    JsonNode expected = reparsed(side.answers.get(i));
                    JsonNode actual = normalize(js.get(i));
                    assertThat(actual).as("seed %d, %s, event %d: %s", seed, side.self, i, side.events.get(i))
                            .isEqualTo(expected);
                    count(seen, side.events.get(i), expected);
                }
            }
        }
        // The schedules reached the hard parts, so agreeing on them means something.
        assertThat(seen).as("what the runs covered").containsKeys("ice restart offer", "rollback", "rejoined",
                "candidates applied", "connected", "refused event", "resent signal", "hung up");
    }

    private static void count(Map<String, Integer> seen, JsonNode event, JsonNode answer) {
        String type = event.get("type").asText();
        if (type.equals("rejoined") || type.equals("hang-up")) {
            seen.merge(type.equals("rejoined") ? "rejoined" : "hung up", 1, Integer::sum);
        }
        if (answer.has("error")) {
            seen.merge("refused event", 1, Integer::sum);
            return;
        }
        for (JsonNode c : answer.get("commands")) {
            String t = c.get("type").asText();
            if (t.equals("create-offer") && c.get("iceRestart").asBoolean()) {
                seen.merge("ice restart offer", 1, Integer::sum);
            } else if (t.equals("apply-remote-description") && c.get("rollbackFirst").asBoolean()) {
                seen.merge("rollback", 1, Integer::sum);
            } else if (t.equals("add-remote-candidates")) {
                seen.merge("candidates applied", 1, Integer::sum);
            } else if (t.equals("state-changed") && c.get("to").asText().equals("connected")) {
                seen.merge("connected", 1, Integer::sum);
            } else if (t.equals("send") && type.equals("timer-fired")) {
                seen.merge("resent signal", 1, Integer::sum);
            }
        }
    }

    /** Through text and back, so that numbers compare by value (a long and an int of the same value are equal). */
    private static JsonNode reparsed(JsonNode node) throws Exception {
        return JSON.readTree(JSON.writeValueAsString(node));
    }

    /** The JS answer with the words of each state change dropped, and an error reduced to "error". */
    private static JsonNode normalize(JsonNode answer) {
        ObjectNode n = JSON.createObjectNode();
        n.put("state", answer.get("state").asText());
        if (answer.has("error")) {
            n.put("error", true);
            return n;
        }
        ArrayNode commands = n.putArray("commands");
        for (JsonNode c : answer.get("commands")) {
            ObjectNode copy = c.deepCopy();
            copy.remove("why");
            commands.add(copy);
        }
        return n;
    }

    /** One side: its Java machine, and what it saw and answered, in the JS client's JSON form. */
    private static final class Side {
        final ParticipantId self;
        final NegotiationMachine machine;
        Presence presence;
        Epoch epoch;
        int restarts;
        final Map<String, TimerKey> armed = new HashMap<>();
        final ArrayNode events = JSON.createArrayNode();
        final List<JsonNode> answers = new ArrayList<>();

        Side(String id) {
            this.self = ParticipantId.of(id);
            this.machine = new NegotiationMachine(self, NegotiationSettings.defaults());
        }
    }

    private record Pending(Side to, NegotiationEvent event) {}

    /** Two Java machines with fake peer connections, a seeded schedule, and a recorder. */
    private static final class Run {
        final Random random;
        final Side expert = new Side("expert-ada");
        final Side learner = new Side("learner-bo");
        final Deque<Pending> queue = new ArrayDeque<>();
        int connections;
        Instant clock = Instant.parse("2026-11-24T09:58:00Z");

        Run(Random random) {
            this.random = random;
        }

        Side other(Side s) {
            return s == expert ? learner : expert;
        }

        void play() {
            // Arrivals: either order, or a tie broken by participant id.
            Side first = random.nextBoolean() ? expert : learner;
            Side second = other(first);
            first.presence = presence(first, random.nextInt(3) == 0 ? 0 : 1);
            second.presence = presence(second, 0);
            post(first, new NegotiationEvent.JoinedRelay(first.presence, Optional.empty()));
            post(second, new NegotiationEvent.JoinedRelay(second.presence, Optional.of(first.presence)));
            post(first, new NegotiationEvent.PeerJoined(second.presence));
            drain();
            for (int step = 0; step < 12; step++) {
                disturb();
                drain();
            }
            if (random.nextBoolean()) {
                Side quitter = random.nextBoolean() ? expert : learner;
                post(quitter, new NegotiationEvent.HangUp("done"));
                drain();
            }
        }

        Presence presence(Side s, int later) {
            clock = clock.plusSeconds(later);
            return new Presence(s.self, ConnectionId.of("c-" + (++connections)), clock);
        }

        /** One random thing happens, as far as the states allow it. */
        void disturb() {
            Side s = random.nextBoolean() ? expert : learner;
            if (s.machine.state().code().equals("closed") || s.epoch == null) {
                return;
            }
            switch (random.nextInt(8)) {
                case 0, 1 -> post(s, new NegotiationEvent.TracksAttached(s.epoch));
                case 2 -> post(s, new NegotiationEvent.IceStateChanged(s.epoch, IceConnectionState.CONNECTED));
                case 3 -> post(s, new NegotiationEvent.IceStateChanged(s.epoch,
                        random.nextBoolean() ? IceConnectionState.DISCONNECTED : IceConnectionState.FAILED));
                case 4 -> post(s, new NegotiationEvent.NegotiationNeeded(s.epoch));
                case 5 -> {
                    if (!s.armed.isEmpty()) {
                        List<TimerKey> keys = new ArrayList<>(s.armed.values());
                        post(s, new NegotiationEvent.TimerFired(keys.get(random.nextInt(keys.size()))));
                    }
                }
                case 6 -> { // this side comes back on a new connection; the other is told
                    if (random.nextInt(3) == 0) {
                        s.presence = presence(s, 1);
                        Side o = other(s);
                        post(s, new NegotiationEvent.Rejoined(s.presence, Optional.of(o.presence)));
                        post(o, new NegotiationEvent.PeerJoined(s.presence));
                    }
                }
                default -> post(s, new NegotiationEvent.IceRestartNeeded(s.epoch, "credentials"));
            }
        }

        void post(Side to, NegotiationEvent e) {
            queue.add(new Pending(to, e));
        }

        void drain() {
            for (int steps = 0; !queue.isEmpty() && steps < 2000; steps++) {
                // Deliver in order per side, but interleave the two sides at random.
                Pending next = queue.removeFirst();
                if (random.nextInt(4) == 0 && !queue.isEmpty()) {
                    queue.addLast(next);
                    next = queue.removeFirst();
                }
                handle(next.to(), next.event());
            }
        }

        void handle(Side s, NegotiationEvent e) {
            s.events.add(Convert.event(e));
            ObjectNode answer = JSON.createObjectNode();
            List<NegotiationCommand> commands;
            try {
                commands = s.machine.handle(e);
            } catch (IllegalNegotiationEventException refused) {
                answer.put("state", s.machine.state().code());
                answer.put("error", true);
                s.answers.add(answer);
                return;
            }
            answer.put("state", s.machine.state().code());
            ArrayNode out = answer.putArray("commands");
            for (NegotiationCommand c : commands) {
                out.add(Convert.command(c));
                carry(s, c);
            }
            s.answers.add(answer);
        }

        /** The fake peer connection and the relay: each command gets its natural answer. */
        void carry(Side s, NegotiationCommand c) {
            if (c instanceof NegotiationCommand.CreatePeerConnection create) {
                s.epoch = create.epoch();
            } else if (c instanceof NegotiationCommand.ClosePeerConnection) {
                s.epoch = null;
            } else if (c instanceof NegotiationCommand.SendSignal send) {
                if (random.nextInt(12) != 0) { // now and then a signal is lost (the machines resend on timers)
                    post(other(s), new NegotiationEvent.SignalReceived(send.signal()));
                }
            } else if (c instanceof NegotiationCommand.CreateOffer offer) {
                if (offer.iceRestart()) {
                    s.restarts++;
                }
                String ufrag = s.self.value().substring(0, 1) + s.restarts;
                post(s, new NegotiationEvent.LocalDescriptionReady(offer.epoch(), SdpType.OFFER, "v=0\r\na=ice-ufrag:" + ufrag + "\r\n"));
                post(s, new NegotiationEvent.LocalCandidate(offer.epoch(), ufrag,
                        new IceCandidate(random.nextBoolean() ? "0" : null, 0, "candidate:1 1 udp 1 10.77.0.1 5000 typ host")));
            } else if (c instanceof NegotiationCommand.CreateAnswer answer) {
                String ufrag = s.self.value().substring(0, 1) + s.restarts;
                post(s, new NegotiationEvent.LocalDescriptionReady(answer.epoch(), SdpType.ANSWER, "v=0\r\na=ice-ufrag:" + ufrag + "\r\n"));
            } else if (c instanceof NegotiationCommand.ApplyRemoteDescription apply) {
                post(s, new NegotiationEvent.RemoteDescriptionApplied(apply.epoch(), apply.type()));
            } else if (c instanceof NegotiationCommand.StartTimer start) {
                s.armed.put(start.key().kind().name(), start.key());
            } else if (c instanceof NegotiationCommand.CancelTimer cancel) {
                s.armed.remove(cancel.key().kind().name());
            }
        }
    }

    /** Java events and commands in the JS client's JSON form (negotiation.d.ts). */
    private static final class Convert {
        static ObjectNode event(NegotiationEvent e) {
            ObjectNode o = JSON.createObjectNode();
            if (e instanceof NegotiationEvent.JoinedRelay j) {
                o.put("type", "joined").set("self", presence(j.self()));
                o.set("peer", j.peer().map(Convert::presence).map(JsonNode.class::cast).orElse(JSON.nullNode()));
            } else if (e instanceof NegotiationEvent.Rejoined j) {
                o.put("type", "rejoined").set("self", presence(j.self()));
                o.set("peer", j.peer().map(Convert::presence).map(JsonNode.class::cast).orElse(JSON.nullNode()));
            } else if (e instanceof NegotiationEvent.PeerJoined p) {
                o.put("type", "peer-joined").set("peer", presence(p.peer()));
            } else if (e instanceof NegotiationEvent.PeerLeft p) {
                o.put("type", "peer-left").put("connection", p.connection().value());
            } else if (e instanceof NegotiationEvent.TracksAttached t) {
                o.put("type", "tracks-attached").set("epoch", epoch(t.epoch()));
            } else if (e instanceof NegotiationEvent.NegotiationNeeded n) {
                o.put("type", "negotiation-needed").set("epoch", epoch(n.epoch()));
            } else if (e instanceof NegotiationEvent.IceRestartNeeded n) {
                o.put("type", "ice-restart-needed").set("epoch", epoch(n.epoch()));
            } else if (e instanceof NegotiationEvent.LocalDescriptionReady l) {
                o.put("type", "local-description-ready").put("sdpType", lower(l.type().name())).put("sdp", l.sdp())
                        .set("epoch", epoch(l.epoch()));
            } else if (e instanceof NegotiationEvent.RemoteDescriptionApplied r) {
                o.put("type", "remote-description-applied").put("sdpType", lower(r.type().name())).set("epoch", epoch(r.epoch()));
            } else if (e instanceof NegotiationEvent.LocalCandidate l) {
                o.put("type", "local-candidate").put("ufrag", l.ufrag()).set("epoch", epoch(l.epoch()));
                o.set("candidate", candidate(l.candidate()));
            } else if (e instanceof NegotiationEvent.IceStateChanged i) {
                o.put("type", "ice-state").put("state", lower(i.state().name())).set("epoch", epoch(i.epoch()));
            } else if (e instanceof NegotiationEvent.TimerFired t) {
                o.put("type", "timer-fired").set("key", key(t.key()));
            } else if (e instanceof NegotiationEvent.SignalReceived s) {
                o.put("type", "signal").set("signal", signal(s.signal()));
            } else if (e instanceof NegotiationEvent.HangUp h) {
                o.put("type", "hang-up").put("reason", h.reason());
            } else {
                throw new IllegalArgumentException("not generated here: " + e);
            }
            return o;
        }

        static ObjectNode command(NegotiationCommand c) {
            ObjectNode o = JSON.createObjectNode();
            if (c instanceof NegotiationCommand.CreatePeerConnection p) {
                o.put("type", "create-peer-connection").put("polite", p.polite()).set("epoch", epoch(p.epoch()));
            } else if (c instanceof NegotiationCommand.ClosePeerConnection p) {
                o.put("type", "close-peer-connection").set("epoch", epoch(p.epoch()));
            } else if (c instanceof NegotiationCommand.CreateOffer p) {
                o.put("type", "create-offer").put("iceRestart", p.iceRestart()).set("epoch", epoch(p.epoch()));
            } else if (c instanceof NegotiationCommand.CreateAnswer p) {
                o.put("type", "create-answer").set("epoch", epoch(p.epoch()));
            } else if (c instanceof NegotiationCommand.ApplyRemoteDescription p) {
                o.put("type", "apply-remote-description").put("sdpType", lower(p.type().name())).put("sdp", p.sdp())
                        .put("rollbackFirst", p.rollbackFirst()).set("epoch", epoch(p.epoch()));
            } else if (c instanceof NegotiationCommand.AddRemoteCandidates p) {
                o.put("type", "add-remote-candidates").set("epoch", epoch(p.epoch()));
                ArrayNode list = o.putArray("candidates");
                p.candidates().forEach(x -> list.add(candidate(x)));
            } else if (c instanceof NegotiationCommand.SendSignal p) {
                o.put("type", "send").set("signal", signal(p.signal()));
            } else if (c instanceof NegotiationCommand.StartTimer p) {
                o.put("type", "start-timer").put("delayMs", p.delay().toMillis()).set("key", key(p.key()));
            } else if (c instanceof NegotiationCommand.CancelTimer p) {
                o.put("type", "cancel-timer").set("key", key(p.key()));
            } else if (c instanceof NegotiationCommand.StateChanged p) {
                o.put("type", "state-changed").put("from", p.from().code()).put("to", p.to().code());
            }
            return o;
        }

        static ObjectNode signal(Signal s) {
            ObjectNode o = JSON.createObjectNode();
            if (s instanceof Signal.Ready r) {
                o.put("type", "ready").set("epoch", epoch(r.epoch()));
            } else if (s instanceof Signal.Offer f) {
                o.put("type", "offer").put("offerId", f.offerId()).put("sdp", f.sdp()).set("epoch", epoch(f.epoch()));
            } else if (s instanceof Signal.Answer a) {
                o.put("type", "answer").put("offerId", a.offerId()).put("sdp", a.sdp()).set("epoch", epoch(a.epoch()));
            } else if (s instanceof Signal.Candidates c) {
                o.put("type", "candidates").put("ufrag", c.ufrag()).set("epoch", epoch(c.epoch()));
                ArrayNode list = o.putArray("candidates");
                c.candidates().forEach(x -> list.add(candidate(x)));
            } else if (s instanceof Signal.Bye b) {
                o.put("type", "bye").put("reason", b.reason()).set("epoch", epoch(b.epoch()));
            }
            return o;
        }

        static ObjectNode presence(Presence p) {
            return JSON.createObjectNode().put("participant", p.participant().value()).put("connection", p.connection().value())
                    .put("arrivedAt", p.arrivedAt().toString());
        }

        static ArrayNode epoch(Epoch e) {
            return JSON.createArrayNode().add(e.first().value()).add(e.second().value());
        }

        static ObjectNode candidate(IceCandidate c) {
            ObjectNode o = JSON.createObjectNode().put("candidate", c.candidate());
            if (c.sdpMid() != null) {
                o.put("sdpMid", c.sdpMid());
            } else {
                o.putNull("sdpMid");
            }
            if (c.sdpMLineIndex() != null) {
                o.put("sdpMLineIndex", c.sdpMLineIndex().intValue());
            } else {
                o.putNull("sdpMLineIndex");
            }
            return o;
        }

        static ObjectNode key(TimerKey k) {
            return JSON.createObjectNode().put("kind", lower(k.kind().name()).replace('_', '-')).put("generation", k.generation());
        }

        static String lower(String s) {
            return s.toLowerCase(Locale.ROOT);
        }
    }
}
