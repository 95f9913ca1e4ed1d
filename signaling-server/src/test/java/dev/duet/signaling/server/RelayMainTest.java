package dev.duet.signaling.server;

import dev.duet.core.WebhookSignature;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayMainTest {
    private static final String SECRET = Base64.getEncoder().encodeToString(new byte[] {
            9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8});

    @Test
    void keysComeFromAFileOrTheEnvironmentNeverFromAFlagValue(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "# newest first\nk2:" + SECRET + "\nk1:" + SECRET + "\n");
        RelayMain.Options fromFile = RelayMain.Options.parse(new String[] {"--port", "0", "--ticket-keys", file.toString()}, Map.of());
        assertThat(fromFile.keys()).extracting(k -> k.keyId()).containsExactly("k2", "k1");
        assertThat(fromFile.port()).isZero();

        RelayMain.Options fromEnv = RelayMain.Options.parse(new String[0], Map.of(RelayMain.KEYS_ENV, "a:" + SECRET + ";b:" + SECRET));
        assertThat(fromEnv.keys()).hasSize(2);
        assertThat(fromEnv.host()).isEqualTo("127.0.0.1");
        assertThat(fromEnv.toString()).doesNotContain(SECRET);
    }

    @Test
    void badOptionsSayWhatWasExpectedWithoutShowingSecrets() {
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[0], Map.of()))
                .hasMessageContaining("no ticket keys: give --ticket-keys FILE or set DUET_TICKET_KEYS");
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[] {"--secret", "x"}, Map.of()))
                .hasMessageContaining("unknown option --secret; expected one of --host, --port, --ticket-keys, --redis, --redis-cluster, --attendance,");
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[] {"--port", "eighty"}, Map.of()))
                .hasMessageContaining("--port must be a number");
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[0], Map.of(RelayMain.KEYS_ENV, "just-a-secret-" + SECRET)))
                .hasMessageContaining("expected \"keyId:base64secret\"").message().doesNotContain(SECRET);
        // Written the wrong way round: the "key id" is the secret, and it must not be printed.
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[0], Map.of(RelayMain.KEYS_ENV, SECRET + ":k1")))
                .hasMessageContaining("the key id before the colon must be").message().doesNotContain(SECRET)
                .doesNotContain(SECRET.substring(0, 12));
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[0], Map.of(RelayMain.KEYS_ENV, "k:c2hvcnQ=")))
                .hasMessageContaining("secret must be at least 32 bytes");
    }

    @Test
    void compressionAndThePoolSizeAreOptionsCheckedForRange() {
        Map<String, String> env = Map.of(RelayMain.KEYS_ENV, "k:" + SECRET);
        RelayMain.Options defaults = RelayMain.Options.parse(new String[0], env);
        assertThat(defaults.permessageDeflate()).isFalse();
        assertThat(defaults.threads()).as("the relay's own default").isZero();
        RelayMain.Options set = RelayMain.Options.parse(new String[] {"--permessage-deflate", "on", "--threads", "16"}, env);
        assertThat(set.permessageDeflate()).isTrue();
        assertThat(set.threads()).isEqualTo(16);
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[] {"--permessage-deflate", "yes"}, env))
                .hasMessage("--permessage-deflate must be on or off, but was yes");
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[] {"--threads", "2"}, env))
                .hasMessageContaining("--threads must be");
    }

    private static final String WEBHOOK_SECRET = "a-webhook-secret-of-at-least-32-bytes!";

    @Test
    void settlingOptionsAreCheckedTogether(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of(RelayMain.KEYS_ENV, "k:" + SECRET);
        String attendance = dir.resolve("a.jsonl").toString();
        String bookings = dir.resolve("b.jsonl").toString();
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[] {"--attendance", attendance, "--bookings", bookings}, env))
                .hasMessageContaining("needs --rate CUR:AMOUNT");
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[] {"--rate", "EUR:60.00"}, env))
                .hasMessageContaining("--rate needs --attendance FILE and --bookings FILE");
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[] {"--attendance", attendance, "--bookings", bookings,
                "--rate", "EUR:60.00", "--webhook", "http://127.0.0.1:9/hook"}, env))
                .hasMessageContaining("DUET_WEBHOOK_SECRET");
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[] {"--attendance", attendance, "--bookings", bookings,
                "--rate", "EUR60"}, env)).hasMessageContaining("--rate must be CURRENCY:AMOUNT per hour");
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[] {"--rounding", "sideways"}, env))
                .hasMessageContaining("--rounding must be up, down or nearest");
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[] {"--settle-grace", "-1"}, env))
                .hasMessageContaining("--settle-grace must be a number from 0 to 3600");
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[] {"--redis-cluster", "redis://a:1,http://b:2"}, env))
                .hasMessageContaining("--redis-cluster must be redis://host:port, but was http://b:2");
        assertThat(RelayMain.Options.parse(new String[] {"--redis-cluster", "redis://a:7001, redis://b:7002"}, env).redisCluster())
                .hasSize(2);
        Map<String, String> withSecret = Map.of(RelayMain.KEYS_ENV, "k:" + SECRET, RelayMain.WEBHOOK_SECRET_ENV, WEBHOOK_SECRET);
        RelayMain.Options ok = RelayMain.Options.parse(new String[] {"--attendance", attendance, "--bookings", bookings,
                "--rate", "EUR:90.00", "--increment", "1", "--minimum", "0.10", "--webhook", "http://127.0.0.1:9/hook"}, withSecret);
        assertThat(ok.billing().toString()).contains("EUR 90.00/h", "1 s UP", "minimum EUR 0.10");
        assertThat(ok.toString()).doesNotContain(WEBHOOK_SECRET, SECRET);
    }

    @Test
    void aStandaloneNodeSettlesASessionByItselfAndPostsTheSignedWebhook(@TempDir Path dir) throws Exception {
        java.time.Instant now = java.time.Instant.now();
        dev.duet.core.Booking booking = new dev.duet.core.Booking(dev.duet.core.SessionId.of("solo-1"),
                dev.duet.core.Participant.expert("expert-ada", "Ada"), dev.duet.core.Participant.learner("learner-bo", "Bo"),
                now, java.time.Duration.ofMinutes(30), java.time.Duration.ofMinutes(10), java.time.Duration.ofMinutes(5));
        Path bookings = dir.resolve("bookings.jsonl");
        Files.writeString(bookings, "# appended by the app's backend\n"
                + "{\"session\":\"solo-1\",\"expert\":{\"id\":\"expert-ada\",\"name\":\"Ada\"},"
                + "\"learner\":{\"id\":\"learner-bo\",\"name\":\"Bo\"},\"start\":\"" + now + "\",\"durationSeconds\":1800,"
                + "\"openBeforeSeconds\":600,\"graceAfterSeconds\":300}\n");
        java.util.concurrent.BlockingQueue<String[]> posts = new java.util.concurrent.LinkedBlockingQueue<>();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            posts.add(new String[] {new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
                    exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER)});
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        byte[] key = Base64.getDecoder().decode(SECRET);
        dev.duet.core.JoinTicketIssuer issuer = new dev.duet.core.JoinTicketIssuer(dev.duet.core.TicketKey.of("k", key),
                java.time.Duration.ofHours(1));
        RelayMain.Options options = RelayMain.Options.parse(new String[] {"--port", "0", "--attendance",
                dir.resolve("attendance.jsonl").toString(), "--bookings", bookings.toString(), "--settle-grace", "0",
                "--rate", "EUR:60.00", "--webhook", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"},
                Map.of(RelayMain.KEYS_ENV, "k:" + SECRET, RelayMain.WEBHOOK_SECRET_ENV, WEBHOOK_SECRET));
        try (RelayMain.Node node = RelayMain.Node.start(options)) {
            assertThat(node.settling()).isTrue();
            java.net.URI uri = node.relay().sessionUri(booking.sessionId());
            try (RawClient expert = new RawClient(uri); RawClient learner = new RawClient(uri)) {
                expert.send(new dev.duet.signaling.client.wire.Frame.Join(issuer.issue(booking,
                        dev.duet.core.ParticipantId.of("expert-ada"), now), "expert-client-1", 0));
                expert.next(dev.duet.signaling.client.wire.Frame.JoinAccepted.class);
                learner.send(new dev.duet.signaling.client.wire.Frame.Join(issuer.issue(booking,
                        dev.duet.core.ParticipantId.of("learner-bo"), now), "learner-client-1", 0));
                learner.next(dev.duet.signaling.client.wire.Frame.JoinAccepted.class);
                expert.send(new dev.duet.signaling.client.wire.Frame.Leave("lesson over", true));
                learner.send(new dev.duet.signaling.client.wire.Frame.Leave("peer hung up"));
                String[] post = posts.poll(15, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(post).as("the settled session's webhook within 15 s").isNotNull();
                assertThat(post[0]).contains("\"session\":\"solo-1\"", "\"type\":\"session.closed\"");
                assertThat(new WebhookSignature(WEBHOOK_SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .verify(post[1], post[0], java.time.Instant.now())).isInstanceOf(dev.duet.core.WebhookCheck.Accepted.class);
            }
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void aBookingsLineThatIsNotABookingSaysWhy() {
        assertThatThrownBy(() -> FileBookings.parse("{\"session\":\"s-1\"}")).hasMessageContaining("expert must be an object");
        assertThatThrownBy(() -> FileBookings.parse("[1]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> FileBookings.parse("{\"session\":\"s-1\",\"expert\":{\"id\":\"e\",\"name\":\"E\"},"
                + "\"learner\":{\"id\":\"l\",\"name\":\"L\"},\"start\":\"tomorrow\"}")).hasMessageContaining("ISO-8601");
    }
}
