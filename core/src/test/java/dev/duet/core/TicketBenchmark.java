package dev.duet.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Join-ticket verifications per second (the relay checks one per join), next to their floor: one
 * HMAC-SHA256 over the same signed text with a fresh {@link Mac}, which every verification must
 * compute. The difference is the parsing, the base64 and the checks. Only compiled and run with
 * {@code -Pbench} (docs/benchmarks.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
public class TicketBenchmark {
    private static final Instant NOW = Instant.parse("2026-11-24T09:58:00Z");
    private final TicketKey key = TicketKey.of("k1", new byte[32]);
    private final JoinTicketVerifier verifier = new JoinTicketVerifier(List.of(key), Duration.ofSeconds(30));
    private Booking booking;
    private String ticket;
    private byte[] signed;

    /** For JMH, which instantiates the state (explicit: the class sits in an exported package). */
    public TicketBenchmark() {}

    @Setup
    public void ticket() {
        booking = new Booking(SessionId.of("s-42"), Participant.expert("expert-ada", "Ada"), Participant.learner("learner-bo", "Bo"),
                Instant.parse("2026-11-24T10:00:00Z"), Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
        ticket = new JoinTicketIssuer(key, Duration.ofHours(2)).issue(booking, booking.expert().id(), NOW);
        signed = ticket.substring(0, ticket.lastIndexOf('.')).getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public TicketCheck verify() {
        return verifier.verify(ticket, booking.sessionId(), NOW);
    }

    @Benchmark
    public byte[] hmacAloneBaseline() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
        return mac.doFinal(signed);
    }
}
