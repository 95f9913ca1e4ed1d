package dev.duet.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import dev.duet.core.ConnectionId;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.core.DepartureReason;
import dev.duet.signaling.client.JoinResult;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.signaling.client.SignalingListener;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.server.RelayServer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * relay.js against the real relay (loopback, node's own WebSocket): a browser-side learner written
 * from docs/protocol.md and the Java expert exchange chat lines, the learner's heartbeat keeps the
 * connection, and its hang-up reaches the expert as {@code peer-left} with reason {@code hung-up}.
 */
class LiveRelayTest {
    @Test
    void theJavaScriptClientTalksToTheRealRelayAndToAJavaPeer() throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        TicketKey key = TicketKey.of("k1", secret);
        Instant now = Instant.now();
        Booking booking = new Booking(SessionId.of("js-" + now.toEpochMilli()), Participant.expert("expert-ada", "Ada"),
                Participant.learner("learner-bo", "Bo"), now, Duration.ofMinutes(30), Duration.ofMinutes(10), Duration.ofMinutes(5));
        JoinTicketIssuer issuer = new JoinTicketIssuer(key, Duration.ofHours(1));
        ExecutorService callbacks = Executors.newSingleThreadExecutor();
        CompletableFuture<String> lineFromJs = new CompletableFuture<>();
        CompletableFuture<DepartureReason> jsLeft = new CompletableFuture<>();
        try (RelayServer relay = RelayServer.builder(new JoinTicketVerifier(List.of(key), Duration.ofSeconds(30))).start();
                RelayTransport expert = RelayTransport.webSocket(relay.sessionUri(booking.sessionId()),
                        TicketSource.of(issuer.issue(booking, ParticipantId.of("expert-ada"), now)), callbacks)) {
            expert.join(new SignalingListener() {
                @Override
                public void onPeerJoined(Member peer) {
                    expert.send(new ChatMessage("hello from java"));
                }

                @Override
                public void onMessage(ParticipantId from, Instant relayedAt, PeerMessage message) {
                    if (message instanceof ChatMessage chat) {
                        lineFromJs.complete(chat.text());
                    }
                }

                @Override
                public void onPeerLeft(ParticipantId participant, ConnectionId connection, Instant leftAt, DepartureReason reason) {
                    jsLeft.complete(reason);
                }
            }).get(10, TimeUnit.SECONDS);

            Process p = new ProcessBuilder(NodeTestsTest.node().toString(), "--experimental-websocket", "src/test/js/relay-live.mjs",
                    relay.sessionUri(booking.sessionId()).toString(), issuer.issue(booking, ParticipantId.of("learner-bo"), now))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("the JS client's story:%n%s", out).isZero();

            List<JsonNode> story = new ArrayList<>();
            ObjectMapper json = new ObjectMapper();
            for (String line : out.strip().split("\n")) {
                if (line.startsWith("{")) {
                    story.add(json.readTree(line));
                }
            }
            assertThat(story).as(out).anySatisfy(e -> {
                assertThat(e.get("event").asText()).isEqualTo("joined");
                assertThat(e.at("/self/participant").asText()).isEqualTo("learner-bo");
                assertThat(e.at("/peer/participant").asText()).isEqualTo("expert-ada");
            });
            assertThat(story).as(out).anySatisfy(e -> assertThat(e.at("/msg/text").asText()).isEqualTo("hello from java"));
            assertThat(story).as(out).noneSatisfy(e -> assertThat(e.get("event").asText()).isEqualTo("disconnected"));
            assertThat(story.get(story.size() - 1).at("/end/reason").asText()).isEqualTo("hung up: done");
            assertThat(lineFromJs.get(5, TimeUnit.SECONDS)).isEqualTo("hello from js");
            assertThat(jsLeft.get(5, TimeUnit.SECONDS)).isEqualTo(DepartureReason.HUNG_UP);
        } finally {
            callbacks.shutdownNow();
        }
    }
}
