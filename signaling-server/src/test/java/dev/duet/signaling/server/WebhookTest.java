package dev.duet.signaling.server;

import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.WebhookSignature;
import dev.duet.attendance.WebhookSender;
import dev.duet.attendance.SessionOutcomes;
import dev.duet.attendance.JsonLinesAttendanceStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.duet.core.Booking;
import dev.duet.core.Participant;
import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceRules;
import dev.duet.core.attendance.BillingPolicy;
import dev.duet.core.attendance.Money;
import dev.duet.core.attendance.SessionReport;
import dev.duet.core.ConnectionId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server-side hook: report and charge when a session closes, to a listener and to a signed, retried webhook. */
class WebhookTest {
    private static final byte[] SECRET = "a-webhook-secret-of-at-least-32-bytes!".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private record Received(String body, String signature, String key) {}

    @Test
    void whenTheRelayClosesASessionTheAppGetsTheReportAndChargeAndASignedRetriedWebhook() throws Exception {
        // A receiver that fails twice, then accepts.
        BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        AtomicInteger calls = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hooks/duet", exchange -> {
            received.add(new Received(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                    exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER),
                    exchange.getRequestHeaders().getFirst(WebhookSignature.IDEMPOTENCY_HEADER)));
            exchange.sendResponseHeaders(calls.incrementAndGet() <= 2 ? 503 : 204, -1);
            exchange.close();
        });
        receiver.start();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        Instant start = Instant.now().minusSeconds(30);
        Booking booking = new Booking(SessionId.of("hook-1"), Participant.expert("expert-ada", "Ada"),
                Participant.learner("learner-bo", "Bo"), start, Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(5));
        WebhookSignature signature = new WebhookSignature(SECRET);
        WebhookSender webhook = new WebhookSender(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/duet"),
                signature, scheduler, Clock.systemUTC(), 5);
        CompletableFuture<SessionReport> toApp = new CompletableFuture<>();
        CompletableFuture<Integer> delivered = new CompletableFuture<>();
        try (JsonLinesAttendanceStore store = JsonLinesAttendanceStore.open(dir.resolve("a.jsonl"))) {
            SessionOutcomes outcomes = new SessionOutcomes(store, id -> id.equals(booking.sessionId()) ? Optional.of(booking)
                    : Optional.empty(), AttendanceRules.defaults(), BillingPolicy.perMinute(Money.of("EUR", "60.00")),
                    List.of((report, charge) -> toApp.complete(report),
                            (report, charge) -> webhook.deliver(report, charge).whenComplete((n, e) -> delivered.complete(n))),
                    scheduler);
            RelayEventSink sink = RelayEventSink.storing(store).andThen(RelayEventSink.settling(outcomes));
            sink.accept(new AttendanceEvent.ParticipantJoined("j1", booking.sessionId(), start.plusSeconds(1), TestSession.EXPERT,
                    ConnectionId.of("c1")));
            sink.accept(new AttendanceEvent.SessionClosed("x1", booking.sessionId(), start.plusSeconds(20), "window over"));

            SessionReport report = toApp.get(10, TimeUnit.SECONDS);
            assertThat(report.outcome()).isEqualTo(SessionReport.Outcome.LEARNER_NO_SHOW);
            assertThat(delivered.get(20, TimeUnit.SECONDS)).as("delivered on the third attempt").isEqualTo(3);
        } finally {
            receiver.stop(0);
            scheduler.shutdownNow();
        }
        List<Received> attempts = List.copyOf(received);
        assertThat(attempts).hasSize(3);
        assertThat(attempts).extracting(Received::key).containsOnly("hook-1:outcome");
        Received last = attempts.get(2);
        assertThat(last.body()).contains("\"outcome\":\"learner_no_show\"").contains("\"totalMinor\":0");
        assertThat(signature.verify(last.signature(), last.body(), Instant.now())).isInstanceOf(dev.duet.core.WebhookCheck.Accepted.class);
        // What a receiver must refuse:
        assertThat(signature.verify(last.signature(), last.body().replace("hook-1", "hook-2"), Instant.now()))
                
                .isInstanceOfSatisfying(dev.duet.core.WebhookCheck.Refused.class, r -> assertThat(r.reason()).isEqualTo(dev.duet.core.WebhookCheck.Reason.BAD_SIGNATURE));
        assertThat(signature.verify(last.signature(), last.body(), Instant.now().plus(Duration.ofMinutes(6))))
                
                .isInstanceOfSatisfying(dev.duet.core.WebhookCheck.Refused.class, r -> assertThat(r.reason()).isEqualTo(dev.duet.core.WebhookCheck.Reason.STALE));
        assertThat(signature.verify("t=1,v1=zz", last.body(), Instant.now()))
                .isInstanceOfSatisfying(dev.duet.core.WebhookCheck.Refused.class, r -> assertThat(r.reason()).isEqualTo(dev.duet.core.WebhookCheck.Reason.MALFORMED));
        assertThat(new WebhookSignature("another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8))
                .verify(last.signature(), last.body(), Instant.now()))
                .isInstanceOfSatisfying(dev.duet.core.WebhookCheck.Refused.class, r -> assertThat(r.reason()).isEqualTo(dev.duet.core.WebhookCheck.Reason.BAD_SIGNATURE));
        assertThat(signature.toString()).doesNotContain("webhook-secret");
        assertThatThrownBy(() -> new WebhookSignature(new byte[8])).hasMessageContaining("at least 32 bytes");
    }

    @Test
    void aClientErrorIsNotRetriedButRateLimitsAndTimeoutsAre() throws Exception {
        java.util.Deque<Integer> answers = new java.util.concurrent.ConcurrentLinkedDeque<>(List.of(400, 429, 204));
        AtomicInteger calls = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hooks/duet", exchange -> {
            exchange.getRequestBody().readAllBytes();
            calls.incrementAndGet();
            exchange.sendResponseHeaders(answers.isEmpty() ? 204 : answers.poll(), -1);
            exchange.close();
        });
        receiver.start();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            WebhookSender webhook = new WebhookSender(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort()
                    + "/hooks/duet"), new WebhookSignature(SECRET), scheduler, Clock.systemUTC(), 5);
            SessionReport report = exampleReport();
            String body = dev.duet.attendance.OutcomeJson.encode(report, exampleCharge(report));
            // 400: the request itself is wrong; one attempt, then the future fails.
            CompletableFuture<Integer> refused = webhook.deliver(report, exampleCharge(report));
            assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).hasMessageContaining("HTTP 400").hasMessageContaining("not retried");
            assertThat(calls.get()).isEqualTo(1);
            // 429, then 204: retried after the backoff, delivered on the second attempt.
            assertThat(webhook.deliver(report, exampleCharge(report)).get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(calls.get()).isEqualTo(3);
            assertThat(body).contains("\"type\":\"session.closed\"");
        } finally {
            receiver.stop(0);
            scheduler.shutdownNow();
        }
        // which statuses are retried: WebhookRetryTest in duet-attendance
    }

    private static SessionReport exampleReport() {
        Booking booking = new Booking(SessionId.of("hook-2"), Participant.expert("expert-ada", "Ada"),
                Participant.learner("learner-bo", "Bo"), Instant.parse("2026-11-24T10:00:00Z"), Duration.ofHours(1),
                Duration.ofMinutes(10), Duration.ofMinutes(15));
        dev.duet.core.attendance.AttendanceLedger ledger = new dev.duet.core.attendance.AttendanceLedger(booking,
                AttendanceRules.defaults());
        return ledger.report();
    }

    private static dev.duet.core.attendance.Charge exampleCharge(SessionReport report) {
        return BillingPolicy.perMinute(Money.of("EUR", "60.00")).charge(report);
    }
}
