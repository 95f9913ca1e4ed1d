package dev.duet.webrtc;

import dev.duet.core.internal.Checks;
import dev.duet.turn.IceServers;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where a call gets its ICE servers: once at the start and again before the TURN credential in
 * them expires ({@link IceServers#expiresAt()}). Normally this asks the app's backend, which mints
 * credentials for the booking. Called on the call's thread; must not block (return a future).
 */
@FunctionalInterface
public interface IceServerSource {
    CompletionStage<IceServers> fetch();

    /**
     * Asks the app's backend on every fetch: POSTs {@code requestBody} (JSON) to {@code url} and reads
     * {@code iceServers} and {@code iceTransportPolicy} from the JSON answer
     * ({@link IceServers#fromRtcConfigurationJson}), so a backend's join endpoint that answers
     * {@code DuetServer.join(...).toJson()} serves a Java peer as it serves a page. A non-2xx
     * answer, a timeout or malformed JSON fails the future (the call reports it and keeps its old
     * servers until they expire).
     *
     * @param timeout per request, 1 s to 1 min
     */
    static IceServerSource http(java.net.URI url, String requestBody, java.time.Duration timeout) {
        Checks.notNull(url, "url");
        Checks.notNull(requestBody, "requestBody");
        Checks.notNull(timeout, "timeout");
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException("url must be http or https, but was " + url);
        }
        if (timeout.compareTo(java.time.Duration.ofSeconds(1)) < 0 || timeout.compareTo(java.time.Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("timeout must be 1 s to 1 min, but was " + timeout);
        }
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().connectTimeout(timeout).build();
        return () -> client.sendAsync(java.net.http.HttpRequest.newBuilder(url).timeout(timeout)
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(requestBody)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> {
                    if (response.statusCode() / 100 != 2) {
                        throw new IllegalStateException("the ICE server endpoint " + url + " answered HTTP " + response.statusCode());
                    }
                    return IceServers.fromRtcConfigurationJson(response.body());
                });
    }

    /** Always the same list (no refresh: fine for lists without credentials or for short calls). */
    static IceServerSource fixed(IceServers servers) {
        Checks.notNull(servers, "servers");
        return () -> CompletableFuture.completedFuture(servers);
    }
}
