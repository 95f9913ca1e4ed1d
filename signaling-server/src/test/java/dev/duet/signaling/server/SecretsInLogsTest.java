package dev.duet.signaling.server;

import static dev.duet.signaling.server.TestSession.BOOKING;
import static dev.duet.signaling.server.TestSession.EXPERT;
import static dev.duet.signaling.server.TestSession.KEY;
import static dev.duet.signaling.server.TestSession.LEARNER;
import static dev.duet.signaling.server.TestSession.SESSION;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.duet.core.WebhookSignature;
import dev.duet.core.attendance.BillingPolicy;
import dev.duet.core.attendance.Money;
import dev.duet.core.attendance.SessionReport;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.turn.RestTurnCredentials;
import dev.duet.turn.TurnSecret;
import dev.duet.turn.TurnServerAddress;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every line logged during a whole session, and during a relay start-up with a key written the
 * wrong way round, is searched for every secret in play: the ticket key (in every encoding), the TURN
 * shared secret and the TURN password handed out, the webhook secret, both tickets and a forged one.
 * The session is a full one through {@link DuetServer}: join details, two real transports, chat, a
 * refused forgery, a hang-up, the settled outcome, the signed webhook.
 */
class SecretsInLogsTest {
    private static final String TURN_SECRET = "turn-secret-that-is-long-enough-0123456789";
    private static final byte[] WEBHOOK_SECRET = "webhook-secret-for-the-logs-test-42".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEY_BYTES = RelayProcess.SECRET; // TestSession.KEY's secret

    @TempDir
    Path dir;

    @Test
    void noSecretAppearsInAnythingLoggedDuringAFullSessionOrABadStartUp() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        PrintStream originalOut = System.out;
        System.setErr(new PrintStream(tee(originalErr, captured), true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(tee(originalOut, captured), true, StandardCharsets.UTF_8));
        List<String> secrets = new ArrayList<>(keyEncodings(KEY_BYTES));
        secrets.add(TURN_SECRET);
        secrets.add(new String(WEBHOOK_SECRET, StandardCharsets.UTF_8));
        try {
            secrets.addAll(fullSession());
        } finally {
            System.setErr(originalErr);
            System.setOut(originalOut);
        }
        String startUp = badStartUp();
        String everything = captured.toString(StandardCharsets.UTF_8) + "\n" + startUp;
        assertThat(everything).as("the capture holds the session's log").contains("joined on").contains("settled");
        assertThat(startUp).as("the bad start-up was refused, twice").contains("written secret first");
        for (String secret : secrets) {
            assertThat(everything).as("a secret of %d characters in the log", secret.length()).doesNotContain(secret);
        }
    }

    /** Runs a whole session; returns the secrets it handed out (tickets, TURN password, a forged ticket). */
    private List<String> fullSession() throws Exception {
        CompletableFuture<String> webhook = new CompletableFuture<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            webhook.complete(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        TestSession.SettableClock clock = new TestSession.SettableClock();
        TurnServerAddress turnServer = TurnServerAddress.of("10.77.0.1", 3478);
        RestTurnCredentials turn = new RestTurnCredentials(List.of(TurnSecret.of("t1", TURN_SECRET)), turnServer, Duration.ofHours(2));
        ExecutorService expertThread = Executors.newSingleThreadExecutor();
        ExecutorService learnerThread = Executors.newSingleThreadExecutor();
        List<String> handedOut = new ArrayList<>();
        CompletableFuture<SessionReport> settled = new CompletableFuture<>();
        try (DuetServer duet = DuetServer.builder(KEY).clock(clock).attendanceFile(dir.resolve("attendance.jsonl"))
                .billing(BillingPolicy.perMinute(Money.of("EUR", "60.00"))).settleGrace(Duration.ZERO).turn(turn, turnServer)
                .webhook(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"),
                        new WebhookSignature(WEBHOOK_SECRET))
                .onOutcome((report, charge) -> settled.complete(report)).start()) {
            duet.book(BOOKING);
            JoinDetails expert = duet.join(SESSION, EXPERT);
            JoinDetails learner = duet.join(SESSION, LEARNER);
            JsonNode ice = new ObjectMapper().readTree(learner.toJson()).get("iceServers").get(0);
            handedOut.add(expert.ticket());
            handedOut.add(learner.ticket());
            handedOut.add(ice.get("credential").asText());
            String forged = learner.ticket().substring(0, learner.ticket().length() - 4) + "AAAA";
            handedOut.add(forged);
            // Each object's own text, too.
            System.err.println("details: " + expert + " " + learner + " server: " + duet);

            try (SignalingTransport e = RelayTransport.webSocket(expert.relayUrl(), TicketSource.of(expert.ticket()), expertThread);
                    SignalingTransport l = RelayTransport.webSocket(learner.relayUrl(), TicketSource.of(learner.ticket()),
                            learnerThread);
                    RawClient forger = new RawClient(learner.relayUrl())) {
                e.join(new RecordingListener("")).get(10, TimeUnit.SECONDS);
                l.join(new RecordingListener("")).get(10, TimeUnit.SECONDS);
                forger.send(new Frame.Join(forged, "forger-client-1", 0));
                forger.closeCode(Duration.ofSeconds(5));
                l.send(new ChatMessage("hello")).get(10, TimeUnit.SECONDS);
                clock.set(BOOKING.start().plusSeconds(600));
                e.hangUp("lesson over", Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                l.leave("the expert hung up").get(10, TimeUnit.SECONDS);
            }
            settled.get(15, TimeUnit.SECONDS);
            webhook.get(15, TimeUnit.SECONDS);
            System.err.println("settled: the session's outcome went out by webhook");
        } finally {
            receiver.stop(0);
            expertThread.shutdownNow();
            learnerThread.shutdownNow();
        }
        return handedOut;
    }

    /** A relay started with its key written the wrong way round, in the environment and in a keys file: what it prints. */
    private String badStartUp() throws Exception {
        String secret = Base64.getEncoder().encodeToString(KEY_BYTES);
        Path keysFile = dir.resolve("keys");
        Files.writeString(keysFile, secret + ":k1\n");
        StringBuilder out = new StringBuilder();
        for (boolean inFile : List.of(false, true)) {
            ProcessBuilder pb = inFile ? RelayProcess.builder("--port", "0", "--ticket-keys", keysFile.toString())
                    : RelayProcess.builder("--port", "0");
            pb.environment().remove(RelayMain.KEYS_ENV);
            if (!inFile) {
                pb.environment().put(RelayMain.KEYS_ENV, secret + ":k1");
            }
            Process p = pb.start();
            out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("the relay refuses to start").isNotZero();
        }
        return out.toString();
    }

    /** The key's secret as it might leak: standard and URL-safe base64 (padded or not), hex. */
    private static List<String> keyEncodings(byte[] key) {
        String b64 = Base64.getEncoder().encodeToString(key);
        String url = Base64.getUrlEncoder().withoutPadding().encodeToString(key);
        return List.of(b64, b64.replace("=", ""), url, HexFormat.of().formatHex(key), HexFormat.of().withUpperCase().formatHex(key));
    }

    private static OutputStream tee(OutputStream a, OutputStream b) {
        return new OutputStream() {
            @Override
            public synchronized void write(int c) throws java.io.IOException {
                a.write(c);
                b.write(c);
            }

            @Override
            public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
                a.write(buf, off, len);
                b.write(buf, off, len);
            }
        };
    }
}
