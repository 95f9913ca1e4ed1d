package dev.duet.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.attendance.JsonLinesAttendanceStore;
import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.attendance.SessionReport;
import dev.duet.signaling.client.JoinResult;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.testing.ProcessOutput;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay without a shared store is killed with SIGKILL in the middle of a call and started again
 * on the same port: both of Duet's clients resume (docs/protocol.md §7.1). Every message sent before,
 * during and after the outage arrives once and in order, the clients keep their connection ids (so
 * the negotiation epoch, and the media, go on: neither listener hears of a rejoin or a departure),
 * and the attendance record shows each participant present once, without a break.
 */
class RelayRestartTest {
    @TempDir
    Path dir;

    private final ExecutorService expertThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "expert-session"));
    private final ExecutorService learnerThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "learner-session"));
    private final List<Process> relays = new ArrayList<>();

    @AfterEach
    void stop() {
        relays.forEach(ProcessOutput::stop);
        expertThread.shutdownNow();
        learnerThread.shutdownNow();
    }

    @Test
    void bothClientsResumeAfterTheRelayIsKilledAndRestartedNothingLostNothingTwiceNoFalseDeparture() throws Exception {
        Path file = dir.resolve("attendance.jsonl");
        Booking booking = TestSession.startingNow("restart-");
        JoinTicketIssuer issuer = TestSession.ISSUER;

        Process relay = startRelay(file, 0);
        int port = RelayProcess.awaitPort(relay);
        URI uri = URI.create("ws://127.0.0.1:" + port + "/v1/sessions/" + booking.sessionId().value());
        RecordingListener expertEvents = new RecordingListener("expert-session");
        RecordingListener learnerEvents = new RecordingListener("learner-session");
        Instant learnerJoined;
        Instant learnerLeft;
        try (SignalingTransport expert = RelayTransport.webSocket(uri,
                TicketSource.of(issuer.issue(booking, TestSession.EXPERT, Instant.now())), expertThread);
                SignalingTransport learner = RelayTransport.webSocket(uri,
                        TicketSource.of(issuer.issue(booking, TestSession.LEARNER, Instant.now())), learnerThread)) {
            JoinResult e = expert.join(expertEvents).get(10, TimeUnit.SECONDS);
            JoinResult l = learner.join(learnerEvents).get(10, TimeUnit.SECONDS);
            learnerJoined = l.self().arrivedAt();
            assertThat(RecordingListener.take(expertEvents.presence, 5)).isEqualTo(l.self());

            Conversation.sendBothWays(expert, learner, 1, 10).get(20, TimeUnit.SECONDS);
            // Delivered before the kill: a relay without Redis loses what it had accepted and not yet
            // delivered (docs/protocol.md §7.1); this test is about everything else.
            Conversation.expectBothWays(expertEvents, learnerEvents, 1, 10);
            awaitAlive(file, e, l);

            relay.destroyForcibly(); // SIGKILL: the relay's state of the session is gone
            assertThat(relay.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(RecordingListener.take(expertEvents.lifecycle, 10)).isEqualTo("disconnected");
            assertThat(RecordingListener.take(learnerEvents.lifecycle, 10)).isEqualTo("disconnected");
            // Sent while no relay runs: kept, renumbered for the new relay, delivered once.
            CompletableFuture<Void> duringOutage = Conversation.sendBothWays(expert, learner, 11, 15);

            Process again = startRelay(file, port);
            ProcessOutput.awaitLine(again, Pattern.compile("listening on"), Duration.ofSeconds(30));
            duringOutage.get(60, TimeUnit.SECONDS);
            Conversation.expectBothWays(expertEvents, learnerEvents, 11, 15);
            Conversation.sendBothWays(expert, learner, 16, 20).get(20, TimeUnit.SECONDS);
            Conversation.expectBothWays(expertEvents, learnerEvents, 16, 20);

            // The epoch goes on: neither side heard of a departure, a new peer connection or its own rejoin.
            assertThat(expertEvents.presence).as("expert's presence events after the restart").isEmpty();
            assertThat(learnerEvents.presence).as("learner's presence events after the restart").isEmpty();
            assertThat(expertEvents.lifecycle).as("expert's lifecycle events after the restart").isEmpty();
            assertThat(learnerEvents.lifecycle).as("learner's lifecycle events after the restart").isEmpty();
            assertThat(expertEvents.messages).isEmpty();
            assertThat(learnerEvents.messages).isEmpty();

            learner.leave("lesson over").get(10, TimeUnit.SECONDS);
            learnerLeft = Instant.now();
            expert.leave("lesson over").get(10, TimeUnit.SECONDS);
        }

        // Each leave is recorded as the relay closes the connection: wait for both departures.
        dev.duet.testing.Await.until(() -> departures(booking, file) == 2, Duration.ofSeconds(10), "both departures recorded");
        SessionReport report = RelayProcess.report(booking, file);
        for (SessionReport.ParticipantAttendance who : List.of(report.expert(), report.learner())) {
            assertThat(who.stays()).as("%s's stays across the relay's restart", who.participant()).isEqualTo(1);
        }
        assertThat(report.learner().presence()).as("the learner's presence, joined to left, through the outage")
                .isGreaterThanOrEqualTo(Duration.between(learnerJoined, learnerLeft).minusSeconds(1));
    }

    private static long departures(Booking booking, Path file) {
        try (JsonLinesAttendanceStore store = JsonLinesAttendanceStore.open(file)) {
            return store.events(booking.sessionId()).stream().filter(AttendanceEvent.ParticipantLeft.class::isInstance).count();
        }
    }

    @Test
    void aSessionClosedBeforeTheRelayRestartedStaysClosedAfterIt() throws Exception {
        Path file = dir.resolve("attendance.jsonl");
        Booking booking = TestSession.startingNow("closed-");
        JoinTicketIssuer issuer = TestSession.ISSUER;
        String learnerTicket = issuer.issue(booking, TestSession.LEARNER, Instant.now()); // valid for the whole window

        Process relay = startRelay(file, 0, "--settle-grace", "0");
        int port = RelayProcess.awaitPort(relay);
        URI uri = URI.create("ws://127.0.0.1:" + port + "/v1/sessions/" + booking.sessionId().value());
        try (RawClient expert = new RawClient(uri); RawClient learner = new RawClient(uri)) {
            expert.send(new dev.duet.signaling.client.wire.Frame.Join(issuer.issue(booking, TestSession.EXPERT, Instant.now()),
                    "closed-expert", 0));
            expert.next(dev.duet.signaling.client.wire.Frame.JoinAccepted.class);
            learner.send(new dev.duet.signaling.client.wire.Frame.Join(learnerTicket, "closed-learner", 0));
            learner.next(dev.duet.signaling.client.wire.Frame.JoinAccepted.class);
            expert.send(new dev.duet.signaling.client.wire.Frame.Leave("lesson over", true)); // a hang-up ends it for both
            learner.send(new dev.duet.signaling.client.wire.Frame.Leave("lesson over"));
        }
        dev.duet.testing.Await.until(() -> closedOnRecord(booking, file), Duration.ofSeconds(15), "the session closed on the record");
        relay.destroyForcibly();
        assertThat(relay.waitFor(10, TimeUnit.SECONDS)).isTrue();

        Process again = startRelay(file, port);
        ProcessOutput.awaitLine(again, Pattern.compile("listening on"), Duration.ofSeconds(30));
        try (RawClient late = new RawClient(uri)) {
            late.send(new dev.duet.signaling.client.wire.Frame.Join(learnerTicket, "closed-learner-2", 0));
            assertThat(late.next(dev.duet.signaling.client.wire.Frame.Refused.class).code())
                    .isEqualTo(dev.duet.signaling.client.CloseCode.SESSION_CLOSED.code());
            assertThat(late.closeCode(Duration.ofSeconds(5))).isEqualTo(dev.duet.signaling.client.CloseCode.SESSION_CLOSED.code());
        }
    }

    private static boolean closedOnRecord(Booking booking, Path file) {
        try (JsonLinesAttendanceStore store = JsonLinesAttendanceStore.open(file)) {
            return store.events(booking.sessionId()).stream().anyMatch(AttendanceEvent.SessionClosed.class::isInstance);
        }
    }

    /** Waits until the relay has marked both connections alive (every 5 s), so that the record has a mark before the kill. */
    private static void awaitAlive(Path file, JoinResult expert, JoinResult learner) throws Exception {
        dev.duet.testing.Await.until(() -> {
            try {
                return java.nio.file.Files.readString(file).lines().anyMatch(line -> line.contains("\"type\":\"alive\"")
                        && line.contains(expert.self().connection().value()) && line.contains(learner.self().connection().value()));
            } catch (java.io.IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        }, Duration.ofSeconds(15), "an alive mark for both connections");
    }

    private Process startRelay(Path file, int port, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port), "--attendance", file.toString()));
        args.addAll(List.of(more));
        Process p = RelayProcess.launch(args.toArray(String[]::new));
        relays.add(p);
        return p;
    }
}
