package dev.duet.signaling.server;

import static dev.duet.signaling.server.TestSession.BOOKING;
import static dev.duet.signaling.server.TestSession.EXPERT;
import static dev.duet.signaling.server.TestSession.KEY;
import static dev.duet.signaling.server.TestSession.LEARNER;
import static dev.duet.signaling.server.TestSession.SESSION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.Booking;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.attendance.BillingPolicy;
import dev.duet.core.attendance.Charge;
import dev.duet.core.attendance.Money;
import dev.duet.core.attendance.SessionReport;
import dev.duet.signaling.client.CloseCode;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.turn.RestTurnCredentials;
import dev.duet.turn.TurnSecret;
import dev.duet.turn.TurnServerAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-object backend API: join details a real relay accepts, typed refusals, settling, secrets kept out of text. */
class DuetServerTest {
    private static final BillingPolicy BILLING = BillingPolicy.perMinute(Money.of("EUR", "60.00"));
    private static final TurnServerAddress TURN_SERVER = TurnServerAddress.of("10.77.0.1", 3478);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestSession.SettableClock clock = new TestSession.SettableClock();
    private final RestTurnCredentials turn = new RestTurnCredentials(
            List.of(TurnSecret.of("t1", "turn-secret-that-is-long-enough-0123456789")), TURN_SERVER, Duration.ofHours(2));

    @TempDir
    Path dir;

    private DuetServer.Builder builder() {
        return DuetServer.builder(KEY).clock(clock).attendanceFile(dir.resolve("attendance.jsonl")).billing(BILLING);
    }

    @Test
    void joinDetailsLetBothInAndTheSessionSettlesItself() throws Exception {
        CompletableFuture<SessionReport> settled = new CompletableFuture<>();
        try (DuetServer duet = builder().settleGrace(Duration.ZERO).turn(turn, TURN_SERVER)
                .onOutcome((SessionReport report, Charge charge) -> settled.complete(report)).start()) {
            duet.book(BOOKING);
            JoinDetails expert = duet.join(SESSION, EXPERT);
            JoinDetails learner = duet.join(SESSION, LEARNER);
            assertThat(expert.relayUrl()).isEqualTo(URI.create("ws://127.0.0.1:" + duet.port() + "/v1/sessions/s-42"));

            RawClient e = new RawClient(expert.relayUrl());
            RawClient l = new RawClient(learner.relayUrl());
            try {
                e.send(new Frame.Join(expert.ticket(), "expert-client", 0));
                assertThat(e.next(Frame.JoinAccepted.class).self().participant()).isEqualTo(EXPERT);
                l.send(new Frame.Join(learner.ticket(), "learner-client", 0));
                assertThat(l.next(Frame.JoinAccepted.class).peer()).isPresent();
                e.next(Frame.PeerJoined.class);
                clock.set(BOOKING.start().plusSeconds(300)); // five minutes into the lesson
                e.send(new Frame.Leave("lesson over", true));
                l.send(new Frame.Leave("the expert hung up"));
                SessionReport report = settled.get(10, TimeUnit.SECONDS);
                assertThat(report.session()).isEqualTo(SESSION);
                assertThat(report.expert().showed()).isTrue();
                assertThat(report.learner().showed()).isTrue();
                assertThat(report.bothPresent()).isEqualTo(Duration.ofMinutes(7));
            } finally {
                e.close();
                l.close();
            }
            assertThatThrownBy(() -> duet.join(SESSION, LEARNER)).isInstanceOfSatisfying(JoinUnavailableException.class,
                    x -> assertThat(x.reason()).isEqualTo(JoinUnavailableException.Reason.SESSION_OVER));
        }
        assertThat(Files.readAllLines(dir.resolve("attendance.jsonl"))).as("the events were stored").hasSizeGreaterThanOrEqualTo(4);
    }

    @Test
    void aRevokedTicketIsRefusedAndItsConnectionClosedAReplacementGetsInAndTheRevocationSurvivesARestart() throws Exception {
        String revoked;
        String replacement;
        try (DuetServer duet = builder().start()) {
            duet.book(BOOKING);
            JoinDetails first = duet.join(SESSION, LEARNER);
            assertThat(duet.join(SESSION, LEARNER).ticket()).as("the same ticket, as a leaked copy would be").isEqualTo(first.ticket());
            RawClient learner = new RawClient(first.relayUrl());
            RawClient copy = new RawClient(first.relayUrl());
            RawClient again = new RawClient(first.relayUrl());
            try {
                learner.send(new Frame.Join(first.ticket(), "learner-client-1", 0));
                learner.next(Frame.JoinAccepted.class);

                assertThat(duet.revokeTickets(SESSION, LEARNER)).as("connections closed").isEqualTo(1);
                assertThat(learner.next(Frame.Refused.class).message()).contains("revoked");
                assertThat(learner.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.TICKET_INVALID.code());
                copy.send(new Frame.Join(first.ticket(), "copy-client-1", 0));
                assertThat(copy.next(Frame.Refused.class).code()).isEqualTo(CloseCode.TICKET_INVALID.code());

                JoinDetails second = duet.join(SESSION, LEARNER);
                assertThat(second.ticket()).isNotEqualTo(first.ticket());
                assertThat(second.ticketExpiresAt()).isAfter(first.ticketExpiresAt());
                again.send(new Frame.Join(second.ticket(), "learner-client-2", 0));
                again.next(Frame.JoinAccepted.class);
                revoked = first.ticket();
                replacement = second.ticket();
            } finally {
                learner.close();
                copy.close();
                again.close();
            }
        }
        assertThat(dir.resolve("attendance.jsonl.revoked")).as("kept next to the attendance file").exists();
        try (DuetServer restarted = builder().start()) {
            restarted.book(BOOKING);
            RawClient old = new RawClient(restarted.relayUrl(SESSION));
            RawClient fresh = new RawClient(restarted.relayUrl(SESSION));
            try {
                old.send(new Frame.Join(revoked, "learner-client-3", 0));
                assertThat(old.next(Frame.Refused.class).code()).as("still revoked after the restart")
                        .isEqualTo(CloseCode.TICKET_INVALID.code());
                fresh.send(new Frame.Join(replacement, "learner-client-4", 0));
                fresh.next(Frame.JoinAccepted.class);
                assertThat(restarted.join(SESSION, LEARNER).ticket()).as("the replacement is handed out again")
                        .isEqualTo(replacement);
            } finally {
                old.close();
                fresh.close();
            }
        }
    }

    @Test
    void theJsonIsWhatDuetWebTakesWithTurnFirstAndSecretsStayOutOfText() throws Exception {
        try (DuetServer duet = builder().turn(turn, TURN_SERVER).publicUrl(URI.create("wss://calls.example.test/duet")).start()) {
            duet.book(BOOKING);
            JoinDetails details = duet.join(SESSION, LEARNER);
            JsonNode json = JSON.readTree(details.toJson());
            assertThat(json.get("url").asText()).isEqualTo("wss://calls.example.test/duet/v1/sessions/s-42");
            assertThat(json.get("ticket").asText()).isEqualTo(details.ticket()).startsWith("duet1.");
            assertThat(json.get("iceTransportPolicy").asText()).isEqualTo("all");
            assertThat(json.get("iceServers").get(0).get("urls").get(0).asText()).startsWith("turn:10.77.0.1:3478");
            String password = json.get("iceServers").get(0).get("credential").asText();
            assertThat(turn.accepts(json.get("iceServers").get(0).get("username").asText(), password, clock.instant())).isTrue();
            assertThat(json.get("iceServers").get(1).get("urls").get(0).asText()).isEqualTo("stun:10.77.0.1:3478");
            assertThat(details.toString()).doesNotContain(details.ticket()).doesNotContain(password).contains("redacted");
            assertThat(details.ticketExpiresAt()).isAfter(clock.instant());
            assertThat(duet.toString()).doesNotContain(password);
        }
    }

    @Test
    void relayOnlyHandsOutTheRelayPolicy() throws Exception {
        try (DuetServer duet = builder().turn(turn, TURN_SERVER).relayOnly(true).start()) {
            duet.book(BOOKING);
            assertThat(JSON.readTree(duet.join(SESSION, EXPERT).toJson()).get("iceTransportPolicy").asText()).isEqualTo("relay");
        }
    }

    @Test
    void withoutTurnTheListIsEmpty() throws Exception {
        try (DuetServer duet = builder().start()) {
            duet.book(BOOKING);
            assertThat(JSON.readTree(duet.join(SESSION, EXPERT).toJson()).get("iceServers")).isEmpty();
        }
    }

    @Test
    void refusalsAreTypedAndSayWhatWasExpected() throws Exception {
        try (DuetServer duet = builder().start()) {
            assertThatThrownBy(() -> duet.join(SessionId.of("nope"), EXPERT)).isInstanceOfSatisfying(
                    JoinUnavailableException.class, x -> assertThat(x.reason()).isEqualTo(JoinUnavailableException.Reason.UNKNOWN_SESSION))
                    .hasMessageContaining("nope");
            duet.book(BOOKING);
            duet.book(BOOKING); // the same booking again: nothing happens
            assertThatThrownBy(() -> duet.join(SESSION, ParticipantId.of("mallory"))).isInstanceOfSatisfying(
                    JoinUnavailableException.class, x -> assertThat(x.reason()).isEqualTo(JoinUnavailableException.Reason.NOT_A_PARTICIPANT))
                    .hasMessageContaining("expected its expert or its learner");
            Booking other = new Booking(SESSION, BOOKING.expert(), BOOKING.learner(), BOOKING.start().plusSeconds(60),
                    BOOKING.duration(), BOOKING.openBefore(), BOOKING.graceAfter());
            assertThatThrownBy(() -> duet.book(other)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("already booked differently");
            clock.set(BOOKING.closesAt());
            assertThatThrownBy(() -> duet.join(SESSION, EXPERT)).isInstanceOfSatisfying(JoinUnavailableException.class,
                    x -> assertThat(x.reason()).isEqualTo(JoinUnavailableException.Reason.SESSION_OVER));
        }
    }

    @Test
    void aBookingIsForgottenADayAfterItsWindowClosedSoALongRunningServerDoesNotKeepThemAll() throws Exception {
        try (DuetServer duet = builder().start()) {
            duet.book(BOOKING);
            clock.set(BOOKING.closesAt().plus(DuetServer.RETENTION).minusSeconds(1));
            Booking later = Booking.builder(SessionId.of("s-43")).expert(BOOKING.expert()).learner(BOOKING.learner())
                    .start(clock.instant().plusSeconds(3600)).duration(Duration.ofHours(1)).build();
            duet.book(later);
            assertThat(duet.booking(SESSION)).as("kept for a day after its close").isPresent();
            clock.set(BOOKING.closesAt().plus(DuetServer.RETENTION).plusSeconds(61));
            duet.book(later); // the same booking again: nothing new, but old ones are forgotten
            assertThat(duet.booking(SESSION)).isEmpty();
            assertThat(duet.booking(later.sessionId())).isPresent();
            assertThatThrownBy(() -> duet.join(SESSION, EXPERT)).isInstanceOfSatisfying(JoinUnavailableException.class,
                    x -> assertThat(x.reason()).isEqualTo(JoinUnavailableException.Reason.UNKNOWN_SESSION));
        }
    }

    @Test
    void aTicketFromBeforeTheRoomOpensIsRefusedWithTheOpeningTime() throws Exception {
        clock.set(BOOKING.opensAt().minusSeconds(600));
        try (DuetServer duet = builder().start()) {
            duet.book(BOOKING);
            RawClient early = new RawClient(duet.join(SESSION, LEARNER).relayUrl());
            try {
                early.send(new Frame.Join(duet.join(SESSION, LEARNER).ticket(), "learner-client", 0));
                Frame.Refused refused = early.next(Frame.Refused.class);
                assertThat(refused.code()).isEqualTo(CloseCode.TOO_EARLY.code());
                assertThat(refused.opensAt()).contains(BOOKING.opensAt());
            } finally {
                early.close();
            }
        }
    }

    @Test
    void startSaysWhatIsMissing() {
        assertThatThrownBy(() -> DuetServer.builder(KEY).billing(BILLING).start()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("attendanceFile(Path)");
        assertThatThrownBy(() -> DuetServer.builder(KEY).attendanceFile(dir.resolve("a.jsonl")).start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("billing(BillingPolicy)");
        assertThatThrownBy(() -> builder().relayOnly(true).start()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("turn(provider, server)");
        assertThatThrownBy(() -> builder().host("0.0.0.0").start()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("publicUrl(URI)");
        assertThatThrownBy(() -> builder().port(70_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 to 65535");
        assertThatThrownBy(() -> builder().publicUrl(URI.create("http://x.test"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ws://");
        assertThatThrownBy(() -> builder().previousTicketKeys(List.of(KEY))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("distinct key ids");
    }
}
