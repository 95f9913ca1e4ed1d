package dev.duet.attendance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.Booking;
import dev.duet.core.Participant;
import dev.duet.core.SessionId;
import dev.duet.core.WebhookSignature;
import dev.duet.core.attendance.BillingPolicy;
import dev.duet.core.attendance.Money;
import dev.duet.core.attendance.SessionReport;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SessionOutcomes and WebhookSender built with every part named, and told what is missing. */
class BuildersTest {
    @TempDir
    Path dir;

    @Test
    void sessionOutcomesBuiltByNameSettleOnTheirExecutor() throws Exception {
        Booking booking = Booking.builder(SessionId.of("s-1")).expert(Participant.expert("a", "A")).learner(Participant.learner("b", "B"))
                .start(Instant.parse("2026-11-24T10:00:00Z")).duration(Duration.ofHours(1)).build();
        CompletableFuture<SessionReport> settled = new CompletableFuture<>();
        try (JsonLinesAttendanceStore store = JsonLinesAttendanceStore.open(dir.resolve("a.jsonl"))) {
            SessionOutcomes outcomes = SessionOutcomes.builder(store, id -> Optional.of(booking))
                    .billing(BillingPolicy.perMinute(Money.of("EUR", "60.00"))).listener((report, charge) -> settled.complete(report))
                    .executor(Runnable::run).build();
            outcomes.settleLater(booking.sessionId());
            assertThat(settled.get(5, TimeUnit.SECONDS).outcome()).isEqualTo(SessionReport.Outcome.NEITHER_SHOWED);
            assertThatThrownBy(() -> SessionOutcomes.builder(store, id -> Optional.empty()).executor(Runnable::run).build())
                    .hasMessageContaining("billing(BillingPolicy)");
            assertThatThrownBy(() -> SessionOutcomes.builder(store, id -> Optional.empty())
                    .billing(BillingPolicy.perMinute(Money.of("EUR", "1.00"))).build()).hasMessageContaining("executor(Executor)");
        }
    }

    @Test
    void aWebhookSenderBuiltByNameNeedsItsScheduler() {
        WebhookSignature signature = new WebhookSignature(new byte[32]);
        URI url = URI.create("https://app.example.test/hooks/duet");
        assertThatThrownBy(() -> WebhookSender.builder(url, signature).build()).hasMessageContaining("scheduler(ScheduledExecutorService)");
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            assertThatThrownBy(() -> WebhookSender.builder(url, signature).maxAttempts(0).scheduler(scheduler).build())
                    .hasMessageContaining("maxAttempts must be 1 to 50");
            assertThat(WebhookSender.builder(url, signature).scheduler(scheduler).maxAttempts(3).build().toString())
                    .contains("app.example.test", "maxAttempts=3", "(redacted)");
        } finally {
            scheduler.shutdownNow();
        }
    }
}
