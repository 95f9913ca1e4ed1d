package dev.duet.signaling.server;

import dev.duet.core.ConnectionId;
import dev.duet.core.Epoch;
import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.SignalingListener;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.StreamReport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.client.relay.RelayTransport;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A participant in a process of its own, for tests that kill it: joins {@code args[0]} with ticket
 * {@code args[1]}, prints {@code joined}, then reports media flowing both ways every second (each
 * report covering that second) and prints {@code reported N} once the relay accepted it. Runs until
 * killed.
 */
final class ReportingPeer {
    private ReportingPeer() {}

    public static void main(String[] args) throws Exception {
        SignalingTransport transport = RelayTransport.webSocket(URI.create(args[0]), TicketSource.of(args[1]),
                Executors.newSingleThreadExecutor());
        transport.join(new SignalingListener() {}).get(30, TimeUnit.SECONDS);
        System.out.println("joined");
        ScheduledExecutorService every = Executors.newSingleThreadScheduledExecutor();
        int[] n = {0};
        every.scheduleAtFixedRate(() -> {
            int k = ++n[0];
            transport.send(flowing(Instant.now(), Duration.ofSeconds(1)))
                    .thenRun(() -> System.out.println("reported " + k));
        }, 1, 1, TimeUnit.SECONDS);
        Thread.currentThread().join(); // until killed
    }

    /** A report that audio and video flowed both ways during the {@code interval} before {@code at}. */
    static MediaReport flowing(Instant at, Duration interval) {
        List<StreamReport> streams = new ArrayList<>();
        for (MediaDirection d : MediaDirection.values()) {
            for (MediaKind k : MediaKind.values()) {
                streams.add(new StreamReport(d, k, true, 300, 0.0, OptionalDouble.empty(), OptionalDouble.empty(),
                        OptionalDouble.empty(), OptionalInt.empty(), OptionalInt.empty()));
            }
        }
        return new MediaReport(Optional.of(Epoch.of(ConnectionId.of("c-a"), ConnectionId.of("c-b"))), at, false, streams,
                Optional.of(interval));
    }
}
