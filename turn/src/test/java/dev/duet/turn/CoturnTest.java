package dev.duet.turn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.Booking;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.testing.CoturnProcess;
import dev.duet.testing.RedisProcess;
import dev.duet.testing.TurnClient;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** The providers against a real coturn, with coturn's own test client (turnutils_uclient). */
class CoturnTest {
    private static final ParticipantId LEARNER = ParticipantId.of("learner-bo");

    /** A booking around the real time: coturn checks expiry by its own clock. */
    static Booking bookingNow() {
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return new Booking(SessionId.of("s-" + start.getEpochSecond()), Participant.expert("expert-ada", "Ada"),
                Participant.learner("learner-bo", "Bo"), start, Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
    }

    @Test
    void freshRestCredentialsAllocateOverUdpAndTcpAndBadOnesAreRefused() throws Exception {
        try (CoturnProcess coturn = CoturnProcess.rest("s3cret-s3cret-s3cret-s3cret-s3cret", "older-secret-older-secret-older-secret")) {
            TurnServerAddress server = TurnServerAddress.of("127.0.0.1", coturn.port());
            Booking booking = bookingNow();
            Instant now = Instant.now();
            RestTurnCredentials rest = new RestTurnCredentials(List.of(TurnSecret.of("new", "s3cret-s3cret-s3cret-s3cret-s3cret")), server,
                    Duration.ofHours(24));
            TurnCredential fresh = rest.issue(booking, LEARNER, now);
            assertThat(TurnClient.allocates(coturn.port(), fresh.username(), fresh.password(), false)).as("UDP").isTrue();
            assertThat(TurnClient.allocates(coturn.port(), fresh.username(), fresh.password(), true)).as("TCP").isTrue();

            TurnCredential rotatedOut = new RestTurnCredentials(List.of(TurnSecret.of("old", "older-secret-older-secret-older-secret")),
                    server, Duration.ofHours(24)).issue(booking, LEARNER, now);
            assertThat(TurnClient.allocates(coturn.port(), rotatedOut.username(), rotatedOut.password(), false))
                    .as("signed with the older of two configured secrets").isTrue();

            TurnCredential wrongSecret = new RestTurnCredentials(List.of(TurnSecret.of("x", "not-the-secret-at-all-not-at-all-no")), server,
                    Duration.ofHours(24)).issue(booking, LEARNER, now);
            assertThat(TurnClient.allocates(coturn.port(), wrongSecret.username(), wrongSecret.password(), false))
                    .as("wrong secret").isFalse();
            String tampered = fresh.username().replace(":learner-bo", ":expert-ada");
            assertThat(TurnClient.allocates(coturn.port(), tampered, fresh.password(), false)).as("tampered username").isFalse();

            Booking past = new Booking(SessionId.of("s-past"), booking.expert(), booking.learner(),
                    now.minus(Duration.ofHours(3)), Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
            TurnCredential expired = rest.issue(past, LEARNER, now.minus(Duration.ofHours(2)).plusSeconds(1));
            assertThat(expired.expiresAt()).isBefore(now);
            assertThat(TurnClient.allocates(coturn.port(), expired.username(), expired.password(), false)).as("expired").isFalse();
        }
    }

    @Test
    void aLongTermUserInSqliteWorksOnceAddedAndStopsOnceRemovedWithoutARestart() throws Exception {
        try (CoturnProcess coturn = CoturnProcess.longTermSqlite();
                SqliteTurnUserStore store = new SqliteTurnUserStore(coturn.userDb())) {
            TurnServerAddress server = TurnServerAddress.of("127.0.0.1", coturn.port());
            LongTermTurnUsers users = new LongTermTurnUsers(store, CoturnProcess.REALM, server, new SecureRandom());
            Booking booking = bookingNow();
            assertThat(TurnClient.allocates(coturn.port(), "s-1.learner-bo", "guess", false)).as("unknown user").isFalse();
            TurnCredential c = users.issue(booking, LEARNER, Instant.now());
            assertThat(TurnClient.allocates(coturn.port(), c.username(), c.password(), false)).as("after add").isTrue();
            assertThat(TurnClient.allocates(coturn.port(), c.username(), c.password(), true)).as("after add, TCP").isTrue();
            assertThat(TurnClient.allocates(coturn.port(), c.username(), c.password() + "x", false)).as("wrong password").isFalse();
            users.revoke(booking);
            assertThat(store.contains(CoturnProcess.REALM, c.username())).isFalse();
            assertThat(TurnClient.allocates(coturn.port(), c.username(), c.password(), false)).as("after removal").isFalse();
        }
    }

    @Test
    void aLongTermUserInRedisWorksOnceAddedStopsOnceRemovedAndCarriesAnExpiry() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
                CoturnProcess coturn = CoturnProcess.longTermRedis(redis.uri().getPort(), 0);
                RedisTurnUserStore store = new RedisTurnUserStore(URI.create(redis.uri() + "/0"))) {
            TurnServerAddress server = TurnServerAddress.of("127.0.0.1", coturn.port());
            LongTermTurnUsers users = new LongTermTurnUsers(store, CoturnProcess.REALM, server, new SecureRandom());
            Booking booking = bookingNow();
            TurnCredential c = users.issue(booking, LEARNER, Instant.now());
            assertThat(TurnClient.allocates(coturn.port(), c.username(), c.password(), false)).as("after add").isTrue();
            try (RedisClient client = RedisClient.create(redis.uri())) {
                long ttl = client.ttl(RedisTurnUserStore.key(CoturnProcess.REALM, c.username()));
                assertThat(ttl).as("seconds until the key expires by itself").isBetween(
                        Duration.between(Instant.now(), booking.closesAt()).getSeconds() - 5,
                        Duration.between(Instant.now(), booking.closesAt()).getSeconds() + 1);
            }
            users.revoke(booking);
            assertThat(TurnClient.allocates(coturn.port(), c.username(), c.password(), false)).as("after removal").isFalse();
        }
    }
}
