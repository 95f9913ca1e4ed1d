package dev.duet.webrtc;

import static dev.duet.webrtc.CallHarness.EXPERT;
import static dev.duet.webrtc.CallHarness.LEARNER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.Booking;
import dev.duet.core.ParticipantId;
import dev.duet.testing.CoturnProcess;
import dev.duet.signaling.client.MediaReport;
import dev.duet.turn.IceServers;
import dev.duet.turn.RestTurnCredentials;
import dev.duet.turn.TurnCredential;
import dev.duet.turn.TurnSecret;
import dev.duet.turn.TurnServerAddress;
import dev.duet.webrtc.CallHarness.RelayKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Calls through a real coturn (REST credentials), relay-only: the privacy mode and the TURN failure modes. */
class TurnCallTest {
    private static final String SECRET = "duet-test-static-auth-secret-of-32b";
    @RegisterExtension
    static final SyntheticEngine engine = new SyntheticEngine();
    private static CoturnProcess coturn;
    private static TurnServerAddress server;

    @BeforeAll
    static void start() throws Exception {
        coturn = CoturnProcess.rest(SECRET);
        server = TurnServerAddress.of("127.0.0.1", coturn.port());
    }

    @AfterAll
    static void stop() {
        if (coturn != null) {
            coturn.close();
        }
    }

    private static RestTurnCredentials credentials(String secret) {
        return new RestTurnCredentials(List.of(TurnSecret.of("s1", secret)), server, Duration.ofHours(2));
    }

    private static IceServers relayOnly(TurnCredential credential) {
        return IceServers.of(server, credential).relayOnly();
    }

    /** {@code who}'s call with synthetic media, relay-only through coturn with {@code credential}. */
    private static DuetCall.Builder relayOnlyCall(CallHarness session, ParticipantId who, CallRecorder recorder,
            TurnCredential credential) {
        return session.builder(who, recorder).media(LocalMedia.synthetic()).iceServers(relayOnly(credential));
    }

    @Test
    void relayOnlyCallsGoThroughTheTurnServerOnBothSidesAndMediaFlows() throws Exception {
        try (CallHarness session = new CallHarness(engine.get(), RelayKind.IN_MEMORY)) {
            CallRecorder expert = new CallRecorder("expert");
            CallRecorder learner = new CallRecorder("learner");
            RestTurnCredentials rest = credentials(SECRET);
            DuetCall expertCall = session.keep(relayOnlyCall(session, EXPERT, expert, rest.issue(session.booking, EXPERT, Instant.now())));
            DuetCall learnerCall = session.keep(relayOnlyCall(session, LEARNER, learner, rest.issue(session.booking, LEARNER, Instant.now())));
            expertCall.start().get(10, TimeUnit.SECONDS);
            learnerCall.start().get(10, TimeUnit.SECONDS);

            MediaReport fromExpert = expert.awaitTwoWayMedia(Duration.ofSeconds(30));
            MediaReport fromLearner = learner.awaitTwoWayMedia(Duration.ofSeconds(30));
            assertThat(fromExpert.relayed()).as("expert's selected pair is a relay pair").isTrue();
            assertThat(fromLearner.relayed()).as("learner's selected pair is a relay pair").isTrue();
            assertThat(expert.errors).isEmpty();
        }
    }

    @Test
    void expiredCredentialsFailTheCallWithinTheConnectTimeoutWithAClearError() throws Exception {
        // Issued for a booking two hours ago: the REST username's expiry is in the past.
        Booking past = new Booking(dev.duet.core.SessionId.of("s-past"),
                dev.duet.core.Participant.expert(EXPERT.value(), "Ada"), dev.duet.core.Participant.learner(LEARNER.value(), "Bo"),
                Instant.now().minus(Duration.ofHours(2)), Duration.ofMinutes(30), Duration.ZERO, Duration.ZERO);
        RestTurnCredentials rest = new RestTurnCredentials(List.of(TurnSecret.of("s1", SECRET)), server, Duration.ofMinutes(1));
        assertRefused((booking, who) -> rest.issue(past, who, past.start()));
    }

    @Test
    void wrongCredentialsFailTheCallWithinTheConnectTimeoutWithAClearError() throws Exception {
        RestTurnCredentials wrong = credentials("not-the-server-secret-at-all-not-at-all");
        assertRefused((booking, who) -> wrong.issue(booking, who, Instant.now()));
    }

    private interface Issue {
        TurnCredential issue(Booking booking, ParticipantId who);
    }

    private void assertRefused(Issue issue) throws Exception {
        try (CallHarness session = new CallHarness(engine.get(), RelayKind.IN_MEMORY)) {
            CallRecorder expert = new CallRecorder("expert");
            CallRecorder learner = new CallRecorder("learner");
            RestTurnCredentials good = credentials(SECRET);
            // The expert's credentials are good; its own connect timeout is left long so that only the
            // learner's failure is observed (with no path at all, both sides would time out).
            DuetCall expertCall = session.keep(relayOnlyCall(session, EXPERT, expert, good.issue(session.booking, EXPERT, Instant.now())));
            DuetCall learnerCall = session.keep(relayOnlyCall(session, LEARNER, learner, issue.issue(session.booking, LEARNER))
                    .connectTimeout(Duration.ofSeconds(5)));
            expertCall.start().get(10, TimeUnit.SECONDS);
            long joinedAt = System.nanoTime();
            learnerCall.start().get(10, TimeUnit.SECONDS);

            CallError first = learner.await(learner.errors, Duration.ofSeconds(5), "TURN error");
            assertThat(first.kind()).isEqualTo(CallError.Kind.TURN_AUTH_FAILED);
            assertThat(first.message()).contains("401").doesNotContain(SECRET);
            CallEnd end = learner.await(learner.ended, Duration.ofSeconds(15), "end of the call");
            double seconds = (System.nanoTime() - joinedAt) / 1e9;
            assertThat(end.error()).get().extracting(CallError::kind).isEqualTo(CallError.Kind.TURN_AUTH_FAILED);
            assertThat(end.reason()).contains("credentials");
            assertThat(seconds).as("failed within the 5 s connect timeout plus set-up").isLessThan(12);
            // The other side is told its peer left, not that the session ended: it may come back.
            expert.await(expert.peersLeft, Duration.ofSeconds(5), "the learner leaving");
            assertThat(expertCall.ended()).isNotDone();
        }
    }

    @Test
    void turnCredentialsAreRefreshedBeforeExpiryMidCallAndMediaKeepsFlowingThroughTheRelay() throws Exception {
        try (CallHarness session = new CallHarness(engine.get(), RelayKind.IN_MEMORY)) {
            CallRecorder expert = new CallRecorder("expert");
            CallRecorder learner = new CallRecorder("learner");
            RestTurnCredentials rest = credentials(SECRET);
            AtomicInteger learnerFetches = new AtomicInteger();
            // The learner's first credential lives 8 s; each later fetch gets a fresh, long one.
            IceServerSource learnerSource = () -> {
                int n = learnerFetches.incrementAndGet();
                TurnCredential c = rest.issue(session.booking, LEARNER, Instant.now());
                TurnCredential issued = n == 1 ? TurnCredential.builder().username(c.username()).password(c.password())
                        .expiresAt(Instant.now().plusSeconds(8)).uris(c.uris()).build() : c;
                return CompletableFuture.completedFuture(relayOnly(issued));
            };
            DuetCall expertCall = session.keep(relayOnlyCall(session, EXPERT, expert, rest.issue(session.booking, EXPERT, Instant.now())));
            DuetCall learnerCall = session.keep(session.builder(LEARNER, learner).media(LocalMedia.synthetic())
                    .iceServers(learnerSource).refreshBefore(Duration.ofSeconds(4)));
            expertCall.start().get(10, TimeUnit.SECONDS);
            learnerCall.start().get(10, TimeUnit.SECONDS);
            learner.awaitTwoWayMedia(Duration.ofSeconds(30));

            // Refresh at about 4 s: new servers set on the peer connection, then an ICE restart offer.
            learner.await(learner.restartOffers, Duration.ofSeconds(15), "ICE restart after the refresh");
            assertThat(learnerCall.credentialRefreshes()).isEqualTo(1);
            assertThat(learnerFetches.get()).isEqualTo(2);
            learner.reports.clear();
            expert.reports.clear();
            MediaReport after = learner.awaitTwoWayMedia(Duration.ofSeconds(20));
            assertThat(after.relayed()).isTrue();
            assertThat(expert.awaitTwoWayMedia(Duration.ofSeconds(20)).relayed()).isTrue();
        }
    }
}
