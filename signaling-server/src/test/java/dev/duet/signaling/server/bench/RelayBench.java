package dev.duet.signaling.server.bench;

import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.Participant;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.server.RelayLimits;
import dev.duet.signaling.server.RelayServer;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load harness for one relay node on loopback (not a test): how many sessions and sockets it holds,
 * how many messages per second it forwards, and the forwarding latency (p50/p99), all in one run.
 * Clients are lean JDK WebSockets in the same JVM (2 cores are shared between them and the relay).
 *
 * <p>Run: {@code mvn -B -q -pl signaling-server -am -Pbench -DskipTests verify}
 * ({@code -Dbench.sessions=}, {@code -Dbench.pairs=}, {@code -Dbench.messages=}, {@code -Dbench.rate=}).
 */
public final class RelayBench {
    private static final FrameCodec CODEC = new FrameCodec();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Instant NOW = Instant.parse("2026-11-24T10:10:00Z");

    private RelayBench() {}

    public static void main(String[] args) throws Exception {
        int sessions = Integer.getInteger("bench.sessions", 1000);
        int pairs = Integer.getInteger("bench.pairs", 50);
        int messages = Integer.getInteger("bench.messages", 2000);
        int ratePerPair = Integer.getInteger("bench.rate", 20);

        TicketKey key = TicketKey.of("bench", new byte[32]);
        JoinTicketIssuer issuer = new JoinTicketIssuer(key, Duration.ofHours(2));
        JoinTicketVerifier verifier = new JoinTicketVerifier(List.of(key), Duration.ofSeconds(30));
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        // Per-connection limits raised for the throughput phase, so the node itself is measured.
        RelayLimits limits = new RelayLimits(10_000, 10_000, 100_000, Duration.ofSeconds(3), Duration.ofSeconds(9),
                Duration.ofSeconds(10), 4096);
        System.out.printf(Locale.ROOT, "machine: %d cores, Java %s, max heap %d MiB%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);

        try (RelayServer relay = RelayServer.builder(verifier).clock(clock).limits(limits).start()) {
            // 1. hold: sessions x 2 sockets, all joined
            long heapBefore = usedHeapAfterGc();
            int threadsBefore = Thread.activeCount();
            long t0 = System.nanoTime();
            List<Client> held = new ArrayList<>();
            for (int s = 0; s < sessions; s++) {
                Booking b = booking("hold-" + s);
                held.add(Client.join(relay, b.sessionId(), issuer.issue(b, b.expert().id(), NOW), "e" + s, null));
                held.add(Client.join(relay, b.sessionId(), issuer.issue(b, b.learner().id(), NOW), "l" + s, null));
            }
            for (Client c : held) {
                c.joined.get(30, TimeUnit.SECONDS);
            }
            double joinSeconds = (System.nanoTime() - t0) / 1e9;
            long heapAfter = usedHeapAfterGc();
            System.out.printf(Locale.ROOT, "hold: %d sessions, %d sockets joined in %.2f s (%.0f joins/s); relay reports %d sessions, "
                            + "%d connections; heap +%d MiB (%.1f KiB per socket, clients included); threads %d -> %d%n",
                    sessions, held.size(), joinSeconds, held.size() / joinSeconds, relay.sessionCount(),
                    relay.connectionCount(), (heapAfter - heapBefore) >> 20, (heapAfter - heapBefore) / 1024.0 / held.size(),
                    threadsBefore, Thread.activeCount());

            // 2. throughput: pairs send as fast as they can
            Result burst = exchange(relay, issuer, pairs, messages, 0, "burst");
            System.out.printf(Locale.ROOT, "throughput: %d pairs x %d messages = %d forwarded in %.2f s: %.0f messages/s; "
                            + "latency under saturation p50 %.2f ms, p99 %.2f ms%n",
                    pairs, messages, burst.count, burst.seconds, burst.count / burst.seconds, burst.p50, burst.p99);

            // 3. latency at a steady, realistic rate
            Result steady = exchange(relay, issuer, pairs, ratePerPair * 10, ratePerPair, "steady");
            System.out.printf(Locale.ROOT, "latency: %d pairs at %d messages/s each (%d/s total) for 10 s: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    pairs, ratePerPair, pairs * ratePerPair, steady.p50, steady.p99, steady.max);
            held.forEach(Client::close);
        }
    }

    private record Result(long count, double seconds, double p50, double p99, double max) {}

    /** {@code pairs} sessions; each learner sends {@code messages} chats to its expert, paced at {@code rate}/s (0: as fast as possible). */
    private static Result exchange(RelayServer relay, JoinTicketIssuer issuer, int pairs, int messages, int rate, String tag)
            throws Exception {
        long[] latencies = new long[pairs * messages];
        AtomicLong received = new AtomicLong();
        CountDownLatch done = new CountDownLatch(pairs * messages);
        List<Client> senders = new ArrayList<>();
        List<Client> receivers = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            Booking b = booking(tag + "-" + p);
            receivers.add(Client.join(relay, b.sessionId(), issuer.issue(b, b.expert().id(), NOW), "r" + tag + p, text -> {
                int at = text.indexOf("\"text\":\"t");
                if (at > 0) {
                    long sent = Long.parseLong(text.substring(at + 9, text.indexOf('"', at + 9)));
                    int i = (int) received.getAndIncrement();
                    if (i < latencies.length) {
                        latencies[i] = System.nanoTime() - sent;
                    }
                    done.countDown();
                }
            }));
            senders.add(Client.join(relay, b.sessionId(), issuer.issue(b, b.learner().id(), NOW), "s" + tag + p, null));
        }
        for (Client c : senders) {
            c.joined.get(30, TimeUnit.SECONDS);
        }
        for (Client c : receivers) {
            c.joined.get(30, TimeUnit.SECONDS);
        }
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (Client sender : senders) {
            Thread t = new Thread(() -> {
                long interval = rate == 0 ? 0 : 1_000_000_000L / rate;
                long next = System.nanoTime();
                for (int i = 1; i <= messages; i++) {
                    if (interval > 0) {
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                        next += interval;
                    }
                    sender.send(CODEC.encode(new Frame.Send(i, new ChatMessage("t" + System.nanoTime()))));
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(tag + ": only " + received.get() + " of " + latencies.length + " arrived");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        senders.forEach(Client::close);
        receivers.forEach(Client::close);
        long[] sorted = Arrays.copyOf(latencies, (int) Math.min(received.get(), latencies.length));
        Arrays.sort(sorted);
        return new Result(sorted.length, seconds, sorted[sorted.length / 2] / 1e6,
                sorted[(int) (sorted.length * 0.99)] / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    private static Booking booking(String id) {
        return new Booking(SessionId.of(id), Participant.expert("expert-" + id, "E"), Participant.learner("learner-" + id, "L"),
                Instant.parse("2026-11-24T10:00:00Z"), Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** A minimal protocol client: joins, sends what it is given one at a time, hands received text to a callback. */
    private static final class Client {
        final CompletableFuture<Void> joined = new CompletableFuture<>();
        private final WebSocket socket;
        private CompletableFuture<WebSocket> last = CompletableFuture.completedFuture(null);

        private Client(WebSocket socket) {
            this.socket = socket;
        }

        static Client join(RelayServer relay, SessionId session, String ticket, String clientId,
                java.util.function.Consumer<String> onText) {
            CompletableFuture<Void> joined = new CompletableFuture<>();
            WebSocket ws = HTTP.newWebSocketBuilder().buildAsync(relay.sessionUri(session), new WebSocket.Listener() {
                private final StringBuilder partial = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean lastPart) {
                    partial.append(data);
                    if (lastPart) {
                        String text = partial.toString();
                        partial.setLength(0);
                        if (text.contains("\"type\":\"joined\"")) {
                            joined.complete(null);
                        } else if (onText != null) {
                            onText.accept(text);
                        }
                    }
                    w.request(1);
                    return null;
                }
            }).join();
            Client c = new Client(ws);
            joined.whenComplete((v, e) -> c.joined.complete(null));
            c.send(CODEC.encode(new Frame.Join(ticket, clientId + "-bench", 0)));
            return c;
        }

        synchronized void send(String text) {
            last = last.thenCompose(w -> socket.sendText(text, true));
        }

        void close() {
            socket.abort();
        }
    }
}
