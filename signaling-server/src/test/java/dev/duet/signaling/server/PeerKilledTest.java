package dev.duet.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.Booking;
import dev.duet.core.DepartureReason;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.attendance.AttendanceLedger;
import dev.duet.core.attendance.AttendanceRules;
import dev.duet.core.attendance.SessionReport;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.testing.ProcessOutput;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The learner's process is killed with SIGKILL in the middle of a session, while it reports media
 * every second: the expert and the relay see it leave within 10 s, and the report counts the
 * learner's presence and the media both ways up to that moment, not beyond it.
 */
class PeerKilledTest {

    @Test
    void aKilledPeerIsSeenGoneWithinTenSecondsAndCountedUpToItsDeath() throws Exception {
        List<AttendanceEvent> events = new CopyOnWriteArrayList<>();
        Booking booking = TestSession.startingNow("killed-");
        JoinTicketIssuer issuer = TestSession.ISSUER;
        ExecutorService expertThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "expert-session"));
        ScheduledExecutorService expertReports = Executors.newSingleThreadScheduledExecutor();
        Process learner = null;
        try (RelayServer relay = RelayServer.builder(TestSession.VERIFIER).eventSink(events::add).start();
                SignalingTransport expert = RelayTransport.webSocket(relay.sessionUri(booking.sessionId()),
                        TicketSource.of(issuer.issue(booking, TestSession.EXPERT, Instant.now())), expertThread)) {
            RecordingListener expertEvents = new RecordingListener("expert-session");
            expert.join(expertEvents).get(10, TimeUnit.SECONDS);
            expertReports.scheduleAtFixedRate(() -> expert.send(ReportingPeer.flowing(Instant.now(), Duration.ofSeconds(1))),
                    1, 1, TimeUnit.SECONDS);

            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ReportingPeer.class.getName(),
                    relay.sessionUri(booking.sessionId()).toString(), issuer.issue(booking, TestSession.LEARNER, Instant.now())));
            learner = new ProcessBuilder(command).redirectErrorStream(true).start();
            ProcessOutput.Watch output = ProcessOutput.watch(learner);
            output.await(Pattern.compile("^joined$"), Duration.ofSeconds(30));
            assertThat(RecordingListener.take(expertEvents.presence, 10)).isInstanceOf(dev.duet.signaling.client.Member.class);
            output.await(Pattern.compile("^reported 6$"), Duration.ofSeconds(30));

            Instant killedAt = Instant.now();
            learner.destroyForcibly(); // SIGKILL: no leave, no close handshake
            assertThat(learner.waitFor(10, TimeUnit.SECONDS)).isTrue();
            Object left = RecordingListener.take(expertEvents.presence, 10);
            Instant seenGone = Instant.now();
            assertThat(left).isInstanceOfSatisfying(RecordingListener.PeerLeft.class, l -> assertThat(l.reason())
                    .isIn(DepartureReason.CONNECTION_LOST, DepartureReason.IDLE));
            assertThat(Duration.between(killedAt, seenGone)).as("the expert saw the learner gone").isLessThan(Duration.ofSeconds(10));
            expertReports.shutdownNow();
            // The relay tells the peer before it records the departure (both right after it notices the
            // close): wait until the departure is on the record. Then the expert leaves too, so that its
            // stay on the record ends after the kill (a stay with no departure ends at the relay's last
            // "still alive" mark, which may come a few seconds before the kill).
            dev.duet.testing.Await.until(() -> events.stream().anyMatch(e -> e instanceof AttendanceEvent.ParticipantLeft l
                    && l.participant().equals(TestSession.LEARNER)), Duration.ofSeconds(5), "the learner's departure on the record");
            expert.leave("the learner is gone").get(5, TimeUnit.SECONDS);
            dev.duet.testing.Await.until(() -> events.stream().anyMatch(e -> e instanceof AttendanceEvent.ParticipantLeft l
                    && l.participant().equals(TestSession.EXPERT)), Duration.ofSeconds(5), "the expert's departure on the record");

            AttendanceLedger ledger = new AttendanceLedger(booking, AttendanceRules.defaults());
            ledger.addAll(events);
            SessionReport report = ledger.report();
            Instant learnerJoined = report.learner().firstJoin().orElseThrow();
            assertThat(report.learner().lastLeave()).as("the learner's departure on the record")
                    .hasValueSatisfying(t -> assertThat(t).isBetween(killedAt.minusSeconds(1), killedAt.plusSeconds(10)));
            assertThat(report.learner().presence()).isBetween(Duration.between(learnerJoined, killedAt).minusSeconds(1),
                    Duration.between(learnerJoined, killedAt).plusSeconds(10));
            // Six reports were accepted before the kill, each covering a second: media both ways for
            // about that long, up to the kill and not after it.
            assertThat(report.mediaBothWays()).as("media both ways").isBetween(Duration.ofSeconds(4),
                    Duration.between(learnerJoined, killedAt).plusSeconds(1));
            System.out.println("killed peer: seen gone after " + Duration.between(killedAt, seenGone).toMillis()
                    + " ms; presence " + report.learner().presence().toMillis() + " ms; media both ways "
                    + report.mediaBothWays().toMillis() + " ms");
        } finally {
            if (learner != null) {
                learner.destroyForcibly();
            }
            expertReports.shutdownNow();
            expertThread.shutdownNow();
        }
    }
}
