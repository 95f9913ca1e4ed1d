package dev.duet.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.Booking;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.attendance.Money;
import dev.duet.core.NegotiationState;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.server.JoinDetails;
import dev.duet.webrtc.CallEnd;
import dev.duet.webrtc.CallError;
import dev.duet.webrtc.CallListener;
import dev.duet.webrtc.DuetCall;
import dev.duet.webrtc.LocalMedia;
import dev.duet.webrtc.MediaEngine;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The demo's browser mode ({@code --browser}): the backend example serves the page, a person opens
 * the printed link in a browser on this machine and talks, with their own camera and microphone,
 * to a Java expert peer that sends a test pattern and a tone. The expert waits up to 5 minutes for
 * the learner, greets them in the chat, answers each chat line, and hangs up after
 * {@code --talk} seconds of media both ways, unless the learner hangs up first. Once both have
 * left, the relay closes the session and the report that came back through the signed webhook is
 * printed.
 */
final class BrowserDemo {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT_FOR_LEARNER = Duration.ofMinutes(5);

    /** What a run gave: the exit code and the settled report (the webhook body), if it came. */
    record Result(int exitCode, Optional<JsonNode> report) {}

    private final PrintStream out;

    BrowserDemo(PrintStream out) {
        this.out = out;
    }

    Result run(int talkSeconds, InetAddress address) throws Exception {
        Path dir = Files.createTempDirectory("duet-browser-demo-");
        ExecutorService transport = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "demo-transport");
            t.setDaemon(true);
            return t;
        });
        try (BackendExample backend = BackendExample.start(new BackendExample.Config("127.0.0.1", 0, dir, Optional.empty(),
                Optional.empty(), Money.of("EUR", "90.00"), Duration.ofSeconds(1), Optional.empty()));
                MediaEngine engine = MediaEngine.synthetic()) {
            Instant now = Instant.now();
            Booking booking = new Booking(SessionId.of("browser-demo-" + now.getEpochSecond()), Participant.expert("expert-ada", "Ada"),
                    Participant.learner("learner-you", "You"), now, WAIT_FOR_LEARNER.plusSeconds(talkSeconds + 60L),
                    Duration.ofMinutes(1), Duration.ofMinutes(1));
            backend.duet().book(booking);
            JoinDetails expertJoin = backend.duet().join(booking.sessionId(), booking.expert().id());
            Expert expert = new Expert();
            out.println("Duet browser demo: session " + booking.sessionId().value() + "; the Java expert's media on "
                    + address.getHostAddress());
            out.println("Open this link in Chromium, Chrome or Firefox on this machine, allow the camera and microphone, and talk:");
            out.println("  " + backend.pageUrl(booking.sessionId(), booking.learner().id()) + "&autojoin=1");
            out.println("(The expert waits " + WAIT_FOR_LEARNER.toMinutes() + " minutes, then talks " + talkSeconds
                    + " s once media flows both ways; hang up in the page whenever you like.)");
            try (DuetCall call = DuetCall.builder(engine, RelayTransport.webSocket(expertJoin.relayUrl(),
                            TicketSource.of(expertJoin.ticket()), transport))
                    .media(LocalMedia.synthetic()).iceServers(expertJoin.iceServers()).listener(expert)
                    .statsInterval(Duration.ofSeconds(1)).build()) {
                expert.call = call;
                call.start();
                try {
                    expert.learnerArrived.get(WAIT_FOR_LEARNER.toSeconds(), TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    out.println("Nobody opened the link within " + WAIT_FOR_LEARNER.toMinutes() + " minutes.");
                    call.hangUp("nobody came");
                    return new Result(CallDemo.CALL_FAILED, Optional.empty());
                }
                say("the learner is here");
                try {
                    expert.twoWay.get(60, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    out.println("Media did not flow both ways within 60 s of the learner's arrival (state " + call.state().code()
                            + "); is the page's browser on this machine, and were the camera and microphone allowed?");
                    call.hangUp("no media");
                    return new Result(CallDemo.CALL_FAILED, Optional.empty());
                }
                say("audio and video flow both ways; talking for up to " + talkSeconds + " s");
                call.sendChat("Hello, I am Ada, the Java expert. You should see a moving test pattern and hear a tone.");
                CallEnd end;
                try {
                    end = call.ended().get(talkSeconds, TimeUnit.SECONDS);
                    say("the learner hung up");
                } catch (TimeoutException e) {
                    say("the expert hangs up");
                    end = call.hangUp("lesson over").get(10, TimeUnit.SECONDS);
                }
                if (end.failed()) {
                    out.println("The call failed: " + end.error().map(CallError::message).orElse(end.reason()));
                }
            }
            // The relay closes the session by itself 1 s after both have left following the hang-up.
            String body;
            try {
                body = backend.outcome(booking.sessionId()).get(20, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                out.println("The signed report did not arrive within 20 s of the hang-up.");
                return new Result(CallDemo.CALL_FAILED, Optional.empty());
            }
            JsonNode report = JSON.readTree(body);
            print(report);
            boolean ok = report.path("expert").path("showed").asBoolean() && report.path("learner").path("showed").asBoolean()
                    && report.path("mediaBothWaysMs").asLong() > 0;
            out.println(ok ? "Call completed." : "The report shows no call with media both ways.");
            return new Result(ok ? CallDemo.OK : CallDemo.CALL_FAILED, Optional.of(report));
        } finally {
            transport.shutdownNow();
            try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                // a leftover temp file is not worth failing the demo for
            }
        }
    }

    private void say(String text) {
        out.println("  " + CLOCK.format(Instant.now()) + "  " + text);
    }

    private void print(JsonNode r) {
        out.println();
        out.println("Session report (the signed webhook the backend received):");
        for (String role : new String[] {"expert", "learner"}) {
            JsonNode p = r.path(role);
            out.printf(Locale.ROOT, "  %-8s %s%n", role, p.path("showed").asBoolean()
                    ? String.format(Locale.ROOT, "showed, present %.1f s in %d stay(s)", p.path("presenceMs").asLong() / 1000.0,
                            p.path("stays").asInt())
                    : "did not show");
        }
        out.printf(Locale.ROOT, "  both present %.1f s; media both ways %.1f s; interruptions %d%n",
                r.path("bothPresentMs").asLong() / 1000.0, r.path("mediaBothWaysMs").asLong() / 1000.0, r.path("interruptions").asInt());
        out.println("  outcome: " + r.path("outcome").asText() + " (" + r.path("outcomeReason").asText() + ")");
        out.println("  charge: " + r.path("charge").path("currency").asText() + " " + r.path("charge").path("total").asText());
    }

    /** The Java expert's side, filled by its call's listener. */
    private final class Expert implements CallListener {
        final CompletableFuture<Member> learnerArrived = new CompletableFuture<>();
        final CompletableFuture<Void> twoWay = new CompletableFuture<>();
        volatile DuetCall call;

        @Override
        public void onPeerPresent(Member peer) {
            learnerArrived.complete(peer);
        }

        @Override
        public void onJoined(Member self) {
            say("the Java expert joined and waits for you");
        }

        @Override
        public void onStateChanged(NegotiationState from, NegotiationState to, String why) {
            if (to == NegotiationState.CONNECTED || to == NegotiationState.RECONNECTING) {
                say("media " + to.code() + " (" + why + ")");
            }
        }

        @Override
        public void onMediaReport(MediaReport report) {
            // audio and video, each sent and received
            if (report.streams().stream().filter(s -> s.flowing()).map(s -> s.direction() + "/" + s.kind()).distinct().count() == 4) {
                twoWay.complete(null);
            }
        }

        @Override
        public void onChat(ParticipantId from, Instant relayedAt, String text) {
            say("chat from " + from.value() + ": " + text);
            DuetCall c = call;
            if (c != null) {
                c.sendChat("Ada heard you say: " + (text.length() > 200 ? text.substring(0, 200) + "..." : text));
            }
        }

        @Override
        public void onError(CallError error) {
            say("error " + error.kind() + ": " + error.message());
        }

        @Override
        public void onEnded(CallEnd end) {
            say("the expert's call ended: " + end.reason());
        }
    }
}
