package dev.duet.examples;

import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import dev.duet.core.attendance.AttendanceRules;
import dev.duet.core.attendance.BillingPolicy;
import dev.duet.core.attendance.Charge;
import dev.duet.core.attendance.Money;
import dev.duet.core.attendance.SessionReport;
import dev.duet.core.NegotiationState;
import dev.duet.signaling.client.MediaReport;
import dev.duet.core.DepartureReason;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import dev.duet.signaling.client.TicketSource;
import dev.duet.attendance.JsonLinesAttendanceStore;
import dev.duet.signaling.server.RelayEventSink;
import dev.duet.signaling.server.RelayServer;
import dev.duet.attendance.SessionOutcomes;
import dev.duet.webrtc.CallEnd;
import dev.duet.webrtc.CallError;
import dev.duet.webrtc.CallListener;
import dev.duet.webrtc.DuetCall;
import dev.duet.webrtc.HostNetwork;
import dev.duet.webrtc.LocalMedia;
import dev.duet.webrtc.MediaEngine;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The README's main command: a real call between two Java peers with generated media, through an
 * embedded relay on a free loopback port. The expert and the learner arrive at different moments
 * ({@code --order expert-first|learner-first|together}), talk for a few seconds
 * ({@code --talk SECONDS}, 3 to 30), exchange chat lines, and hang up; a progress line is printed
 * every second, then the timeline. Ends by itself in under a minute. Exit codes: 0 the call
 * completed, 1 the call failed, 2 this host cannot run WebRTC (no non-loopback interface), 64 wrong
 * options ({@code --help} prints the usage).
 */
public final class CallDemo {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final Duration DEADLINE = Duration.ofSeconds(55);

    private final List<Line> timeline = new CopyOnWriteArrayList<>();
    private final Instant started = Instant.now();
    private final PrintStream out;

    CallDemo(PrintStream out) {
        this.out = out;
    }

    /**
     * What one run gave: its exit code, the report and charge that the relay's own settling built
     * (empty if the session never settled), and every event the relay recorded.
     */
    record Result(int exitCode, Optional<SessionReport> report, Optional<Charge> charge, List<AttendanceEvent> relayEvents) {}

    private record Line(Instant at, String text) {}

    /** Exit codes, also in {@link DemoOptions#USAGE}. */
    static final int OK = 0;
    static final int CALL_FAILED = 1;
    static final int NO_USABLE_INTERFACE = 2;
    static final int USAGE_ERROR = 64;

    public static void main(String[] args) throws Exception {
        System.exit(exitCode(args));
    }

    static int exitCode(String... args) throws Exception {
        DemoOptions options;
        try {
            Optional<DemoOptions> parsed = DemoOptions.parse(args);
            if (parsed.isEmpty()) {
                System.out.println(DemoOptions.USAGE);
                return OK;
            }
            options = parsed.get();
        } catch (DemoOptions.UsageException e) {
            System.err.println("duet demo: " + e.getMessage());
            System.err.println(DemoOptions.USAGE);
            return USAGE_ERROR;
        }
        Optional<InetAddress> address = HostNetwork.usableAddress();
        if (address.isEmpty()) {
            System.err.println("""
                    duet demo: this host has no non-loopback network interface, and libwebrtc ignores loopback, so two \
                    peers here would never connect.
                    Run the demo on a machine with a network interface, or inside a network namespace with one (root):
                        mvn -B -q -Pdemo -DskipTests -Ddemo.args=--help package && .ci/netns-run.sh mvn -o -B -q -Pdemo -DskipTests package""");
            return NO_USABLE_INTERFACE;
        }
        if (options.browser()) {
            return new BrowserDemo(System.out).run(options.talkSeconds(), address.get()).exitCode();
        }
        return new CallDemo(System.out).run(options.order(), options.talkSeconds(), address.get()).exitCode();
    }

    /** One demo session, printed to this demo's output. */
    Result run(DemoOptions.Order order, int talkSeconds, InetAddress address) throws Exception {
        ParticipantId expertId = ParticipantId.of("expert-ada");
        ParticipantId learnerId = ParticipantId.of("learner-bo");
        // A short booking, so that the demo's few seconds of talk make a whole session to report and bill.
        Booking booking = new Booking(SessionId.of("demo-" + started.getEpochSecond()), Participant.expert(expertId.value(), "Ada"),
                Participant.learner(learnerId.value(), "Bo"), started.plusSeconds(3), Duration.ofSeconds(talkSeconds + 4L),
                Duration.ofMinutes(5), Duration.ofSeconds(30));
        Path workDir = Files.createTempDirectory("duet-demo-");
        Path attendanceFile = workDir.resolve("attendance.jsonl");
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        TicketKey key = TicketKey.of("demo", secret);
        JoinTicketIssuer issuer = new JoinTicketIssuer(key, Duration.ofHours(1));
        List<AttendanceEvent> relayEvents = new CopyOnWriteArrayList<>();
        ExecutorService transportThreads = Executors.newCachedThreadPool(daemon("demo-transport"));
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("demo-progress"));
        ExecutorService settling = Executors.newSingleThreadExecutor(daemon("demo-settle"));
        CompletableFuture<Settled> settled = new CompletableFuture<>();
        out.printf(Locale.ROOT, "Duet demo: session %s booked %s to %s (UTC); order %s; peers on %s%n",
                booking.sessionId().value(), CLOCK.format(booking.start()), CLOCK.format(booking.end()),
                order.code(), address.getHostAddress());

        try (JsonLinesAttendanceStore attendance = JsonLinesAttendanceStore.open(attendanceFile)) {
            // The production way: the relay stores every event, closes the session by itself once both
            // have left after the hang-up (1 s of grace here, for a reconnect), and SessionOutcomes
            // settles it from the store into a report and a charge.
            SessionOutcomes outcomes = new SessionOutcomes(attendance,
                    id -> id.equals(booking.sessionId()) ? Optional.of(booking) : Optional.empty(), AttendanceRules.defaults(),
                    BILLING, List.of((report, charge) -> settled.complete(new Settled(report, charge))), settling);
            try (RelayServer relay = RelayServer.builder(new JoinTicketVerifier(List.of(key), Duration.ofSeconds(30)))
                            .host("127.0.0.1").port(0).bookings(id -> id.equals(booking.sessionId()) ? Optional.of(booking)
                                    : Optional.empty()).settleGrace(Duration.ofSeconds(1))
                            .eventSink(RelayEventSink.storing(attendance).andThen(relayEvents::add).andThen(RelayEventSink.settling(outcomes))).start();
                    MediaEngine engine = MediaEngine.synthetic()) {
                return call(relay, engine, booking, issuer, order, talkSeconds, relayEvents, transportThreads, ticker, settled,
                        attendanceFile);
            }
        } finally {
            ticker.shutdownNow();
            transportThreads.shutdownNow();
            settling.shutdownNow();
            deleteTree(workDir);
        }
    }

    private record Settled(SessionReport report, Charge charge) {}

    private static final BillingPolicy BILLING = new BillingPolicy(Money.of("EUR", "90.00"), Duration.ofSeconds(1),
            BillingPolicy.Rounding.UP, Money.of("EUR", "0.10"), Money.of("EUR", "5.00"));

    private Result call(RelayServer relay, MediaEngine engine, Booking booking, JoinTicketIssuer issuer, DemoOptions.Order order,
            int talkSeconds, List<AttendanceEvent> relayEvents, ExecutorService transportThreads, ScheduledExecutorService ticker,
            CompletableFuture<Settled> settled, Path attendanceFile) throws Exception {
        ParticipantId expertId = booking.expert().id();
        ParticipantId learnerId = booking.learner().id();
        note("relay listening on " + relay.sessionUri(booking.sessionId()).getAuthority());
        Side expert = new Side("expert", this);
        Side learner = new Side("learner", this);
        try (DuetCall expertCall = DuetCall.builder(engine, RelayTransport.webSocket(relay.sessionUri(booking.sessionId()),
                        TicketSource.of(issuer.issue(booking, expertId, Instant.now())), transportThreads))
                .media(LocalMedia.synthetic()).listener(expert).statsInterval(Duration.ofSeconds(1)).build();
                DuetCall learnerCall = DuetCall.builder(engine, RelayTransport.webSocket(relay.sessionUri(booking.sessionId()),
                        TicketSource.of(issuer.issue(booking, learnerId, Instant.now())), transportThreads))
                .media(LocalMedia.synthetic()).listener(learner).statsInterval(Duration.ofSeconds(1)).build()) {
            ticker.scheduleAtFixedRate(() -> progress(expert, learner), 1, 1, TimeUnit.SECONDS);
            switch (order) {
                case EXPERT_FIRST -> arriveOneAfterTheOther(expert, expertCall, learner, learnerCall, ticker);
                case LEARNER_FIRST -> arriveOneAfterTheOther(learner, learnerCall, expert, expertCall, ticker);
                case TOGETHER -> {
                    note("expert and learner open the session together");
                    expertCall.start();
                    learnerCall.start();
                }
            }
            try {
                CompletableFuture.allOf(expert.twoWay, learner.twoWay).get(DEADLINE.toSeconds() - 15 - talkSeconds, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                ticker.shutdownNow();
                out.println();
                out.println("The call did not get media flowing both ways in time. What happened so far:");
                printLines();
                return new Result(CALL_FAILED, Optional.empty(), Optional.empty(), List.copyOf(relayEvents));
            }
            note("both sides see audio and video flowing both ways; talking for " + talkSeconds + " s");
            expertCall.sendChat("Welcome, Bo! Can you see my screen?");
            learner.chat.get(5, TimeUnit.SECONDS);
            learnerCall.sendChat("Yes, loud and clear.");
            expert.chat.get(5, TimeUnit.SECONDS);
            CompletableFuture<Void> talk = new CompletableFuture<>();
            ticker.schedule(() -> talk.complete(null), talkSeconds, TimeUnit.SECONDS);
            talk.get(talkSeconds + 5L, TimeUnit.SECONDS);
            note("expert hangs up");
            CallEnd expertEnd = expertCall.hangUp("lesson over").get(10, TimeUnit.SECONDS);
            CallEnd learnerEnd = learnerCall.ended().get(10, TimeUnit.SECONDS);
            ticker.shutdownNow();
            Settled outcome;
            try {
                outcome = settled.get(15, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                out.println("The relay did not close and settle the session within 15 s of the hang-up.");
                printLines();
                return new Result(CALL_FAILED, Optional.empty(), Optional.empty(), List.copyOf(relayEvents));
            }
            printTimeline(booking, relayEvents, expert, learner);
            printReportAndCharge(outcome, relayEvents, attendanceFile);
            boolean ok = !expertEnd.failed() && !learnerEnd.failed();
            out.println(ok ? "Call completed." : "Call failed: " + expertEnd.error().or(learnerEnd::error).map(CallError::message).orElse(""));
            return new Result(ok ? OK : CALL_FAILED, Optional.of(outcome.report()), Optional.of(outcome.charge()),
                    List.copyOf(relayEvents));
        }
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // a leftover temp file is not worth failing the demo for
        }
    }

    /** The session report and charge, as the relay's own settling built them from its stored events. */
    private void printReportAndCharge(Settled outcome, List<AttendanceEvent> relayEvents, Path file) {
        SessionReport r = outcome.report();
        out.println();
        out.printf(Locale.ROOT, "Session report (settled by the relay from the %d attendance events it stored in %s):%n",
                relayEvents.size(), file.getFileName());
        for (SessionReport.ParticipantAttendance p : List.of(r.expert(), r.learner())) {
            out.printf(Locale.ROOT, "  %-8s %s%n", p.role().code(), p.showed()
                    ? String.format(Locale.ROOT, "showed: first joined %s UTC (%s after the booked start), present %s in %d stay(s)",
                            CLOCK.format(p.firstJoin().get()), seconds(p.lateBy()), seconds(p.presence()), p.stays())
                    : "did not show");
        }
        relayEvents.stream().filter(AttendanceEvent.ParticipantLeft.class::isInstance).map(AttendanceEvent.ParticipantLeft.class::cast)
                .filter(l -> l.reason() == DepartureReason.HUNG_UP).findFirst()
                .ifPresent(l -> out.printf(Locale.ROOT, "  ended: the %s hung up at %s UTC%n",
                        l.participant().equals(r.expert().participant()) ? "expert" : "learner", CLOCK.format(l.at())));
        out.printf(Locale.ROOT, "  first arrival: %s; the other kept them waiting %s after the booked start%n",
                r.firstArrival().map(role -> role.code()).orElse("-"), seconds(r.firstArrivalWaited()));
        out.printf(Locale.ROOT, "  both present %s; media both ways %s; one-way media %s; interruptions %d%n",
                seconds(r.bothPresent()), seconds(r.mediaBothWays()), seconds(r.oneWayMedia()), r.interruptions());
        out.printf(Locale.ROOT, "  outcome: %s (%s)%n", r.outcome(), r.outcomeReason());
        out.printf(Locale.ROOT, "  quality: %s (%s); via TURN %s, direct %s%n", r.quality().verdict(), r.quality().verdictReason(),
                seconds(r.quality().relayedTime()), seconds(r.quality().directTime()));
        out.println();
        out.println("Charge (" + BILLING + "):");
        outcome.charge().describe().lines().forEach(line -> out.println("  " + line.stripTrailing()));
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private void arriveOneAfterTheOther(Side first, DuetCall firstCall, Side second, DuetCall secondCall,
            ScheduledExecutorService ticker) {
        note(first.name + " opens the session");
        firstCall.start();
        ticker.schedule(() -> {
            note(second.name + " opens the session, 3 s later");
            secondCall.start();
        }, 3, TimeUnit.SECONDS);
    }

    private void progress(Side expert, Side learner) {
        out.printf(Locale.ROOT, "  [%4.1fs] expert %-16s learner %-16s media expert->learner %-11s learner->expert %s%n",
                seconds(Instant.now()), expert.state, learner.state, learner.inbound(), expert.inbound());
    }

    private void printTimeline(Booking booking, List<AttendanceEvent> relayEvents, Side expert, Side learner) {
        out.println();
        out.println("Timeline (seconds since the demo started; arrivals by the relay's clock):");
        List<AttendanceEvent.ParticipantJoined> arrivals = relayEvents.stream().filter(AttendanceEvent.ParticipantJoined.class::isInstance)
                .map(AttendanceEvent.ParticipantJoined.class::cast).sorted(Comparator.comparing(AttendanceEvent::at)).toList();
        for (AttendanceEvent.ParticipantJoined j : arrivals) {
            timeline.add(new Line(j.at(), role(booking, j) + " arrived at the relay ("
                    + CLOCK.format(j.at()) + " UTC, " + (j.at().isBefore(booking.start()) ? "before" : "after")
                    + " the booked start)"));
        }
        if (arrivals.size() >= 2) {
            AttendanceEvent.ParticipantJoined first = arrivals.get(0);
            AttendanceEvent.ParticipantJoined second = arrivals.get(1);
            timeline.add(new Line(second.at(), role(booking, first) + " waited "
                    + String.format(Locale.ROOT, "%.1f", Duration.between(first.at(), second.at()).toMillis() / 1000.0)
                    + " s for the " + role(booking, second)));
        }
        for (Side side : List.of(expert, learner)) {
            side.firstFlow.forEach((what, at) -> timeline.add(new Line(at, what)));
        }
        printLines();
    }

    private static String role(Booking booking, AttendanceEvent.ParticipantJoined arrival) {
        return booking.participant(arrival.participant()).map(p -> p.role().name().toLowerCase(Locale.ROOT)).orElse("stranger");
    }

    private void printLines() {
        timeline.stream().sorted(Comparator.comparing(Line::at))
                .forEach(l -> out.printf(Locale.ROOT, "  %6.2f  %s%n", seconds(l.at()), l.text()));
    }

    private double seconds(Instant at) {
        return Duration.between(started, at).toMillis() / 1000.0;
    }

    void note(String text) {
        timeline.add(new Line(Instant.now(), text));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** One participant's view, filled by its call's listener (on the call's thread). */
    private static final class Side implements CallListener {
        final String name;
        final CallDemo demo;
        final CompletableFuture<Void> twoWay = new CompletableFuture<>();
        final CompletableFuture<String> chat = new CompletableFuture<>();
        final Map<String, Instant> firstFlow = new ConcurrentHashMap<>();
        volatile NegotiationState state = NegotiationState.IDLE;
        volatile MediaReport last;

        Side(String name, CallDemo demo) {
            this.name = name;
            this.demo = demo;
        }

        String inbound() {
            MediaReport r = last;
            if (r == null) {
                return "-";
            }
            List<String> kinds = new ArrayList<>(2);
            for (MediaKind kind : MediaKind.values()) {
                if (flows(r, MediaDirection.INBOUND, kind)) {
                    kinds.add(kind.code());
                }
            }
            return kinds.isEmpty() ? "none" : String.join("+", kinds);
        }

        private static boolean flows(MediaReport r, MediaDirection d, MediaKind k) {
            return r.streams().stream().anyMatch(s -> s.direction() == d && s.kind() == k && s.flowing());
        }

        @Override
        public void onStateChanged(NegotiationState from, NegotiationState to, String why) {
            state = to;
            if (to == NegotiationState.PREPARING || to == NegotiationState.CONNECTED || to == NegotiationState.CLOSED) {
                demo.note(name + ": " + to.code() + " (" + why + ")");
            }
        }

        @Override
        public void onOffer(boolean local, boolean iceRestart) {
            if (local) {
                demo.note(name + " made the " + (iceRestart ? "ICE-restart " : "") + "offer");
            }
        }

        @Override
        public void onFirstRemoteVideoFrame(int width, int height) {
            demo.note(name + " decoded the first remote video frame (" + width + "x" + height + ")");
        }

        @Override
        public void onMediaReport(MediaReport report) {
            last = report;
            Instant now = Instant.now();
            String peer = name.equals("expert") ? "learner" : "expert";
            for (MediaKind kind : MediaKind.values()) {
                if (flows(report, MediaDirection.INBOUND, kind)) {
                    firstFlow.putIfAbsent(kind.code() + " flowing " + peer + " -> " + name + " (" + name + "'s stats)", now);
                }
            }
            if (flows(report, MediaDirection.INBOUND, MediaKind.AUDIO) && flows(report, MediaDirection.INBOUND, MediaKind.VIDEO)
                    && flows(report, MediaDirection.OUTBOUND, MediaKind.AUDIO) && flows(report, MediaDirection.OUTBOUND, MediaKind.VIDEO)) {
                twoWay.complete(null);
            }
        }

        @Override
        public void onChat(ParticipantId from, Instant relayedAt, String text) {
            demo.note(name + " got chat: \"" + text + "\"");
            chat.complete(text);
        }

        @Override
        public void onError(CallError error) {
            demo.note(name + " error " + error.kind() + ": " + error.message());
        }

        @Override
        public void onEnded(CallEnd end) {
            demo.note(name + "'s call ended: " + end.reason());
        }
    }
}
