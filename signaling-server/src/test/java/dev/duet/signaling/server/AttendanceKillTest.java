package dev.duet.signaling.server;

import dev.duet.testing.Await;

import dev.duet.core.MediaKind;
import dev.duet.core.MediaDirection;
import dev.duet.attendance.JsonLinesAttendanceStore;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.attendance.SessionReport;
import dev.duet.core.ConnectionId;
import dev.duet.core.Epoch;
import dev.duet.testing.ProcessOutput;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.StreamReport;
import dev.duet.signaling.client.wire.Frame;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay process writing attendance to a JSON-lines file is killed with SIGKILL in the middle of a
 * stream of media reports: no report it acknowledged is missing afterwards, and the report computed
 * after a restart (which also has to cope with a torn last line) is the one computed before it.
 */
class AttendanceKillTest {
    @TempDir
    Path dir;


    @Test
    void noAcknowledgedEventIsLostWhenTheRelayIsKilledAndReplayGivesTheSameReport() throws Exception {
        Path file = dir.resolve("attendance.jsonl");
        Booking booking = TestSession.startingNow("kill-");
        JoinTicketIssuer issuer = TestSession.ISSUER;

        Process relay = startRelay(file);
        ConnectionId learnerConnection = null;
        Instant killedAt = null;
        long acknowledged = 0;
        int sent = 0;
        try {
            int port = RelayProcess.awaitPort(relay);
            URI uri = URI.create("ws://127.0.0.1:" + port + "/v1/sessions/" + booking.sessionId().value());
            try (RawClient expert = new RawClient(uri); RawClient learner = new RawClient(uri)) {
                expert.send(new Frame.Join(issuer.issue(booking, TestSession.EXPERT, Instant.now()), "kill-expert", 0));
                expert.next(Frame.JoinAccepted.class);
                learner.send(new Frame.Join(issuer.issue(booking, TestSession.LEARNER, Instant.now()), "kill-learner", 0));
                learnerConnection = learner.next(Frame.JoinAccepted.class).self().connection();
                // 60 reports, each waiting for its acknowledgement, then 30 fired without waiting and the kill.
                for (sent = 1; sent <= 60; sent++) {
                    expert.send(new Frame.Send(sent, report(sent)));
                    acknowledged = nextAccepted(expert);
                }
                for (; sent <= 90; sent++) {
                    expert.send(new Frame.Send(sent, report(sent)));
                }
                awaitAliveMark(file, learnerConnection);
                killedAt = Instant.now();
                relay.destroyForcibly(); // SIGKILL: no flush, no shutdown hook
                assertThat(relay.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                acknowledged = Math.max(acknowledged, drainAccepted(expert));
            }
        } finally {
            relay.destroyForcibly();
        }

        Set<Integer> stored = reportNumbers(booking.sessionId(), file);
        for (int i = 1; i <= acknowledged; i++) {
            assertThat(stored).as("acknowledged report %d of %d (sent %d)", i, acknowledged, sent - 1).contains(i);
        }
        SessionReport before = RelayProcess.report(booking, file);
        assertThat(before.expert().showed()).isTrue();
        assertThat(before.learner().showed()).isTrue();
        // The dead relay recorded no departure: presence ends at its last mark (every 5 s), not at the
        // window's end (the booked hour plus 15 minutes of grace away).
        Instant kill = killedAt;
        assertThat(before.learner().lastLeave()).as("the learner's presence ends before the kill at %s", kill)
                .hasValueSatisfying(t -> assertThat(t).isBeforeOrEqualTo(kill).isAfter(kill.minusSeconds(30)));
        assertThat(before.learner().presence()).isLessThan(Duration.ofMinutes(1));

        // As if the crash had torn the line being written: the restarted relay must cope.
        Files.writeString(file, "{\"v\":1,\"id\":\"torn", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Process again = startRelay(file);
        try {
            ProcessOutput.awaitLine(again, Pattern.compile("listening on"), Duration.ofSeconds(30));
        } finally {
            ProcessOutput.stop(again);
        }
        assertThat(Files.readString(file)).doesNotContain("\"torn");
        assertThat(reportNumbers(booking.sessionId(), file)).isEqualTo(stored);
        assertThat(RelayProcess.report(booking, file)).as("the report replayed after the restart").isEqualTo(before);
    }

    /** Waits, at most 15 s, until the relay has marked {@code connection} alive in the file (it does every 5 s). */
    private static void awaitAliveMark(Path file, ConnectionId connection) throws Exception {
        Await.until(() -> {
            try {
                return Files.readString(file).lines().anyMatch(l -> l.contains("\"type\":\"alive\"")
                        && l.contains("\"" + connection.value() + "\""));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, Duration.ofSeconds(15), "an alive mark for " + connection);
    }

    private Process startRelay(Path file) throws Exception {
        return RelayProcess.launch("--port", "0", "--attendance", file.toString());
    }

    /** Report number {@code n} carries loss n/100000 in its one stream, so the stored event says which it was. */
    private static MediaReport report(int n) {
        return new MediaReport(Epoch.of(ConnectionId.of("c1"), ConnectionId.of("c2")), Instant.now(), false, List.of(
                new StreamReport(MediaDirection.INBOUND, MediaKind.AUDIO, true, 32, n / 100_000.0,
                        java.util.OptionalDouble.empty(), java.util.OptionalDouble.empty(), java.util.OptionalDouble.empty(),
                        java.util.OptionalInt.empty(), java.util.OptionalInt.empty())));
    }

    private static long nextAccepted(RawClient client) {
        while (true) {
            Frame frame = client.next();
            if (frame instanceof Frame.Accepted accepted) {
                return accepted.seq();
            }
        }
    }

    /** Acknowledgements that were already on their way when the relay died. */
    private static long drainAccepted(RawClient client) {
        long max = 0;
        try {
            while (true) {
                Frame frame = client.next(Frame.class, Duration.ofMillis(500));
                if (frame instanceof Frame.Accepted accepted) {
                    max = Math.max(max, accepted.seq());
                }
            }
        } catch (AssertionError nothingMore) {
            return max;
        }
    }

    private static Set<Integer> reportNumbers(SessionId session, Path file) {
        try (JsonLinesAttendanceStore store = JsonLinesAttendanceStore.open(file)) {
            Set<Integer> numbers = new TreeSet<>();
            for (AttendanceEvent e : store.events(session)) {
                if (e instanceof AttendanceEvent.MediaReported m) {
                    numbers.add((int) Math.round(m.flows().get(0).lossRatio() * 100_000));
                }
            }
            return numbers;
        }
    }
}
