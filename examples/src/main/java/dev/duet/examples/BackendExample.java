package dev.duet.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.duet.core.Booking;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import dev.duet.core.attendance.BillingPolicy;
import dev.duet.core.attendance.Money;
import dev.duet.signaling.server.DuetServer;
import dev.duet.signaling.server.JoinUnavailableException;
import dev.duet.core.WebhookCheck;
import dev.duet.core.WebhookSignature;
import dev.duet.turn.RestTurnCredentials;
import dev.duet.turn.TurnSecret;
import dev.duet.turn.TurnServerAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The backend example: a small HTTP service (the JDK's own server, no framework) that adds expert
 * calls to an app. It books sessions, hands each participant's page its join details, serves the
 * example page ({@code examples/web}) and duet-web from the classpath, runs the relay, and receives
 * the signed session report. Every Duet call in it is in {@link #startDuet} and the three handlers
 * marked "Duet"; the rest is ordinary HTTP plumbing.
 *
 * <pre>
 *   POST /api/bookings                {"expert":{"id","name"},"learner":{"id","name"},"start"?:ISO-8601,"minutes"?:1..480}
 *                                     -> 201 {"session","start","end","opensAt","closesAt","links":{"expert","learner"}}
 *   POST /api/sessions/{id}/join      {"participant":"<id>"} -> 200 duet-web's DuetCall options {url, ticket, iceServers, iceTransportPolicy}
 *   GET  /api/sessions/{id}/outcome   -> 200 the session.closed webhook body once settled, else 404
 *   POST /webhooks/duet               the signed session report (docs/webhooks.md) -> 204
 *   GET  /, /app.js, /style.css       the example page;  GET /duet-web/{file}: the browser client
 * </pre>
 *
 * Errors are JSON, {@code {"error":"<code>","message":"<what was wrong and what was expected>"}},
 * with 400, 403, 404, 405, 410, 413 or 500. A real app takes the participant from its own login
 * instead of the request body, and books from its own calendar; this example trusts the caller.
 */
public final class BackendExample implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 16 * 1024;
    private static final Pattern JOIN = Pattern.compile("/api/sessions/([^/]+)/join");
    private static final Pattern OUTCOME = Pattern.compile("/api/sessions/([^/]+)/outcome");
    private static final Pattern ASSET = Pattern.compile("[a-z0-9][a-z0-9.-]{0,60}\\.(js|ts|css|html|json)");

    /**
     * How to run it.
     *
     * @param host      where the HTTP server and the relay bind
     * @param port      the HTTP port (0: a free one)
     * @param dataDir   where the attendance file goes
     * @param ticketKey the join-ticket key (a fresh random one if empty: tickets then die with the process)
     * @param turn      a coturn with {@code use-auth-secret}, and its secret; empty: no TURN
     * @param rate      what an hour with the expert costs
     * @param settleGrace how long after both left following a hang-up the session is closed and settled
     * @param publicRelayUrl the relay's address as browsers reach it ({@code wss://...} behind a TLS proxy);
     *                       empty: {@code ws://<host>:<relay port>} (required when {@code host} is 0.0.0.0 or ::)
     */
    public record Config(String host, int port, Path dataDir, Optional<TicketKey> ticketKey, Optional<Turn> turn, Money rate,
            Duration settleGrace, Optional<URI> publicRelayUrl) {}

    /** A TURN server using the REST credential scheme (coturn's {@code static-auth-secret}). */
    public record Turn(TurnServerAddress server, TurnSecret secret) {}

    private final HttpServer http;
    private final ExecutorService httpThreads = Executors.newFixedThreadPool(8);
    private final WebhookSignature webhookSignature;
    private final Map<SessionId, CompletableFuture<String>> outcomes = new ConcurrentHashMap<>();
    /** The page's files and duet-web's, read from the classpath once (they never change while it runs). */
    private final Map<String, byte[]> assets = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final String webVersion;
    private DuetServer duet;

    private BackendExample(Config config) throws Exception {
        byte[] webhookSecret = new byte[32];
        random.nextBytes(webhookSecret);
        this.webhookSignature = new WebhookSignature(webhookSecret);
        this.webVersion = webVersion();
        this.http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 64);
        http.setExecutor(httpThreads);
        try {
            this.duet = startDuet(config, URI.create("http://" + hostForUrl(config.host()) + ":" + port() + "/webhooks/duet"));
        } catch (Exception | Error e) {
            http.stop(0);
            httpThreads.shutdownNow();
            throw e;
        }
        http.createContext("/", this::route);
        http.start();
    }

    /** Starts the service; {@link #close()} stops it. */
    public static BackendExample start(Config config) throws Exception {
        return new BackendExample(config);
    }

    // ---------------------------------------------------------------- Duet: the whole integration

    private DuetServer startDuet(Config config, URI webhookUrl) throws Exception {
        DuetServer.Builder builder = DuetServer.builder(config.ticketKey().orElseGet(this::randomKey))
                .host(config.host())
                .attendanceFile(config.dataDir().resolve("attendance.jsonl"))
                .billing(BillingPolicy.perMinute(config.rate()))
                .webhook(webhookUrl, webhookSignature)
                .settleGrace(config.settleGrace());
        config.publicRelayUrl().ifPresent(builder::publicUrl);
        config.turn().ifPresent(t -> builder.turn(new RestTurnCredentials(List.of(t.secret()), t.server(), Duration.ofHours(4)),
                t.server()));
        return builder.start();
    }

    /** Duet: a booking is one call to {@link DuetServer#book}. */
    private void book(HttpExchange exchange) throws IOException {
        JsonNode body = body(exchange);
        Instant start = body.hasNonNull("start") ? instant(body.get("start"), "start") : Instant.now();
        long minutes = body.hasNonNull("minutes") ? body.get("minutes").asLong(-1) : 60;
        if (minutes < 1 || minutes > 480) {
            throw new BadRequest(400, "bad-request", "minutes must be a whole number from 1 to 480, but was " + body.get("minutes"));
        }
        Booking booking = new Booking(SessionId.of("s-" + HexFormat.of().formatHex(randomBytes(6))),
                participant(body, "expert"), participant(body, "learner"), start, Duration.ofMinutes(minutes),
                Duration.ofMinutes(10), Duration.ofMinutes(15));
        duet.book(booking);
        ObjectNode answer = JSON.createObjectNode().put("session", booking.sessionId().value())
                .put("start", booking.start().toString()).put("end", booking.end().toString())
                .put("opensAt", booking.opensAt().toString()).put("closesAt", booking.closesAt().toString());
        ObjectNode links = answer.putObject("links");
        links.put("expert", pageLink(booking.sessionId(), booking.expert().id()));
        links.put("learner", pageLink(booking.sessionId(), booking.learner().id()));
        send(exchange, 201, answer.toString());
    }

    /** Duet: a participant's join details are one call to {@link DuetServer#join}. */
    private void join(HttpExchange exchange, String sessionId) throws IOException {
        String participant = text(body(exchange), "participant");
        try {
            send(exchange, 200, duet.join(SessionId.of(sessionId), ParticipantId.of(participant)).toJson());
        } catch (JoinUnavailableException e) {
            switch (e.reason()) {
                case UNKNOWN_SESSION -> throw new BadRequest(404, "unknown-session", e.getMessage());
                case NOT_A_PARTICIPANT -> throw new BadRequest(403, "not-a-participant", e.getMessage());
                case SESSION_OVER -> throw new BadRequest(410, "session-over", e.getMessage());
                default -> throw e;
            }
        }
    }

    /** Duet: the session report arrives signed; verify before trusting it (docs/webhooks.md). */
    private void webhook(HttpExchange exchange) throws IOException {
        String raw = new String(readBody(exchange), StandardCharsets.UTF_8);
        WebhookCheck check = webhookSignature.verify(exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER), raw,
                Instant.now());
        if (check instanceof WebhookCheck.Refused refused) {
            throw new BadRequest(401, "bad-signature", "the " + WebhookSignature.HEADER + " header did not verify: "
                    + refused.reason() + ": " + refused.message());
        }
        JsonNode report = parse(raw);
        outcome(SessionId.of(text(report, "session"))).complete(raw); // idempotent: a retried delivery changes nothing
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    // ---------------------------------------------------------------- plumbing

    /** The port the page is served on. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** The page's address for {@code participant} of {@code session}, on this machine. */
    public URI pageUrl(SessionId session, ParticipantId participant) {
        return URI.create("http://" + hostForUrl(http.getAddress().getHostString()) + ":" + port() + pageLink(session, participant));
    }

    /** The session's report (the webhook's body), once it has arrived. */
    CompletableFuture<String> outcome(SessionId session) {
        return outcomes.computeIfAbsent(session, s -> new CompletableFuture<>());
    }

    /** The Duet object this backend runs (the browser demo books through it and joins its Java expert with it). */
    public DuetServer duet() {
        return duet;
    }

    private static String pageLink(SessionId session, ParticipantId participant) {
        return "/?session=" + URLEncoder.encode(session.value(), StandardCharsets.UTF_8) + "&participant="
                + URLEncoder.encode(participant.value(), StandardCharsets.UTF_8);
    }

    private static String hostForUrl(String host) {
        if (host.equals("0.0.0.0") || host.equals("::")) {
            return "localhost";
        }
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private void route(HttpExchange exchange) throws IOException {
        try (exchange) {
            handle(exchange);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            Matcher join = JOIN.matcher(path);
            Matcher outcome = OUTCOME.matcher(path);
            if (path.equals("/api/bookings")) {
                only("POST", method);
                book(exchange);
            } else if (join.matches()) {
                only("POST", method);
                join(exchange, decode(join.group(1)));
            } else if (outcome.matches()) {
                only("GET", method);
                CompletableFuture<String> settled = outcomes.get(SessionId.of(decode(outcome.group(1))));
                String body = settled == null ? null : settled.getNow(null);
                if (body == null) {
                    throw new BadRequest(404, "not-settled", "no report for this session yet: it settles once the relay has closed it");
                }
                send(exchange, 200, body);
            } else if (path.equals("/webhooks/duet")) {
                only("POST", method);
                webhook(exchange);
            } else if (path.equals("/") || path.equals("/index.html")) {
                only("GET", method);
                asset(exchange, "META-INF/resources/duet-example/index.html");
            } else if (path.startsWith("/duet-web/") && ASSET.matcher(path.substring(10)).matches()) {
                only("GET", method);
                asset(exchange, "META-INF/resources/webjars/duet-web/" + webVersion + "/" + path.substring(10));
            } else if (ASSET.matcher(path.substring(1)).matches()) {
                only("GET", method);
                asset(exchange, "META-INF/resources/duet-example" + path);
            } else {
                throw new BadRequest(404, "not-found", "no such resource: " + path);
            }
        } catch (BadRequest e) {
            error(exchange, e.status, e.code, e.getMessage());
        } catch (IllegalArgumentException e) { // an id or booking the core refused: its message says what was expected
            error(exchange, 400, "bad-request", e.getMessage());
        } catch (RuntimeException e) {
            error(exchange, 500, "internal-error", "the server failed; see its log");
            throw e;
        }
    }

    private static void only(String expected, String method) {
        if (!expected.equals(method)) {
            throw new BadRequest(405, "method-not-allowed", "expected " + expected + ", but the request was " + method);
        }
    }

    private void asset(HttpExchange exchange, String resource) throws IOException {
        byte[] bytes = assets.get(resource);
        if (bytes == null) {
            bytes = readResource(resource);
            if (bytes.length == 0) { // not cached: a stranger's made-up names must not fill the map
                throw new BadRequest(404, "not-found", "no such file: " + exchange.getRequestURI().getPath());
            }
            assets.put(resource, bytes);
        }
        String type = resource.endsWith(".js") ? "text/javascript" : resource.endsWith(".css") ? "text/css"
                : resource.endsWith(".html") ? "text/html" : resource.endsWith(".json") ? "application/json" : "text/plain";
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A classpath file's bytes; empty when there is no such file (an empty asset is not served either). */
    private static byte[] readResource(String resource) {
        try (InputStream in = BackendExample.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not read " + resource + " from the classpath", e);
        }
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store"); // join details hold a ticket and a TURN password
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        send(exchange, status, JSON.createObjectNode().put("error", code).put("message", message).toString());
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw new BadRequest(413, "too-large", "the body must be at most " + MAX_BODY + " bytes");
            }
            return body;
        }
    }

    private static JsonNode body(HttpExchange exchange) throws IOException {
        return parse(new String(readBody(exchange), StandardCharsets.UTF_8));
    }

    private static JsonNode parse(String raw) {
        try {
            JsonNode node = JSON.readTree(raw);
            if (node == null || !node.isObject()) {
                throw new BadRequest(400, "bad-request", "expected a JSON object as the body");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new BadRequest(400, "malformed-json", "the body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new BadRequest(400, "bad-request", "expected \"" + field + "\" as a non-empty string");
        }
        return value.asText();
    }

    private static Participant participant(JsonNode body, String role) {
        JsonNode p = body.get(role);
        if (p == null || !p.isObject()) {
            throw new BadRequest(400, "bad-request", "expected \"" + role + "\" as an object {\"id\":...,\"name\":...}");
        }
        String id = text(p, "id");
        String name = p.hasNonNull("name") ? text(p, "name") : id;
        return role.equals("expert") ? Participant.expert(id, name) : Participant.learner(id, name);
    }

    private static Instant instant(JsonNode value, String field) {
        try {
            return Instant.parse(value.asText());
        } catch (DateTimeParseException e) {
            throw new BadRequest(400, "bad-request", "expected \"" + field + "\" as an ISO-8601 instant such as "
                    + "2026-11-30T10:00:00Z, but was " + value);
        }
    }

    private static String decode(String raw) {
        return java.net.URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }

    private TicketKey randomKey() {
        return TicketKey.of("example", randomBytes(32));
    }

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String webVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in = BackendExample.class.getClassLoader().getResourceAsStream("META-INF/duet-example.properties")) {
            if (in == null) {
                throw new IllegalStateException("META-INF/duet-example.properties is missing from the classpath: build the examples with Maven");
            }
            p.load(in);
        }
        return p.getProperty("duet.web.version");
    }

    @Override
    public void close() {
        http.stop(0);
        httpThreads.shutdownNow();
        duet.close();
    }

    /** A request the service refuses, with its HTTP status and error code. */
    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        BadRequest(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    // ---------------------------------------------------------------- command line

    static final String USAGE = """
            usage: BackendExample [--host HOST] [--port PORT] [--data DIR] [--turn HOST:PORT]
              --host  where the page and the relay listen (default 127.0.0.1)
              --port  the page's HTTP port (default 8080; 0 for a free one)
              --data  where attendance.jsonl goes (default ./duet-data)
              --turn  a coturn with use-auth-secret; its static-auth-secret comes from DUET_TURN_SECRET
              --public-relay-url  the relay as browsers reach it, e.g. wss://calls.example.com (TLS proxy)
            DUET_TICKET_KEY (base64, 32+ bytes) signs join tickets; without it a random key is used.""";

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 8080;
        Path data = Path.of("duet-data");
        Optional<Turn> turn = Optional.empty();
        Optional<URI> publicRelayUrl = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--host" -> host = required(value, "--host");
                case "--port" -> port = Integer.parseInt(required(value, "--port"));
                case "--data" -> data = Path.of(required(value, "--data"));
                case "--public-relay-url" -> publicRelayUrl = Optional.of(URI.create(required(value, "--public-relay-url")));
                case "--turn" -> {
                    String[] hostPort = required(value, "--turn").split(":");
                    String secret = Optional.ofNullable(System.getenv("DUET_TURN_SECRET")).orElseThrow(
                            () -> new IllegalArgumentException("--turn needs the TURN secret in DUET_TURN_SECRET"));
                    turn = Optional.of(new Turn(TurnServerAddress.of(hostPort[0], Integer.parseInt(hostPort[1])),
                            TurnSecret.of("t1", secret)));
                }
                default -> {
                    System.err.println("unknown option " + args[i] + "\n" + USAGE);
                    System.exit(64);
                }
            }
            i++;
        }
        Files.createDirectories(data);
        Optional<TicketKey> key = Optional.ofNullable(System.getenv("DUET_TICKET_KEY")).map(k -> TicketKey.fromBase64("k1", k));
        BackendExample backend = start(new Config(host, port, data, key, turn, Money.of("EUR", "60.00"), Duration.ofSeconds(30),
                publicRelayUrl));
        Runtime.getRuntime().addShutdownHook(new Thread(backend::close));
        System.out.println("Duet backend example on http://" + hostForUrl(host) + ":" + backend.port() + "/ (relay on port "
                + backend.duet().port() + ")");
        System.out.println("Book a session, then open the two links it returns:");
        System.out.println("  curl -s -X POST http://" + hostForUrl(host) + ":" + backend.port() + "/api/bookings -d "
                + "'{\"expert\":{\"id\":\"expert-ada\",\"name\":\"Ada\"},\"learner\":{\"id\":\"learner-bo\",\"name\":\"Bo\"}}'");
        if (key.isEmpty()) {
            System.out.println("(DUET_TICKET_KEY is not set: a random key signs tickets, so links stop working when this process ends)");
        }
        new java.util.concurrent.CountDownLatch(1).await();
    }

    private static String required(String value, String flag) {
        if (value == null || value.startsWith("--")) {
            throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
        }
        return value;
    }
}
