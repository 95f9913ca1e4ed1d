package dev.duet.signaling.client.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.signaling.client.Backoff;
import dev.duet.signaling.client.RelayUnreachableException;
import dev.duet.signaling.client.SignalingListener;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.client.wire.Wire;
import dev.duet.testing.ManualScheduler;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The first join's deadline, in virtual time: a relay that never answers fails the join exactly at the join timeout. */
class RelayTransportJoinDeadlineTest {

    @Test
    void aRelayThatRefusesEveryConnectionFailsTheJoinAtTheJoinTimeoutAfterRetryingWithBackoff() {
        ManualScheduler time = new ManualScheduler(Instant.parse("2026-11-24T10:00:00Z"));
        List<Long> attemptsAt = new ArrayList<>();
        List<String> disconnects = new ArrayList<>();
        Wire.Connector refusing = listener -> {
            attemptsAt.add(time.nanoTime());
            listener.onFailure(new ConnectException("Connection refused"));
        };
        RelayTransport transport = new RelayTransport(refusing, TicketSource.of("duet1.x.y"), Runnable::run,
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), new Random(3)), Duration.ofSeconds(10),
                "ws://relay.invalid/v1/sessions/s-42", time, time::nanoTime);
        CompletableFuture<?> join = transport.join(new SignalingListener() {
            @Override
            public void onDisconnected(String reason) {
                disconnects.add(reason);
            }
        });

        time.advance(Duration.ofMillis(9_999));
        assertThat(join).as("still trying 1 ms before the deadline").isNotDone();
        assertThat(attemptsAt.size()).as("one attempt, then one per backoff of at most 1 s").isGreaterThanOrEqualTo(10);
        assertThat(disconnects).hasSize(attemptsAt.size()).allMatch(r -> r.contains("Connection refused"));

        time.advance(Duration.ofMillis(1));
        assertThat(join).isCompletedExceptionally();
        assertThat(join.handle((v, e) -> e instanceof CompletionException c ? c.getCause() : e).join())
                .isInstanceOfSatisfying(RelayUnreachableException.class, e -> {
                    assertThat(e.getMessage()).contains("ws://relay.invalid/v1/sessions/s-42", "within 10000 ms",
                            "Connection refused");
                    assertThat(e.attempts()).isEqualTo(attemptsAt.size());
                });
        assertThat(transport.state()).isEqualTo(SignalingTransport.State.CLOSED);
        int attempts = attemptsAt.size();
        time.advance(Duration.ofSeconds(10));
        assertThat(attemptsAt).as("no attempt after giving up").hasSize(attempts);
    }
}
