package dev.duet.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.duet.turn.IceServers;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A Java peer fetches its ICE servers from the app's backend, as a page does (loopback HTTP only). */
class IceServerSourceTest {
    @Test
    void theBackendsJoinAnswerGivesTheServersAndAnErrorAnswerFailsTheFetch() throws Exception {
        AtomicReference<String> asked = new AtomicReference<>();
        HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/api/sessions/s-42/join", exchange -> {
            asked.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = ("{\"url\":\"ws://127.0.0.1:1/v1/sessions/s-42\",\"ticket\":\"duet1.a.b\",\"iceServers\":[{\"urls\":"
                    + "[\"turn:10.77.0.1:3478?transport=udp\"],\"username\":\"1795522500:s-42:expert-ada\",\"credential\":\"pw\"}],"
                    + "\"iceTransportPolicy\":\"relay\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.createContext("/broken", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        backend.start();
        try {
            String base = "http://127.0.0.1:" + backend.getAddress().getPort();
            IceServers servers = IceServerSource.http(URI.create(base + "/api/sessions/s-42/join"), "{\"participant\":\"expert-ada\"}",
                    Duration.ofSeconds(5)).fetch().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(asked.get()).isEqualTo("{\"participant\":\"expert-ada\"}");
            assertThat(servers.urls()).containsExactly("turn:10.77.0.1:3478?transport=udp");
            assertThat(servers.policy()).isEqualTo(IceServers.TransportPolicy.RELAY);
            assertThat(servers.expiresAt()).isPresent();
            assertThatThrownBy(() -> IceServerSource.http(URI.create(base + "/broken"), "{}", Duration.ofSeconds(5)).fetch()
                    .toCompletableFuture().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("HTTP 503");
            assertThatThrownBy(() -> IceServerSource.http(URI.create("ftp://x"), "{}", Duration.ofSeconds(5)))
                    .hasMessageContaining("http or https");
        } finally {
            backend.stop(0);
        }
    }
}
