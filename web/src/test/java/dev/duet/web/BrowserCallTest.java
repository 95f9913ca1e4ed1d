package dev.duet.web;

import dev.duet.core.attendance.AttendanceEvent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import dev.duet.testing.HeadlessBrowser;
import dev.duet.testing.ProcessOutput;
import dev.duet.testing.TestNetwork;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.signaling.client.StreamReport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.core.attendance.AttendanceRules;
import dev.duet.core.attendance.BillingPolicy;
import dev.duet.core.attendance.Money;
import dev.duet.core.attendance.SessionReport;
import dev.duet.attendance.JsonLinesAttendanceStore;
import dev.duet.signaling.server.RelayEventSink;
import dev.duet.attendance.SessionOutcomes;
import dev.duet.signaling.server.RelayServer;
import dev.duet.webrtc.CallEnd;
import dev.duet.webrtc.CallListener;
import dev.duet.webrtc.DuetCall;
import dev.duet.webrtc.HostNetwork;
import dev.duet.webrtc.LocalMedia;
import dev.duet.webrtc.MediaEngine;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser (headless Chromium and Firefox ESR, each with a fake camera and microphone) runs duet-web's call.js as
 * the learner against the Java expert, through the real relay: media flows both ways by both
 * sides' own stats, chat goes both ways, and the expert's hang-up ends the browser's call.
 * WebRTC needs a non-loopback interface: like the webrtc tests, this runs in the run's network
 * namespace ({@code .ci/netns-run.sh}) or on opt-in.
 */
class BrowserCallTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The web module's folder: the working directory under Surefire, web/ under the reactor root (the bench). */
    static final Path MODULE = Files.isDirectory(Path.of("src/main/js")) ? Path.of("") : Path.of("web");
    /** The side-by-side harness's npm project (the PeerJS server and client), for BrowserBench. */
    static final Path PEERJS_BENCH = MODULE.toAbsolutePath().normalize().resolveSibling("bench").resolve("peerjs");

    @TempDir
    Path dir;

    /** One booked session on a real relay that stores attendance and settles the session by itself after a hang-up. */
    static final class Fixture implements AutoCloseable {
        final Path dir;
        final TicketKey key;
        final Booking booking;
        final JoinTicketIssuer issuer;
        final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        final List<JsonNode> story = new java.util.concurrent.CopyOnWriteArrayList<>();
        final CompletableFuture<SessionReport> settled = new CompletableFuture<>();
        final List<Process> browsers = new ArrayList<>();
        final HttpServer pages;
        final JsonLinesAttendanceStore store;
        final java.util.concurrent.ExecutorService settling = java.util.concurrent.Executors.newSingleThreadExecutor();
        final RelayServer relay;
        /** The fake Pusher server and the backend that signs its subscriptions, for calls over Pusher instead of the relay. */
        final dev.duet.signaling.client.testkit.FakePusherServer pusher;
        final dev.duet.signaling.client.pusher.PusherChannelAuth pusherBackend;
        static final String PUSHER_KEY = "duet-web-test-key";

        /** Arrivals at the relay, by its clock (the machine's). */
        final List<Instant> arrivals = new java.util.concurrent.CopyOnWriteArrayList<>();

        Fixture(Path dir) throws Exception {
            this.dir = dir;
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            key = TicketKey.of("k1", secret);
            Instant now = Instant.now();
            booking = new Booking(SessionId.of("web-" + now.toEpochMilli()), Participant.expert("expert-ada", "Ada"),
                    Participant.learner("learner-bo", "Bo"), now, Duration.ofMinutes(30), Duration.ofMinutes(10), Duration.ofMinutes(5));
            issuer = new JoinTicketIssuer(key, Duration.ofHours(1));
            String pusherSecret = java.util.HexFormat.of().formatHex(secret, 0, 16);
            pusher = new dev.duet.signaling.client.testkit.FakePusherServer(PUSHER_KEY, pusherSecret);
            pusherBackend = new dev.duet.signaling.client.pusher.PusherChannelAuth(
                    dev.duet.signaling.client.pusher.PusherApp.of("4242", PUSHER_KEY, pusherSecret),
                    new JoinTicketVerifier(List.of(key), Duration.ofSeconds(30)));
            pages = pages(events, pusherBackend);
            store = JsonLinesAttendanceStore.open(dir.resolve("attendance.jsonl"));
            SessionOutcomes outcomes = new SessionOutcomes(store, id -> Optional.of(booking), AttendanceRules.defaults(),
                    BillingPolicy.perMinute(Money.of("EUR", "60.00")), List.of((report, charge) -> settled.complete(report)), settling);
            relay = RelayServer.builder(new JoinTicketVerifier(List.of(key), Duration.ofSeconds(30))).settleGrace(Duration.ZERO)
                    .eventSink(RelayEventSink.storing(store).andThen(RelayEventSink.settling(outcomes)).andThen(e -> {
                        if (e instanceof dev.duet.core.attendance.AttendanceEvent.ParticipantJoined j) {
                            arrivals.add(j.at());
                        }
                    })).start();
        }

        String ticket(String participant) {
            return issuer.issue(booking, ParticipantId.of(participant), Instant.now());
        }

        void open(HeadlessBrowser kind, String name, String participant, boolean hangUpAfterGreeting) throws IOException {
            open(kind, name, participant, hangUpAfterGreeting ? "&hangup=1" : "");
        }

        /** Opens the participant page in a new browser; {@code more} is added to its query ("&reload=1", "&rtc=..."). */
        void open(HeadlessBrowser kind, String name, String participant, String more) throws IOException {
            open(kind, name, participant, more, relay.sessionUri(booking.sessionId()).toString());
        }

        void open(HeadlessBrowser kind, String name, String participant, String more, String relayUrl) throws IOException {
            openPage(kind, name, "/participant.html?name=" + name + "&relay=" + URLEncoder.encode(relayUrl, StandardCharsets.UTF_8)
                    + "&ticket=" + URLEncoder.encode(ticket(participant), StandardCharsets.UTF_8) + more);
        }

        /** Opens the participant page in a new browser, signalling over the fake Pusher server. */
        void openOverPusher(HeadlessBrowser kind, String name, String participant) throws IOException {
            String pusherConfig = JSON.createObjectNode().put("key", PUSHER_KEY).put("session", booking.sessionId().value())
                    .put("port", pusher.port()).toString();
            openPage(kind, name, "/participant.html?name=" + name + "&pusher=" + URLEncoder.encode(pusherConfig, StandardCharsets.UTF_8)
                    + "&ticket=" + URLEncoder.encode(ticket(participant), StandardCharsets.UTF_8));
        }

        /** A Java peer signalling over the fake Pusher server, its subscriptions signed in this JVM. */
        DuetCall javaPeerOverPusher(MediaEngine engine, String participant, Expert listener) {
            var authorizer = dev.duet.signaling.client.pusher.ChannelAuthorizer.inProcess(pusherBackend,
                    TicketSource.of(ticket(participant)), java.time.Clock.systemUTC());
            return DuetCall.builder(engine, dev.duet.signaling.client.pusher.PusherTransport.webSocket(pusher.address(), PUSHER_KEY,
                    booking.sessionId(), authorizer, Runnable::run)).media(LocalMedia.synthetic()).listener(listener)
                    .statsInterval(Duration.ofSeconds(1)).build();
        }

        /** Opens one of the pages this fixture serves ({@code pathAndQuery} from its root) in a new browser. */
        void openPage(HeadlessBrowser kind, String name, String pathAndQuery) throws IOException {
            browsers.add(kind.launch(dir.resolve("profile-" + name), "http://127.0.0.1:" + pages.getAddress().getPort() + pathAndQuery,
                    dir.resolve(name + ".log")));
        }

        DuetCall javaExpert(MediaEngine engine, Expert listener) {
            return javaPeer(engine, "expert-ada", listener);
        }

        DuetCall javaPeer(MediaEngine engine, String participant, Expert listener) {
            return DuetCall.builder(engine, RelayTransport.webSocket(relay.sessionUri(booking.sessionId()),
                    TicketSource.of(ticket(participant)), Runnable::run)).media(LocalMedia.synthetic()).listener(listener)
                    .statsInterval(Duration.ofSeconds(1)).build();
        }

        JsonNode await(String name, Predicate<JsonNode> what, String label) throws InterruptedException {
            Predicate<JsonNode> mine = e -> e.path("name").asText().equals(name) && what.test(e);
            for (JsonNode seen : story) { // it may have come while the test waited for the other browser
                if (mine.test(seen)) {
                    return seen;
                }
            }
            return BrowserCallTest.await(events, story, mine, name + ": " + label);
        }

        /** Like {@link #await}, but only for an event that comes from now on. */
        JsonNode awaitNext(String name, Predicate<JsonNode> what, String label) throws InterruptedException {
            return BrowserCallTest.await(events, story, e -> e.path("name").asText().equals(name) && what.test(e), name + ": " + label);
        }

        /** The report the relay settled: both showed, and media flowed both ways. */
        SessionReport assertSettledReport() throws Exception {
            SessionReport report = settled.get(15, TimeUnit.SECONDS);
            assertThat(report.expert().showed()).isTrue();
            assertThat(report.learner().showed()).isTrue();
            assertThat(report.mediaBothWays()).as("media both ways in the report (%s)", report.outcomeReason())
                    .isGreaterThan(Duration.ZERO);
            return report;
        }

        String logs() throws IOException {
            StringBuilder out = new StringBuilder("the browsers' story:\n" + story + "\n");
            try (var files = Files.list(dir)) {
                for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                    out.append(log.getFileName()).append(":\n").append(Files.readString(log)).append('\n');
                }
            }
            return out.toString();
        }

        @Override
        public void close() {
            browsers.forEach(HeadlessBrowser::stop);
            relay.close();
            try {
                pusher.close();
            } catch (Exception e) {
                throw new IllegalStateException("the fake Pusher server did not stop", e);
            }
            store.close();
            settling.shutdownNow();
            pages.stop(0);
        }
    }

    static boolean is(JsonNode e, String event) {
        return e.path("event").asText().equals(event);
    }

    /** What a test does with its session (relay, pages, settling) and a media engine for the Java expert. */
    @FunctionalInterface
    interface Body {
        void run(Fixture f, MediaEngine engine) throws Exception;
    }

    /** Runs {@code body} in a fresh session; a failure carries the browsers' story and output. */
    private void withSession(List<HeadlessBrowser> browsers, Body body) throws Exception {
        TestNetwork.requireUsableInterface(HostNetwork.usableAddress());
        browsers.forEach(HeadlessBrowser::binary);
        try (Fixture f = new Fixture(dir); MediaEngine engine = MediaEngine.synthetic()) {
            try {
                body.run(f, engine);
            } catch (AssertionError | Exception e) {
                throw new AssertionError(browsers + ": " + e.getMessage() + "\n" + f.logs(), e);
            }
        }
    }

    /** The Java expert's side of a call with a browser learner: both see media both ways; the expert hangs up. */
    private static void talkAndHangUp(Fixture f, Expert expert, DuetCall expertCall) throws Exception {
        f.await("learner", e -> is(e, "media") && twoWay(e), "media both ways by the browser's stats");
        assertThat(expert.twoWay.get(20, TimeUnit.SECONDS)).as("media both ways by the Java expert's stats").isTrue();
        assertThat(expert.chat.get(15, TimeUnit.SECONDS)).isEqualTo("hello from the browser");
        expertCall.hangUp("lesson over").get(10, TimeUnit.SECONDS);
        assertThat(f.await("learner", e -> is(e, "ended"), "end").path("reason").asText()).contains("lesson over");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(HeadlessBrowser.class)
    void theJavaExpertFirstThenABrowserLearnerTalkBothWays(HeadlessBrowser kind) throws Exception {
        withSession(List.of(kind), (f, engine) -> {
            Expert expert = new Expert();
            try (DuetCall expertCall = f.javaExpert(engine, expert)) {
                expertCall.start().get(10, TimeUnit.SECONDS);
                f.open(kind, "learner", "learner-bo", false);
                assertThat(f.await("learner", e -> is(e, "joined"), "join").path("peer").asText()).isEqualTo("expert-ada");
                f.await("learner", e -> is(e, "media") && twoWay(e), "media both ways by the browser's stats");
                assertThat(expert.chat.get(15, TimeUnit.SECONDS)).isEqualTo("hello from the browser");
                expertCall.sendChat("hello from Java").get(5, TimeUnit.SECONDS);
                f.await("learner", e -> is(e, "chat") && e.path("text").asText().equals("hello from Java"), "the expert's chat");
                talkAndHangUp(f, expert, expertCall);
            }
            f.assertSettledReport();
        });
    }

    /**
     * The same call with no relay: both sides signal through the fake Pusher server, the page on the
     * official pusher-js (vendored in duet-web), the Java expert on PusherTransport, each subscription
     * signed by the backend's PusherChannelAuth; in both arrival orders (the later arrival offers).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}, browser first: {1}")
    @org.junit.jupiter.params.provider.CsvSource({"CHROMIUM, true", "CHROMIUM, false", "FIREFOX, true"})
    void aBrowserLearnerAndTheJavaExpertTalkBothWaysOverPusher(HeadlessBrowser kind, boolean browserFirst) throws Exception {
        withSession(List.of(kind), (f, engine) -> {
            Expert expert = new Expert();
            try (DuetCall expertCall = f.javaPeerOverPusher(engine, "expert-ada", expert)) {
                if (browserFirst) {
                    f.openOverPusher(kind, "learner", "learner-bo");
                    JsonNode joined = f.await("learner", e -> is(e, "joined"), "join over Pusher");
                    assertThat(joined.path("peer").isNull() || joined.path("peer").isMissingNode()).as("alone at first").isTrue();
                    expertCall.start().get(10, TimeUnit.SECONDS);
                } else {
                    expertCall.start().get(10, TimeUnit.SECONDS);
                    f.openOverPusher(kind, "learner", "learner-bo");
                    assertThat(f.await("learner", e -> is(e, "joined"), "join over Pusher").path("peer").asText()).isEqualTo("expert-ada");
                }
                f.await("learner", e -> is(e, "media") && twoWay(e), "media both ways by the browser's stats");
                assertThat(expert.twoWay.get(20, TimeUnit.SECONDS)).as("media both ways by the Java expert's stats").isTrue();
                assertThat(expert.chat.get(15, TimeUnit.SECONDS)).isEqualTo("hello from the browser");
                expertCall.sendChat("hello from Java").get(5, TimeUnit.SECONDS);
                f.await("learner", e -> is(e, "chat") && e.path("text").asText().equals("hello from Java"), "the expert's chat");
                expertCall.hangUp("lesson over").get(10, TimeUnit.SECONDS);
                assertThat(f.await("learner", e -> is(e, "ended"), "end").path("reason").asText()).contains("lesson over");
            }
            assertThat(f.pusher.errors).as("no errors from the Pusher server (rate, size, signatures)").isEmpty();
            assertThat(f.pusher.received).as("the page's client events went through Pusher")
                    .anyMatch(frame -> frame.contains("\"event\":\"client-duet-signals\"") && frame.contains("hello from the browser"));
        });
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(HeadlessBrowser.class)
    void aBrowserLearnerFirstThenTheJavaExpertTalkBothWays(HeadlessBrowser kind) throws Exception {
        withSession(List.of(kind), (f, engine) -> {
            f.open(kind, "learner", "learner-bo", false);
            JsonNode joined = f.await("learner", e -> is(e, "joined"), "join");
            assertThat(joined.path("peer").isNull() || joined.path("peer").isMissingNode()).as("alone at first").isTrue();
            Expert expert = new Expert();
            try (DuetCall expertCall = f.javaExpert(engine, expert)) {
                expertCall.start().get(10, TimeUnit.SECONDS);
                talkAndHangUp(f, expert, expertCall);
            }
            f.assertSettledReport();
        });
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(HeadlessBrowser.class)
    void aBrowserLearnerWhoReloadsThePageGetsTheCallBack(HeadlessBrowser kind) throws Exception {
        withSession(List.of(kind), (f, engine) -> {
            Expert expert = new Expert();
            try (DuetCall expertCall = f.javaExpert(engine, expert)) {
                expertCall.start().get(10, TimeUnit.SECONDS);
                f.open(kind, "learner", "learner-bo", "&reload=1");
                f.await("learner", e -> is(e, "joined") && e.path("reloaded").asBoolean(), "join after the reload");
                f.await("learner", e -> is(e, "media") && e.path("reloaded").asBoolean() && twoWay(e),
                        "media both ways again, by the reloaded page's stats");
                expert.awaitTwoWayAfter(Instant.now());
                talkAndHangUp(f, expert, expertCall);
            }
            assertThat(f.assertSettledReport().learner().stays()).as("the learner's two stays").isEqualTo(2);
        });
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(HeadlessBrowser.class)
    void aRelayOnlyCallThroughCoturn(HeadlessBrowser kind) throws Exception {
        String turnSecret = "browser-test-static-auth-secret-32b";
        withSession(List.of(kind), (f, engine) -> {
            try (dev.duet.testing.CoturnProcess coturn = dev.duet.testing.CoturnProcess.rest(turnSecret)) {
                dev.duet.turn.TurnServerAddress server = dev.duet.turn.TurnServerAddress.of("127.0.0.1", coturn.port());
                dev.duet.turn.RestTurnCredentials rest = new dev.duet.turn.RestTurnCredentials(
                        List.of(dev.duet.turn.TurnSecret.of("t", turnSecret)), server, Duration.ofHours(2));
                Expert expert = new Expert();
                try (DuetCall expertCall = DuetCall.builder(engine, RelayTransport.webSocket(f.relay.sessionUri(f.booking.sessionId()),
                        TicketSource.of(f.ticket("expert-ada")), Runnable::run)).media(LocalMedia.synthetic()).listener(expert)
                        .iceServers(dev.duet.turn.IceServers.of(server, rest.issue(f.booking, ParticipantId.of("expert-ada"),
                                Instant.now())).relayOnly()).statsInterval(Duration.ofSeconds(1)).build()) {
                    expertCall.start().get(10, TimeUnit.SECONDS);
                    String rtc = dev.duet.turn.IceServers.of(server, rest.issue(f.booking, ParticipantId.of("learner-bo"), Instant.now()))
                            .relayOnly().toRtcConfigurationJson();
                    f.open(kind, "learner", "learner-bo", "&rtc=" + URLEncoder.encode(rtc, StandardCharsets.UTF_8));
                    JsonNode media = f.await("learner", e -> is(e, "media") && twoWay(e), "media both ways through TURN");
                    assertThat(media.path("relayed").asBoolean()).as("the browser's selected pair is relayed").isTrue();
                    talkAndHangUp(f, expert, expertCall);
                }
            }
            f.assertSettledReport();
        });
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(HeadlessBrowser.class)
    void aBrowserWhoseRelayConnectionDropsGetsTheCallBack(HeadlessBrowser kind) throws Exception {
        withSession(List.of(kind), (f, engine) -> {
            try (dev.duet.testing.CuttableProxy proxy = new dev.duet.testing.CuttableProxy(f.relay.port())) {
                Expert expert = new Expert();
                try (DuetCall expertCall = f.javaExpert(engine, expert)) {
                    expertCall.start().get(10, TimeUnit.SECONDS);
                    f.open(kind, "learner", "learner-bo", "", "ws://127.0.0.1:" + proxy.port() + "/v1/sessions/"
                            + f.booking.sessionId().value());
                    f.await("learner", e -> is(e, "media") && twoWay(e), "media both ways");
                    proxy.cut(); // the learner's relay connection breaks mid-call
                    f.awaitNext("learner", e -> is(e, "interrupted"), "the interruption");
                    f.awaitNext("learner", e -> is(e, "media") && twoWay(e), "media both ways again after reconnecting");
                    expert.awaitTwoWayAfter(Instant.now());
                    talkAndHangUp(f, expert, expertCall);
                }
            }
            f.assertSettledReport();
        });
    }

    @Test
    void aChromiumExpertAndAFirefoxLearnerTalkBrowserToBrowser() throws Exception {
        browserToBrowser(HeadlessBrowser.CHROMIUM, HeadlessBrowser.FIREFOX);
    }

    @Test
    void aFirefoxExpertAndAChromiumLearnerTalkBrowserToBrowser() throws Exception {
        browserToBrowser(HeadlessBrowser.FIREFOX, HeadlessBrowser.CHROMIUM);
    }

    private void browserToBrowser(HeadlessBrowser expertBrowser, HeadlessBrowser learnerBrowser) throws Exception {
        withSession(List.of(expertBrowser, learnerBrowser), (f, engine) -> {
            f.open(expertBrowser, "expert", "expert-ada", false);
            f.await("expert", e -> is(e, "joined"), "join");
            f.open(learnerBrowser, "learner", "learner-bo", true);
            f.await("expert", e -> is(e, "media") && twoWay(e), "media both ways by the expert browser's stats");
            f.await("learner", e -> is(e, "media") && twoWay(e), "media both ways by the learner browser's stats");
            f.await("expert", e -> is(e, "chat") && e.path("text").asText().startsWith("hello"), "the learner's greeting");
            f.await("learner", e -> is(e, "chat") && e.path("text").asText().startsWith("hello"), "the expert's greeting");
            // The learner hangs up once it has the expert's greeting and media both ways; both calls end.
            f.await("expert", e -> is(e, "ended"), "end");
            f.await("learner", e -> is(e, "ended"), "end");
            f.assertSettledReport();
        });
    }

    static boolean twoWay(JsonNode media) {
        int flowing = 0;
        for (JsonNode s : media.path("streams")) {
            if (s.path("flowing").asBoolean()) {
                flowing++;
            }
        }
        return flowing == 4;
    }

    static JsonNode await(BlockingQueue<JsonNode> events, List<JsonNode> story, Predicate<JsonNode> what, String label)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            JsonNode e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no " + label + " within 30 s");
            }
            story.add(e);
            if (e.path("event").asText().equals("page-error") || e.path("event").asText().equals("error")) {
                throw new AssertionError("the page reported " + e);
            }
            if (what.test(e)) {
                return e;
            }
        }
    }

    /** Serves the page and duet-web's modules, and takes the page's events. */
    private static HttpServer pages(BlockingQueue<JsonNode> events, dev.duet.signaling.client.pusher.PusherChannelAuth pusherBackend)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/duet-web/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring("/duet-web/".length());
            Path js = MODULE.resolve("src/main/js");
            Path file = js.resolve(name).normalize();
            if (!file.startsWith(js) || !Files.isRegularFile(file)) {
                respond(exchange, 404, "text/plain", "no such file".getBytes(StandardCharsets.UTF_8));
            } else {
                respond(exchange, 200, "text/javascript", Files.readAllBytes(file));
            }
        });
        server.createContext("/participant.html", exchange -> respond(exchange, 200, "text/html",
                Files.readAllBytes(MODULE.resolve("src/test/resources/browser/participant.html"))));
        // BrowserBench's PeerJS page and the peerjs client, once bench/peerjs has run npm ci.
        server.createContext("/peerjs.html", exchange -> respond(exchange, 200, "text/html",
                Files.readAllBytes(MODULE.resolve("src/test/resources/browser/peerjs.html"))));
        server.createContext("/peerjs.min.js", exchange -> {
            Path client = PEERJS_BENCH.resolve("node_modules/peerjs/dist/peerjs.min.js");
            respond(exchange, Files.isRegularFile(client) ? 200 : 404, "text/javascript",
                    Files.isRegularFile(client) ? Files.readAllBytes(client) : "run npm ci in bench/peerjs".getBytes(StandardCharsets.UTF_8));
        });
        // The app backend's Pusher endpoint: signs a subscription for a ticket valid now for the channel's session.
        server.createContext("/pusher/auth", exchange -> {
            java.util.Map<String, String> form = new java.util.HashMap<>();
            for (String pair : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    form.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            try {
                String body = pusherBackend.authorize(form.get("socket_id"), form.get("channel_name"), form.get("ticket"), Instant.now()).toJson();
                respond(exchange, 200, "application/json", body.getBytes(StandardCharsets.UTF_8));
            } catch (dev.duet.signaling.client.pusher.PusherAuthException refused) {
                respond(exchange, 403, "text/plain", refused.getMessage().getBytes(StandardCharsets.UTF_8));
            }
        });
        server.createContext("/events", exchange -> {
            events.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
            respond(exchange, 204, "text/plain", new byte[0]);
        });
        server.start();
        return server;
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    /** The Java expert's view: media both ways by its own stats, and the browser's chat. */
    static final class Expert implements CallListener {
        final CompletableFuture<Boolean> twoWay = new CompletableFuture<>();
        final CompletableFuture<String> chat = new CompletableFuture<>();
        final BlockingQueue<Instant> twoWayReports = new LinkedBlockingQueue<>();
        final CompletableFuture<Instant> firstFrame = new CompletableFuture<>();

        @Override
        public void onFirstRemoteVideoFrame(int width, int height) {
            firstFrame.complete(Instant.now());
        }

        @Override
        public void onMediaReport(MediaReport report) {
            long flowing = report.streams().stream().filter(StreamReport::flowing).count();
            if (flowing == 4) {
                twoWay.complete(true);
                twoWayReports.add(Instant.now());
            }
        }

        /** Waits for a report of media both ways made after {@code after}, by the expert's own stats. */
        void awaitTwoWayAfter(Instant after) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                Instant at = twoWayReports.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (at == null) {
                    throw new AssertionError("the Java expert saw no media both ways within 20 s after " + after);
                }
                if (at.isAfter(after)) {
                    return;
                }
            }
        }

        @Override
        public void onChat(ParticipantId from, Instant relayedAt, String text) {
            chat.complete(text);
        }

        @Override
        public void onEnded(CallEnd end) {
            twoWay.complete(false);
        }
    }
}
