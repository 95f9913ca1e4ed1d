package dev.duet.billingexample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.attendance.JsonLinesAttendanceStore;
import dev.duet.attendance.OutcomeJson;
import dev.duet.attendance.SessionOutcomes;
import dev.duet.core.Booking;
import dev.duet.core.Participant;
import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceRules;
import dev.duet.core.attendance.BillingPolicy;
import dev.duet.core.attendance.Charge;
import dev.duet.core.attendance.Money;
import dev.duet.core.attendance.SessionReport;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A billing backend with only duet-core and duet-attendance: it settles a session from the event
 * file a relay stored, with no relay and no network or native library on its class path.
 *
 * <p>The stored session (src/test/resources/s-billing.jsonl), booked 10:00 to 10:30 (room open
 * from 09:50): the expert joins at 09:59:00, the learner at 10:02:00; both report audio and video
 * flowing both ways every 5 s from 10:02:05 to 10:27:00; the learner hangs up at 10:27:00, the
 * expert leaves at 10:27:01, the relay closes the session at 10:27:05. By hand: the expert was
 * present 28 min 1 s, the learner 25 min; both 25 min, with media both ways all along; at EUR 60
 * an hour per started minute, 25 minutes cost EUR 25.00; 25 of 30 booked minutes is more than the
 * 80 % the default rules ask, so the session completed (and no one "ended it early").
 */
class BillingBackendTest {
    @TempDir
    Path dir;

    @Test
    void nothingOfTheRelayTheNetworkOrWebRtcIsOnTheClassPath() {
        for (String absent : List.of("dev.duet.signaling.server.RelayServer", "dev.duet.signaling.client.relay.RelayTransport",
                "org.eclipse.jetty.server.Server", "redis.clients.jedis.Jedis", "okhttp3.OkHttpClient",
                "dev.onvoid.webrtc.RTCPeerConnection", "dev.duet.webrtc.DuetCall")) {
            assertThatThrownBy(() -> Class.forName(absent)).as(absent).isInstanceOf(ClassNotFoundException.class);
        }
    }

    @Test
    void aStoredSessionSettlesIntoTheHandComputedReportAndCharge() throws Exception {
        Path file = dir.resolve("attendance.jsonl");
        try (InputStream stored = getClass().getResourceAsStream("/s-billing.jsonl")) {
            Files.copy(stored, file);
        }
        SessionId session = SessionId.of("s-billing");
        Booking booking = new Booking(session, Participant.expert("expert-ada", "Ada"), Participant.learner("learner-bo", "Bo"),
                Instant.parse("2026-11-24T10:00:00Z"), Duration.ofMinutes(30), Duration.ofMinutes(10), Duration.ofMinutes(10));
        CompletableFuture<SessionReport> reported = new CompletableFuture<>();
        CompletableFuture<Charge> charged = new CompletableFuture<>();
        try (JsonLinesAttendanceStore store = JsonLinesAttendanceStore.open(file)) {
            assertThat(store.events(session)).hasSize(605);
            SessionOutcomes outcomes = new SessionOutcomes(store, id -> id.equals(session) ? Optional.of(booking) : Optional.empty(),
                    AttendanceRules.defaults(), BillingPolicy.perMinute(Money.of("EUR", "60.00")),
                    List.of((report, charge) -> {
                        reported.complete(report);
                        charged.complete(charge);
                    }), Runnable::run);
            outcomes.settle(session);
        }
        SessionReport report = reported.get(5, TimeUnit.SECONDS);
        Charge charge = charged.get(5, TimeUnit.SECONDS);
        assertThat(report.expert().presence()).isEqualTo(Duration.ofMinutes(28).plusSeconds(1));
        assertThat(report.learner().presence()).isEqualTo(Duration.ofMinutes(25));
        assertThat(report.bothPresent()).isEqualTo(Duration.ofMinutes(25));
        assertThat(report.mediaBothWays()).isEqualTo(Duration.ofMinutes(25));
        assertThat(report.outcome()).isEqualTo(SessionReport.Outcome.COMPLETED);
        assertThat(charge.total()).isEqualTo(Money.of("EUR", "25.00"));
        assertThat(OutcomeJson.encode(report, charge)).contains("\"session\":\"s-billing\"").contains("\"endedEarlyBy\":null");
    }
}
