package dev.duet.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.Booking;
import dev.duet.core.Epoch;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.Participant;
import dev.duet.core.SessionId;
import dev.duet.core.negotiation.Signal;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.CloseCode;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.testing.Await;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A bounded soak of one relay node: sessions join, negotiate (ready both ways, an offer, its
 * answer), chat and hang up, in waves of 100 at a time. 100 sessions in the normal run; the soak
 * profile ({@code -Psoak}: {@code duet.soak.sessions=1000}) runs 1,000. Afterwards the
 * node holds no session and no connection, the process has no more sockets or non-pool threads than
 * before, and the heap after a collection is back near its baseline. Every figure is printed.
 */
class RelaySoakTest {
    private static final int WAVE = 100;

    @Test
    void sessionsInWavesLeaveNoSessionSocketOrThreadBehindAndMemoryReturnsNearItsBaseline() throws Exception {
        int sessions = Integer.getInteger("duet.soak.sessions", 100);
        JoinTicketIssuer issuer = TestSession.ISSUER;
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ExecutorService drivers = Executors.newFixedThreadPool(16);
        try (RelayServer relay = RelayServer.builder(TestSession.VERIFIER).settleGrace(Duration.ZERO).start()) {
            runWave(relay, issuer, start, -1, 20, drivers); // a warm-up wave, so that the baseline has the pools warm
            Await.until(() -> relay.connectionCount() == 0, Duration.ofSeconds(30), "the warm-up's connections closed");
            Baseline before = Baseline.now();
            long began = System.nanoTime();
            for (int wave = 0; wave * WAVE < sessions; wave++) {
                runWave(relay, issuer, start, wave, Math.min(WAVE, sessions - wave * WAVE), drivers);
            }
            long tookMillis = (System.nanoTime() - began) / 1_000_000;
            Await.until(() -> relay.connectionCount() == 0 && relay.sessionCount() == 0, Duration.ofSeconds(30),
                    "every connection and session gone");
            // The node forgets a closed session's state at its next sweep (every second), and Jetty's
            // buffer pool shrinks as it is used: wait (on the figure, at most 15 s) for the heap to return.
            Await.until(() -> Baseline.heapAfterGc() <= before.heapMiB + 16, Duration.ofSeconds(15),
                    "the heap back within 16 MiB of its baseline");
            Baseline after = Baseline.now();
            System.out.printf("soak: %d sessions in %d ms; fds %d -> %d; non-pool threads %d -> %d (pool %d -> %d); "
                    + "heap after GC %d -> %d MiB%n", sessions, tookMillis, before.fds, after.fds, before.threads, after.threads,
                    before.poolThreads, after.poolThreads, before.heapMiB, after.heapMiB);
            assertThat(relay.connectionCount()).isZero();
            assertThat(relay.sessionCount()).isZero();
            assertThat(after.fds).as("open file descriptors (sockets)").isLessThanOrEqualTo(before.fds + 8);
            assertThat(after.threads).as("threads outside the pools").isLessThanOrEqualTo(before.threads + 2);
            assertThat(after.heapMiB).as("heap after a collection, MiB").isLessThanOrEqualTo(before.heapMiB + 16);
        } finally {
            drivers.shutdownNow();
        }
    }

    private static void runWave(RelayServer relay, JoinTicketIssuer issuer, Instant start, int wave, int count,
            ExecutorService drivers) throws Exception {
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Booking booking = new Booking(SessionId.of("soak-" + wave + "-" + i), Participant.expert("expert-ada", "Ada"),
                    Participant.learner("learner-bo", "Bo"), start, Duration.ofHours(1), Duration.ofMinutes(10),
                    Duration.ofMinutes(15));
            running.add(drivers.submit(() -> {
                session(relay, issuer, booking);
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    /** One whole session: both join, negotiate, chat, hang up. */
    private static void session(RelayServer relay, JoinTicketIssuer issuer, Booking booking) throws Exception {
        try (RawClient expert = new RawClient(relay.sessionUri(booking.sessionId()));
                RawClient learner = new RawClient(relay.sessionUri(booking.sessionId()))) {
            expert.send(new Frame.Join(issuer.issue(booking, TestSession.EXPERT, Instant.now()), "soak-expert-1", 0));
            Member e = expert.next(Frame.JoinAccepted.class).self();
            learner.send(new Frame.Join(issuer.issue(booking, TestSession.LEARNER, Instant.now()), "soak-learner-1", 0));
            Member l = learner.next(Frame.JoinAccepted.class).self();
            expert.next(Frame.PeerJoined.class);
            Epoch epoch = Epoch.of(e.connection(), l.connection());
            String sdp = "v=0\r\na=ice-ufrag:soak\r\n";
            learner.send(send(1, new PeerMessage.Negotiation(new Signal.Ready(epoch))));
            expert.send(send(1, new PeerMessage.Negotiation(new Signal.Ready(epoch))));
            nextDelivery(expert);
            nextDelivery(learner);
            learner.send(send(2, new PeerMessage.Negotiation(new Signal.Offer(epoch, 1, sdp))));
            nextDelivery(expert);
            expert.send(send(2, new PeerMessage.Negotiation(new Signal.Answer(epoch, 1, sdp))));
            nextDelivery(learner);
            learner.send(send(3, new ChatMessage("hello from " + booking.sessionId().value())));
            assertThat(nextDelivery(expert).message()).isEqualTo(new ChatMessage("hello from " + booking.sessionId().value()));
            expert.send(new Frame.Leave("lesson over", true));
            learner.send(new Frame.Leave("the expert hung up"));
            assertThat(expert.closeCode(Duration.ofSeconds(10))).isIn(CloseCode.NORMAL.code(), CloseCode.SESSION_CLOSED.code());
            assertThat(learner.closeCode(Duration.ofSeconds(10))).isIn(CloseCode.NORMAL.code(), CloseCode.SESSION_CLOSED.code());
        }
    }

    private static Frame.Send send(long seq, PeerMessage message) {
        return new Frame.Send(seq, message);
    }

    /** The next delivery, skipping acknowledgements and presence frames. */
    private static Frame.Deliver nextDelivery(RawClient client) {
        while (true) {
            if (client.next() instanceof Frame.Deliver d) {
                client.send(new Frame.Ack(d.dseq()));
                return d;
            }
        }
    }

    /** What the process holds: file descriptors, threads outside Jetty's and the HTTP client's pools, the heap after a GC. */
    private record Baseline(long fds, int threads, int poolThreads, long heapMiB) {
        static Baseline now() throws Exception {
            long fds = -1; // where /proc is missing (not Linux), not measured
            if (Files.isDirectory(Path.of("/proc/self/fd"))) {
                try (var list = Files.list(Path.of("/proc/self/fd"))) {
                    fds = list.count();
                }
            }
            int threads = 0;
            int pool = 0;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("qtp") || t.getName().startsWith("HttpClient-") || t.getName().startsWith("pool-")) {
                    pool++;
                } else {
                    threads++;
                }
            }
            return new Baseline(fds, threads, pool, heapAfterGc());
        }

        static long heapAfterGc() {
            System.gc();
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
        }
    }
}
