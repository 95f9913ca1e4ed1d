package dev.duet.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.signaling.client.TicketSource;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An engine closed while calls are being built on another thread closes every call it has, and
 * never sees one half built (a call registered itself from its constructor, before its thread
 * existed, so a concurrent close failed on it).
 */
class EngineCloseTest {
    @Test
    void closingTheEngineWhileCallsAreBuiltClosesEveryOneCleanly() throws Exception {
        for (int round = 0; round < 5; round++) {
            MediaEngine engine = MediaEngine.synthetic();
            List<DuetCall> built = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> builder = CompletableFuture.runAsync(() -> {
                try {
                    while (true) {
                        built.add(DuetCall.builder(engine, RelayTransport.webSocket(URI.create("ws://127.0.0.1:9/v1/sessions/s-1"),
                                TicketSource.of("duet1.x.y"), Runnable::run)).build());
                    }
                } catch (IllegalStateException closed) {
                    assertThat(closed).hasMessageContaining("media engine is closed");
                }
            });
            while (built.size() < 20) {
                Thread.onSpinWait(); // let some calls exist before the close races the next builds
            }
            CompletableFuture<Void> closing = CompletableFuture.runAsync(engine::close);
            closing.get(30, TimeUnit.SECONDS); // throws if closing a call failed
            builder.get(30, TimeUnit.SECONDS);
            for (DuetCall call : built) {
                assertThat(call.ended().get(10, TimeUnit.SECONDS).reason()).as("round %d", round).isEqualTo("closed by the app");
            }
        }
    }
}
