package dev.duet.turn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.testing.CoturnProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What revoking a TURN credential really does to an allocation that is already open, measured on
 * coturn 4.6.1 (docs/turn.md records the numbers). These tests pin the behaviour: if a coturn
 * upgrade changes it, they fail and the notes must be revisited.
 *
 * <p>They wait for coturn's wall clock to pass a credential's expiry or a nonce's age: that is time
 * an external server measures, not an ordering of events in this JVM.
 */
class RevocationTest {
    private static final String SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret";

    @Test
    void staleNonceForcesReauthenticationButAnExpiredRestCredentialStillRefreshesItsOpenAllocation() throws Exception {
        try (CoturnProcess coturn = CoturnProcess.withLines(List.of("use-auth-secret", "static-auth-secret=" + SECRET,
                "stale-nonce=2"))) {
            long expiry = Instant.now().getEpochSecond() + 2;
            String user = expiry + ":s-revoke:learner-bo";
            String password = RestTurnCredentials.password(TurnSecret.of("k", SECRET), user);
            try (MiniTurnClient client = new MiniTurnClient(coturn.port(), user, password)) {
                assertThat(client.allocate(600).code()).isEqualTo(200);
                passTime(Duration.ofSeconds(4)); // the credential has expired and the nonce is stale
                MiniTurnClient.Reply refreshed = client.refresh(600);
                assertThat(client.staleNonces).as("a stale nonce forced re-authentication").isEqualTo(1);
                assertThat(refreshed.code()).as("re-authentication of the open allocation succeeds anyway").isEqualTo(200);
                assertThat(refreshed.lifetime()).as("coturn grants its default lifetime").isEqualTo(600);
                // Opened while the first socket is still bound, so it cannot reuse its port: from the
                // same 5-tuple coturn would answer 437 (allocation mismatch), not judge the credential.
                try (MiniTurnClient fresh = new MiniTurnClient(coturn.port(), user, password)) {
                    assertThat(fresh.allocate(600).code()).as("a new allocation with the expired credential").isEqualTo(401);
                }
            }
        }
    }

    @Test
    void aRemovedLongTermUserKeepsItsOpenAllocationButCannotOpenANewOne() throws Exception {
        try (CoturnProcess coturn = CoturnProcess.withLines(List.of("lt-cred-mech", "stale-nonce=2"));
                SqliteTurnUserStore store = new SqliteTurnUserStore(coturn.userDb())) {
            String user = "s-revoke.learner-bo";
            store.put(CoturnProcess.REALM, user, LongTermTurnUsers.ha1(user, CoturnProcess.REALM, "pw-123456"),
                    Instant.now().plusSeconds(3600));
            try (MiniTurnClient client = new MiniTurnClient(coturn.port(), user, "pw-123456")) {
                assertThat(client.allocate(600).code()).isEqualTo(200);
                store.remove(CoturnProcess.REALM, user);
                passTime(Duration.ofSeconds(3));
                assertThat(client.refresh(600).code()).isEqualTo(200);
                assertThat(client.staleNonces).isEqualTo(1);
                assertThat(client.refresh(0).code()).as("the client itself releasing it").isEqualTo(200);
                // A second socket, opened while the first is bound, so it has a port of its own (see above).
                try (MiniTurnClient fresh = new MiniTurnClient(coturn.port(), user, "pw-123456")) {
                    assertThat(fresh.allocate(600).code()).as("a new allocation by the removed user").isEqualTo(401);
                }
            }
        }
    }

    /** Lets wall-clock time pass for the TURN server's own clock. */
    private static void passTime(Duration d) throws Exception {
        CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(d.toMillis(), TimeUnit.MILLISECONDS))
                .get(d.toMillis() + 5000, TimeUnit.MILLISECONDS);
    }
}
