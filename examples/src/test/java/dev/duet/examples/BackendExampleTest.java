package dev.duet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.SessionId;
import dev.duet.core.attendance.Money;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend example over real HTTP on loopback: bookings, join details, the page and duet-web, JSON errors, the webhook. */
class BackendExampleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BOOKING = "{\"expert\":{\"id\":\"expert-ada\",\"name\":\"Ada\"},\"learner\":{\"id\":\"learner-bo\",\"name\":\"Bo\"}}";

    @TempDir
    Path dir;
    private BackendExample backend;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        backend = BackendExample.start(new BackendExample.Config("127.0.0.1", 0, dir, Optional.empty(), Optional.empty(),
                Money.of("EUR", "60.00"), java.time.Duration.ofSeconds(30), Optional.empty()));
    }

    @AfterEach
    void stop() {
        backend.close();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + backend.port() + path))
                .timeout(Duration.ofSeconds(10));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        return JSON.readTree(response.body());
    }

    private void assertError(HttpResponse<String> response, int status, String code, String inMessage) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = json(response);
        assertThat(error.get("error").asText()).isEqualTo(code);
        assertThat(error.get("message").asText()).contains(inMessage);
    }

    @Test
    void aBookingGivesEachParticipantJoinDetailsForDuetWeb() throws Exception {
        HttpResponse<String> booked = call("POST", "/api/bookings", BOOKING);
        assertThat(booked.statusCode()).as(booked.body()).isEqualTo(201);
        JsonNode booking = json(booked);
        String session = booking.get("session").asText();
        assertThat(booking.get("links").get("learner").asText()).isEqualTo("/?session=" + session + "&participant=learner-bo");
        assertThat(Duration.between(Instant.parse(booking.get("start").asText()), Instant.parse(booking.get("end").asText())))
                .isEqualTo(Duration.ofMinutes(60));

        HttpResponse<String> joined = call("POST", "/api/sessions/" + session + "/join", "{\"participant\":\"learner-bo\"}");
        assertThat(joined.statusCode()).as(joined.body()).isEqualTo(200);
        assertThat(joined.headers().firstValue("Cache-Control")).contains("no-store");
        JsonNode details = json(joined);
        assertThat(details.get("url").asText()).isEqualTo("ws://127.0.0.1:" + backend.duet().port() + "/v1/sessions/" + session);
        assertThat(details.get("ticket").asText()).startsWith("duet1.");
        assertThat(details.get("iceServers").isArray()).isTrue();
        assertThat(details.get("iceTransportPolicy").asText()).isEqualTo("all");
    }

    @Test
    void badRequestsGetJsonErrorsThatSayWhatWasExpected() throws Exception {
        String session = json(call("POST", "/api/bookings", BOOKING)).get("session").asText();
        assertError(call("POST", "/api/sessions/" + session + "/join", "{\"participant\":\"mallory\"}"), 403, "not-a-participant",
                "expected its expert or its learner");
        assertError(call("POST", "/api/sessions/s-nope/join", "{\"participant\":\"learner-bo\"}"), 404, "unknown-session", "s-nope");
        assertError(call("POST", "/api/sessions/" + session + "/join", "{\"participant\":"), 400, "malformed-json", "not valid JSON");
        assertError(call("POST", "/api/sessions/" + session + "/join", "{}"), 400, "bad-request", "\"participant\"");
        assertError(call("POST", "/api/sessions/" + session + "/join", "[1]"), 400, "bad-request", "JSON object");
        assertError(call("GET", "/api/sessions/" + session + "/join", null), 405, "method-not-allowed", "expected POST");
        assertError(call("POST", "/api/sessions/" + session + "/join", "{\"participant\":\"" + "x".repeat(20_000) + "\"}"), 413,
                "too-large", "16384");
        assertError(call("POST", "/api/sessions/" + session + "/join", "{\"participant\":\"bad id with spaces\"}"), 400,
                "bad-request", "participant");
        assertError(call("POST", "/api/bookings", "{\"expert\":{\"id\":\"a\"},\"learner\":{\"id\":\"a\"}}"), 400, "bad-request",
                "different participant");
        assertError(call("POST", "/api/bookings", BOOKING.replace("}}", "},\"minutes\":0}")), 400, "bad-request", "1 to 480");
        assertError(call("POST", "/api/bookings", BOOKING.replace("}}", "},\"start\":\"tomorrow\"}")), 400, "bad-request",
                "ISO-8601");
        assertError(call("POST", "/api/bookings", "{\"learner\":{\"id\":\"b\"}}"), 400, "bad-request", "\"expert\"");
        assertError(call("GET", "/nothing/here", null), 404, "not-found", "/nothing/here");
        assertError(call("GET", "/duet-web/..%2Fsecret.js", null), 404, "not-found", "");
        assertError(call("POST", "/webhooks/duet", "{\"session\":\"" + session + "\"}"), 401, "bad-signature", "MALFORMED");
        assertError(call("GET", "/api/sessions/" + session + "/outcome", null), 404, "not-settled", "settles");
    }

    @Test
    void theBackendRunsItsRelayWithoutTheOptionalRedisClient() {
        // Jedis is optional in duet-signaling-server: an app with one relay node does not get it.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Class.forName("redis.clients.jedis.Jedis"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThat(backend.duet().port()).isPositive();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.duet.signaling.server.RelayServer.builder(
                new dev.duet.core.JoinTicketVerifier(java.util.List.of(dev.duet.core.TicketKey.of("k", new byte[32])), Duration.ZERO))
                .redis(URI.create("redis://127.0.0.1:6379"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("redis.clients:jedis");
    }

    @Test
    void itServesThePageAndTheWebJar() throws Exception {
        HttpResponse<String> page = call("GET", "/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.body()).contains("<script type=\"module\" src=\"app.js\">");
        HttpResponse<String> app = call("GET", "/app.js", null);
        assertThat(app.body()).contains("from './duet-web/call.js'");
        HttpResponse<String> client = call("GET", "/duet-web/call.js", null);
        assertThat(client.statusCode()).isEqualTo(200);
        assertThat(client.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
        assertThat(client.body()).contains("export class DuetCall");
        assertThat(call("GET", "/duet-web/call.d.ts", null).body()).contains("interface CallStatus");
    }

    @Test
    void theSignedReportComesBackThroughTheWebhook() throws Exception {
        String session = json(call("POST", "/api/bookings", BOOKING)).get("session").asText();
        assertThat(backend.duet().closeSession(SessionId.of(session), "cancelled by the app")).isTrue();
        // The webhook is posted on the server's own threads: wait for its arrival, then ask over HTTP.
        backend.outcome(SessionId.of(session)).get(15, java.util.concurrent.TimeUnit.SECONDS);
        HttpResponse<String> outcome = call("GET", "/api/sessions/" + session + "/outcome", null);
        assertThat(outcome.statusCode()).as(outcome.body()).isEqualTo(200);
        JsonNode report = json(outcome);
        assertThat(report.get("type").asText()).isEqualTo("session.closed");
        assertThat(report.get("session").asText()).isEqualTo(session);
        assertThat(report.get("outcome").asText()).isEqualTo("neither_showed");
    }
}
