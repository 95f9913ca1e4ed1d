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

    /** Always the same list (no refresh: fine for lists without credentials or for short calls). */
    static IceServerSource fixed(IceServers servers) {
        Checks.notNull(servers, "servers");
        return () -> CompletableFuture.completedFuture(servers);
    }
}
