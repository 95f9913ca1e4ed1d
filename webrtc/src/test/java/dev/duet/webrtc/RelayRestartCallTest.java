package dev.duet.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.testing.ProcessOutput;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Java peers in a call through a relay process (no Redis); the relay is killed with SIGKILL
 * mid-call and started again on the same port. Media keeps flowing peer to peer the whole time (each
 * side's own stats, also while no relay runs); both calls resume on the new relay (docs/protocol.md
 * §7.1) without renegotiating (no new offer, no ICE restart), and chat works again both ways.
 */
class RelayRestartCallTest {
    private static final ParticipantId EXPERT = ParticipantId.of("expert-ada");
    private static final ParticipantId LEARNER = ParticipantId.of("learner-bo");
    private static final byte[] SECRET = new byte[32];
    @RegisterExtension
    static final SyntheticEngine engine = new SyntheticEngine();

    @Test
    void mediaFlowsThroughARelayRestartAndBothCallsResumeWithoutRenegotiating() throws Exception {
        TicketKey key = TicketKey.of("k1", SECRET);
        JoinTicketIssuer issuer = new JoinTicketIssuer(key, Duration.ofHours(2));
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Booking booking = new Booking(SessionId.of("restart-call-" + start.getEpochSecond()), Participant.expert(EXPERT.value(), "Ada"),
                Participant.learner(LEARNER.value(), "Bo"), start, Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
        List<Process> relays = new ArrayList<>();
        List<AutoCloseable> calls = new ArrayList<>();
        ExecutorService expertThread = Executors.newSingleThreadExecutor();
        ExecutorService learnerThread = Executors.newSingleThreadExecutor();
        try {
            Process relay = relay(0, relays);
            int port = Integer.parseInt(ProcessOutput.awaitLine(relay, Pattern.compile("listening on [^:]+:(\\d+)"),
                    Duration.ofSeconds(30)).group(1));
            URI uri = URI.create("ws://127.0.0.1:" + port + "/v1/sessions/" + booking.sessionId().value());
            CallRecorder expert = new CallRecorder("expert");
            CallRecorder learner = new CallRecorder("learner");
            DuetCall expertCall = DuetCall.builder(engine.get(), RelayTransport.webSocket(uri,
                    TicketSource.of(issuer.issue(booking, EXPERT, Instant.now())), expertThread)).listener(expert)
                    .statsInterval(Duration.ofSeconds(1)).media(LocalMedia.synthetic()).build();
            calls.add(expertCall);
            DuetCall learnerCall = DuetCall.builder(engine.get(), RelayTransport.webSocket(uri,
                    TicketSource.of(issuer.issue(booking, LEARNER, Instant.now())), learnerThread)).listener(learner)
                    .statsInterval(Duration.ofSeconds(1)).media(LocalMedia.synthetic()).build();
            calls.add(learnerCall);
            expertCall.start().get(10, TimeUnit.SECONDS);
            learnerCall.start().get(10, TimeUnit.SECONDS);
            TwoPeerCallTest.assertTwoWayMedia(expert, learner);
            int offers = expert.localOffers + learner.localOffers;

            relay.destroyForcibly(); // SIGKILL: the relay's state of the session is gone
            assertThat(relay.waitFor(10, TimeUnit.SECONDS)).isTrue();
            expert.reports.clear();
            learner.reports.clear();
            // No relay runs: media still flows peer to peer, by each side's own stats.
            expert.awaitTwoWayMedia(Duration.ofSeconds(10));
            learner.awaitTwoWayMedia(Duration.ofSeconds(10));

            Process again = relay(port, relays);
            ProcessOutput.awaitLine(again, Pattern.compile("listening on"), Duration.ofSeconds(30));
            learnerCall.sendChat("are you still there?").get(60, TimeUnit.SECONDS);
            assertThat(expert.chats.poll(30, TimeUnit.SECONDS)).as("chat after the restart\n%s", expert.story())
                    .isEqualTo("are you still there?");
            expertCall.sendChat("yes, the call never stopped").get(30, TimeUnit.SECONDS);
            assertThat(learner.chats.poll(30, TimeUnit.SECONDS)).isEqualTo("yes, the call never stopped");

            expert.reports.clear();
            learner.reports.clear();
            expert.awaitTwoWayMedia(Duration.ofSeconds(10));
            learner.awaitTwoWayMedia(Duration.ofSeconds(10));
            assertThat(expert.localOffers + learner.localOffers).as("no renegotiation\n%s\n%s", expert.story(), learner.story())
                    .isEqualTo(offers);
            assertThat(expert.restartOffers).isEmpty();
            assertThat(learner.restartOffers).isEmpty();
            assertThat(expert.peersLeft).as("the expert never heard the learner leave").isEmpty();
            assertThat(learner.peersLeft).as("the learner never heard the expert leave").isEmpty();
        } finally {
            for (int i = calls.size() - 1; i >= 0; i--) {
                calls.get(i).close();
            }
            relays.forEach(Process::destroyForcibly);
            expertThread.shutdownNow();
            learnerThread.shutdownNow();
        }
    }

    private static Process relay(int port, List<Process> relays) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.duet.signaling.server.RelayMain", "--host", "127.0.0.1", "--port",
                Integer.toString(port)).redirectErrorStream(true);
        pb.environment().put("DUET_TICKET_KEYS", "k1:" + Base64.getEncoder().encodeToString(SECRET));
        Process p = pb.start();
        relays.add(p);
        return p;
    }
}
