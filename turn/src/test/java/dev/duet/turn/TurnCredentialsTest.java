package dev.duet.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.Booking;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TurnCredentialsTest {
    /** closes at 12:15: 11:00 + 1 h + 15 min grace. */
    static final Booking BOOKING = new Booking(SessionId.of("s-42"), Participant.expert("expert-ada", "Ada"),
            Participant.learner("learner-bo", "Bo"), Instant.parse("2026-11-24T11:00:00Z"), Duration.ofHours(1),
            Duration.ofMinutes(10), Duration.ofMinutes(15));
    static final ParticipantId LEARNER = ParticipantId.of("learner-bo");
    static final TurnServerAddress SERVER = TurnServerAddress.of("turn.example.test", 3478);
    static final TurnSecret SECRET = TurnSecret.of("2026-11", "s3cret-s3cret-s3cret-s3cret-s3cret");

    @Test
    void restCredentialsMatchTheIndependentlyComputedVector() {
        RestTurnCredentials rest = new RestTurnCredentials(List.of(SECRET), SERVER, Duration.ofHours(24));
        TurnCredential c = rest.issue(BOOKING, LEARNER, Instant.parse("2026-11-24T10:55:00Z"));
        // Python: base64(hmac.new(b"s3cret-s3cret-s3cret-s3cret-s3cret", b"1795522500:s-42:learner-bo", sha1).digest())
        assertThat(c.username()).isEqualTo("1795522500:s-42:learner-bo");
        assertThat(c.password()).isEqualTo("n7h12XVIZDj53BWK9jSIliUzUc8=");
        assertThat(c.expiresAt()).isEqualTo(Instant.parse("2026-11-24T12:15:00Z"));
        assertThat(c.uris()).containsExactly("turn:turn.example.test:3478?transport=udp", "turn:turn.example.test:3478?transport=tcp");
    }

    @Test
    void restExpiryIsTheWindowsCloseButNeverMoreThanTheMaximumTtl() {
        RestTurnCredentials shortLived = new RestTurnCredentials(List.of(SECRET), SERVER, Duration.ofMinutes(30));
        assertThat(shortLived.issue(BOOKING, LEARNER, Instant.parse("2026-11-24T10:55:00Z")).expiresAt())
                .isEqualTo(Instant.parse("2026-11-24T11:25:00Z"));
        assertThat(shortLived.issue(BOOKING, LEARNER, Instant.parse("2026-11-24T12:14:59Z")).expiresAt())
                .isEqualTo(Instant.parse("2026-11-24T12:15:00Z"));
        assertThatThrownBy(() -> shortLived.issue(BOOKING, LEARNER, Instant.parse("2026-11-24T12:15:00Z")))
                .hasMessageContaining("session s-42 closed at 2026-11-24T12:15:00Z");
        assertThatThrownBy(() -> shortLived.issue(BOOKING, ParticipantId.of("mallory"), Instant.parse("2026-11-24T11:00:00Z")))
                .hasMessageContaining("participant mallory is not booked into session s-42");
        // Issued so early that it would expire before the room opens (10:50): refused, not handed out dead.
        assertThatThrownBy(() -> shortLived.issue(BOOKING, LEARNER, Instant.parse("2026-11-24T10:00:00Z")))
                .hasMessageContaining("would expire at 2026-11-24T10:30:00Z, before session s-42 opens at 2026-11-24T10:50:00Z");
    }

    @Test
    void theNewestSecretSignsAndEveryConfiguredSecretIsAcceptedUntilExpiry() {
        TurnSecret older = TurnSecret.of("2026-10", "older-secret-older-secret-older-secret");
        RestTurnCredentials before = new RestTurnCredentials(List.of(older), SERVER, Duration.ofHours(24));
        RestTurnCredentials rotated = new RestTurnCredentials(List.of(SECRET, older), SERVER, Duration.ofHours(24));
        Instant now = Instant.parse("2026-11-24T11:00:00Z");
        TurnCredential old = before.issue(BOOKING, LEARNER, now);
        TurnCredential fresh = rotated.issue(BOOKING, LEARNER, now);
        assertThat(fresh.password()).isNotEqualTo(old.password());
        assertThat(rotated.accepts(old.username(), old.password(), now)).isTrue();
        assertThat(rotated.accepts(fresh.username(), fresh.password(), now)).isTrue();
        assertThat(rotated.accepts(fresh.username(), fresh.password(), fresh.expiresAt())).as("expired").isFalse();
        assertThat(rotated.accepts(fresh.username().replace("learner-bo", "expert-ada"), fresh.password(), now)).as("tampered").isFalse();
        assertThat(before.accepts(fresh.username(), fresh.password(), now)).as("unknown secret").isFalse();
    }

    @Test
    void longTermUsersStoreTheHa1KeyAndAreRemovedWithTheSession() {
        Map<String, String> db = new HashMap<>();
        TurnUserStore store = new TurnUserStore() {
            @Override
            public void put(String realm, String name, String ha1Hex, Instant expiresAt) {
                db.put(realm + "/" + name, ha1Hex);
            }

            @Override
            public void remove(String realm, String name) {
                db.remove(realm + "/" + name);
            }

            @Override
            public boolean contains(String realm, String name) {
                return db.containsKey(realm + "/" + name);
            }

            @Override
            public void close() {}
        };
        LongTermTurnUsers users = new LongTermTurnUsers(store, "duet.test", SERVER, new SecureRandom());
        TurnCredential c = users.issue(BOOKING, LEARNER, Instant.parse("2026-11-24T11:00:00Z"));
        assertThat(c.username()).isEqualTo("s-42.learner-bo");
        assertThat(c.password()).hasSize(24);
        assertThat(db).containsEntry("duet.test/s-42.learner-bo", LongTermTurnUsers.ha1("s-42.learner-bo", "duet.test", c.password()));
        assertThat(c.expiresAt()).isEqualTo(BOOKING.closesAt());
        users.revoke(BOOKING);
        assertThat(db).isEmpty();
    }

    @Test
    void ha1IsWhatTurnadminPrints() {
        // Python: hashlib.md5(b"s-42.learner-bo:duet.test:pw-123456").hexdigest()
        assertThat(LongTermTurnUsers.ha1("s-42.learner-bo", "duet.test", "pw-123456")).isEqualTo("86966d25fda09320560b274769236bf3");
    }

    @Test
    void iceServersListTurnFirstUdpTcpTlsThenStunAndRenderForTheBrowser() {
        TurnServerAddress server = SERVER.withTls(443);
        TurnCredential c = new TurnCredential("u1", "p\"w", Instant.parse("2026-11-24T12:15:00Z"), server.turnUris());
        IceServers ice = IceServers.of(server, c);
        assertThat(ice.urls()).containsExactly("turn:turn.example.test:3478?transport=udp",
                "turn:turn.example.test:3478?transport=tcp", "turns:turn.example.test:443?transport=tcp",
                "stun:turn.example.test:3478");
        assertThat(ice.urls()).hasSizeLessThan(5);
        assertThat(ice.toRtcConfigurationJson()).isEqualTo("{\"iceServers\":[{\"urls\":[\"turn:turn.example.test:3478?transport=udp\","
                + "\"turn:turn.example.test:3478?transport=tcp\",\"turns:turn.example.test:443?transport=tcp\"],"
                + "\"username\":\"u1\",\"credential\":\"p\\\"w\"},{\"urls\":[\"stun:turn.example.test:3478\"]}],"
                + "\"iceTransportPolicy\":\"all\"}");
        assertThat(ice.relayOnly().toRtcConfigurationJson()).endsWith("\"iceTransportPolicy\":\"relay\"}");
    }

    @Test
    void secretsNeverAppearInTextAndPasswordsCompareInConstantTime() {
        TurnCredential c = new TurnCredential("u1", "hunter2-hunter2", Instant.EPOCH, List.of("turn:h:1?transport=udp"));
        assertThat(c.toString()).doesNotContain("hunter2").contains("(redacted)");
        assertThat(IceServers.of(TurnServerAddress.of("h", 1), c).toString()).doesNotContain("hunter2");
        assertThat(SECRET.toString()).isEqualTo("TurnSecret[id=2026-11, secret=(redacted)]");
        assertThat(new RestTurnCredentials(List.of(SECRET), SERVER, Duration.ofHours(1)).toString()).doesNotContain("s3cret");
        assertThat(c.passwordMatches("hunter2-hunter2")).isTrue();
        assertThat(c.passwordMatches("hunter2-hunter3")).isFalse();
    }

    @Test
    void badArgumentsAreRefusedWithTheFieldNamed() {
        assertThatThrownBy(() -> TurnSecret.of("k", "short")).hasMessageContaining("must be at least 32 bytes");
        assertThatThrownBy(() -> new RestTurnCredentials(List.of(), SERVER, Duration.ofHours(1))).hasMessageContaining("secrets must hold");
        assertThatThrownBy(() -> new RestTurnCredentials(List.of(SECRET), SERVER, Duration.ofDays(3))).hasMessageContaining("maxTtl");
        assertThatThrownBy(() -> TurnServerAddress.of("turn host", 3478)).hasMessageContaining("host must be");
        assertThatThrownBy(() -> TurnServerAddress.of("h", 0)).hasMessageContaining("port must be 1 to 65535");
        assertThatThrownBy(() -> TurnServerAddress.of("turn:x.com", 3478)).hasMessageContaining("without a scheme (turn:)");
        assertThatThrownBy(() -> TurnCredential.builder().username("u").expiresAt(Instant.EPOCH).uris(List.of()).build())
                .hasMessage("a TURN credential needs its password: call password(...) before build()");
        assertThat(TurnCredential.builder().username("u").password("p").expiresAt(Instant.EPOCH).uris(List.of("turn:h:1")).build()
                .username()).isEqualTo("u");
        assertThat(TurnServerAddress.of("fd00::1", 3478).stunUri()).isEqualTo("stun:[fd00::1]:3478");
        assertThatThrownBy(() -> new LongTermTurnUsers(null, "r", SERVER, new SecureRandom())).hasMessage("store must not be null");
    }
}
