package dev.duet.turn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.testing.CoturnProcess;
import dev.duet.testing.TurnClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The shipped docs/turn/turnserver.conf runs, and refuses to relay to loopback peers (no open relay). */
class ProductionConfigTest {
    /** Lines that only make sense on a real host (ports, certificates, realm), replaced by the test's own. */
    private static final Set<String> HOST_SPECIFIC = Set.of("listening-port", "tls-listening-port", "min-port", "max-port",
            "cert", "pkey", "realm", "static-auth-secret", "no-tlsv1", "no-tlsv1_1", "no-cli");

    @Test
    void theProductionExampleStartsAndDeniesLoopbackPeers() throws Exception {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("..", "docs", "turn", "turnserver.conf"), StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || HOST_SPECIFIC.contains(l.split("=", 2)[0])) {
                continue;
            }
            lines.add(l);
        }
        assertThat(lines).contains("use-auth-secret", "denied-peer-ip=127.0.0.0-127.255.255.255").doesNotContain("allow-loopback-peers");
        lines.add("static-auth-secret=example-example-example-example-example");
        try (CoturnProcess coturn = CoturnProcess.productionLike(lines)) {
            RestTurnCredentials rest = new RestTurnCredentials(List.of(TurnSecret.of("k", "example-example-example-example-example")),
                    TurnServerAddress.of("127.0.0.1", coturn.port()), Duration.ofHours(1));
            TurnCredential c = rest.issue(CoturnTest.bookingNow(), dev.duet.core.ParticipantId.of("learner-bo"), Instant.now());
            // client-to-client relaying between two loopback relay addresses: the peer is on 127/8
            assertThat(TurnClient.allocates(coturn.port(), c.username(), c.password(), false)).as("relay to a loopback peer").isFalse();
        }
        // Control: the same configuration without its denied-peer rules relays fine, so the refusal above is the denial.
        List<String> open = new ArrayList<>(lines.stream().filter(l -> !l.startsWith("denied-peer-ip")).toList());
        open.add("allow-loopback-peers");
        try (CoturnProcess coturn = CoturnProcess.productionLike(open)) {
            RestTurnCredentials rest = new RestTurnCredentials(List.of(TurnSecret.of("k", "example-example-example-example-example")),
                    TurnServerAddress.of("127.0.0.1", coturn.port()), Duration.ofHours(1));
            TurnCredential c = rest.issue(CoturnTest.bookingNow(), dev.duet.core.ParticipantId.of("learner-bo"), Instant.now());
            assertThat(TurnClient.allocates(coturn.port(), c.username(), c.password(), false)).as("control").isTrue();
        }
    }
}
