package dev.duet.signaling.server;

import static dev.duet.signaling.server.TestSession.EXPERT;
import static dev.duet.signaling.server.TestSession.LEARNER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.SessionId;
import dev.duet.signaling.client.wire.Frame;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * What keeps the relay cheap per connection (docs/benchmarks.md, "Relay against the PeerJS
 * server"): no compression unless asked for, a bounded thread pool.
 */
class RelayEfficiencyTest {

    /** Upgrades a raw socket offering permessage-deflate, as browsers do; returns the response's header lines. */
    private static List<String> upgradeOfferingDeflate(RelayServer relay) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", relay.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            String key = Base64.getEncoder().encodeToString("sixteen-byte-key".getBytes(StandardCharsets.US_ASCII));
            out.write(("GET /v1/sessions/s-42 HTTP/1.1\r\nHost: 127.0.0.1:" + relay.port() + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            List<String> lines = new ArrayList<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                lines.add(line.toLowerCase(Locale.ROOT));
            }
            return lines;
        }
    }

    @Test
    void theRelayDeclinesPermessageDeflateUnlessItIsTurnedOn() throws Exception {
        try (RelayServer relay = RelayServer.builder(TestSession.VERIFIER).clock(TestSession.CLOCK).start()) {
            List<String> response = upgradeOfferingDeflate(relay);
            assertThat(response.get(0)).contains("101");
            assertThat(response).noneMatch(h -> h.startsWith("sec-websocket-extensions"));
        }
        try (RelayServer relay = RelayServer.builder(TestSession.VERIFIER).clock(TestSession.CLOCK).permessageDeflate(true).start()) {
            List<String> response = upgradeOfferingDeflate(relay);
            assertThat(response.get(0)).contains("101");
            assertThat(response).anyMatch(h -> h.startsWith("sec-websocket-extensions: permessage-deflate"));
        }
    }

    @Test
    void theRelayServesManyConnectionsOnItsBoundedPool() throws Exception {
        int threads = 6;
        try (RelayServer relay = RelayServer.builder(TestSession.VERIFIER).clock(TestSession.CLOCK).threads(threads).start()) {
            List<RawClient> clients = new ArrayList<>();
            try {
                for (int s = 0; s < 40; s++) {
                    SessionId session = SessionId.of("s-pool-" + s);
                    for (var who : List.of(EXPERT, LEARNER)) {
                        RawClient c = new RawClient(relay.sessionUri(session));
                        clients.add(c);
                        c.send(new Frame.Join(TestSession.ticket(session, who), who.value() + "-client-" + s, 0));
                    }
                }
                for (RawClient c : clients) {
                    c.next(Frame.JoinAccepted.class);
                }
                long poolThreads = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("duet-relay-") && !t.getName().equals("duet-relay-sweeper")).count();
                assertThat(poolThreads).as("the relay's pool threads serving 80 connections").isBetween(1L, (long) threads);
            } finally {
                for (RawClient c : clients) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aPoolTooSmallForJettyIsRefusedWithTheRange() {
        assertThatThrownBy(() -> RelayServer.builder(TestSession.VERIFIER).threads(3))
                .hasMessage("threads must be 4 to 1024, but was 3");
    }
}
