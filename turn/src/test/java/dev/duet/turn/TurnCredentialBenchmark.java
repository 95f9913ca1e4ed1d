package dev.duet.turn;

import dev.duet.core.Booking;
import dev.duet.core.Participant;
import dev.duet.core.SessionId;
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
import org.openjdk.jmh.annotations.State;

/**
 * TURN REST credentials issued (and checked, as coturn would) per second, next to their floor: one
 * HMAC-SHA1 over the same username with a fresh {@link Mac}, which each of them must compute. The
 * difference is the booking checks, the username, the base64 and the credential object. Only
 * compiled and run with {@code -Pbench} (docs/benchmarks.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
public class TurnCredentialBenchmark {
    private static final Instant NOW = Instant.parse("2026-11-24T09:58:00Z");
    private static final String SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret";
    private final RestTurnCredentials rest = new RestTurnCredentials(List.of(TurnSecret.of("k1", SECRET)),
            TurnServerAddress.of("turn.example.test", 3478).withTls(5349), Duration.ofHours(24));
    private final Booking booking = new Booking(SessionId.of("s-42"), Participant.expert("expert-ada", "Ada"),
            Participant.learner("learner-bo", "Bo"), Instant.parse("2026-11-24T10:00:00Z"), Duration.ofHours(1),
            Duration.ofMinutes(10), Duration.ofMinutes(15));
    private final TurnCredential issued = rest.issue(booking, booking.learner().id(), NOW);
    private final byte[] username = issued.username().getBytes(StandardCharsets.UTF_8);

    /** For JMH, which instantiates the state. */
    public TurnCredentialBenchmark() {}

    @Benchmark
    public TurnCredential issue() {
        return rest.issue(booking, booking.learner().id(), NOW);
    }

    @Benchmark
    public boolean check() {
        return rest.accepts(issued.username(), issued.password(), NOW);
    }

    @Benchmark
    public byte[] hmacAloneBaseline() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return mac.doFinal(username);
    }
}
