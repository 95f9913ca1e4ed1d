package dev.duet.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Limits changed by name; a relay that cannot listen says so with an IOException. */
class RelayLimitsTest {
    @Test
    void eachLimitIsChangedByName() {
        RelayLimits named = RelayLimits.defaults().withMessagesPerSecond(10).withBurst(20).withMaxSessionsPerNode(100)
                .withPingInterval(Duration.ofSeconds(3)).withIdleTimeout(Duration.ofSeconds(9)).withJoinTimeout(Duration.ofSeconds(10))
                .withMaxPendingDeliveries(1024).withMaxQueuedBytes(1 << 20);
        assertThat(named).isEqualTo(new RelayLimits(10, 20, 100, Duration.ofSeconds(3), Duration.ofSeconds(9), Duration.ofSeconds(10),
                1024, 1 << 20));
        assertThatThrownBy(() -> RelayLimits.defaults().withBurst(0)).hasMessageContaining("burst must be");
    }

    @Test
    void aTakenPortFailsTheStartWithAnIOException() throws Exception {
        try (RelayServer first = RelayServer.builder(TestSession.VERIFIER).start()) {
            assertThatThrownBy(() -> RelayServer.builder(TestSession.VERIFIER).port(first.port()).start())
                    .isInstanceOf(IOException.class).hasMessageContaining(String.valueOf(first.port()));
        }
    }
}
