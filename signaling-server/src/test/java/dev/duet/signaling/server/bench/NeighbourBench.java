package dev.duet.signaling.server.bench;

import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.server.RelayLimits;
import dev.duet.signaling.server.RelayServer;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A flood's neighbours (not a test): one relay node with its default limits carries a quiet
 * session, whose learner sends a chat line every 50 ms that the expert times from send to delivery,
 * while an attacker in a process of its own abuses the node in each way issue 14 lists, one phase after another:
 * malformed frames, binary frames, oversized frames, join/leave cycles, slowloris upgrades. Prints
 * the quiet session's forwarding latency (p50, p99, max) per phase, next to a phase without abuse.
 *
 * <p>Run: {@code mvn -B -q -pl signaling-server -Pbench test-compile exec:java@neighbour-bench}
 * ({@code -Dbench.phaseSeconds=} how long each phase lasts, 8 by default).
 */
public final class NeighbourBench {
    private static final FrameCodec CODEC = new FrameCodec();
    /** The quiet session's client and the attacker's are separate, as on separate machines: they share no selector. */
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final HttpClient ATTACKER_HTTP = HttpClient.newHttpClient();
    private static final Instant NOW = Instant.parse("2026-11-24T10:10:00Z");
    private static final ParticipantId EXPERT = ParticipantId.of("expert-ada");
    private static final ParticipantId LEARNER = ParticipantId.of("learner-bo");

    private NeighbourBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("attack")) {
            attack(args[1], URI.create(args[2]), args[3], Integer.parseInt(args[4]));
            return;
        }
        int seconds = Integer.getInteger("bench.phaseSeconds", 8);
        TicketKey key = TicketKey.of("bench", new byte[32]);
        JoinTicketIssuer issuer = new JoinTicketIssuer(key, Duration.ofHours(2));
        try (RelayServer relay = RelayServer.builder(new JoinTicketVerifier(List.of(key), Duration.ofSeconds(30)))
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).limits(RelayLimits.defaults()).start()) {
            System.out.printf(Locale.ROOT, "machine: %d cores, Java %s; relay with default limits; %d s per phase%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), seconds);
            Booking quiet = booking("quiet");
            Booking noisy = booking("noisy");
            URI quietUri = relay.sessionUri(quiet.sessionId());
            URI noisyUri = relay.sessionUri(noisy.sessionId());
            Ws expert = Ws.open(quietUri);
            expert.send(new Frame.Join(issuer.issue(quiet, EXPERT, NOW), "quiet-expert-1", 0));
            expert.await("\"type\":\"joined\"");
            Ws learner = Ws.open(quietUri);
            learner.send(new Frame.Join(issuer.issue(quiet, LEARNER, NOW), "quiet-learner-1", 0));
            learner.await("\"type\":\"joined\"");
            String noisyTicket = issuer.issue(noisy, LEARNER, NOW);
            Ws noisyExpert = Ws.open(noisyUri); // so that the noisy session has a peer to deliver to
            noisyExpert.send(new Frame.Join(issuer.issue(noisy, EXPERT, NOW), "noisy-expert-1", 0));
            noisyExpert.await("\"type\":\"joined\"");

            System.out.println("| abuse on the same node | neighbour's p50 (ms) | p99 (ms) | max (ms) | lines timed |");
            System.out.println("|---|---|---|---|---|");
            long[] seq = {0};
            String port = Integer.toString(relay.port());
            phase("none (baseline)", seconds, expert, learner, seq, null);
            phase("malformed frames, as fast as one connection can send", seconds, expert, learner, seq,
                    List.of("attack", "malformed", noisyUri.toString(), noisyTicket, port));
            phase("binary frames of 1 KiB, as fast as possible", seconds, expert, learner, seq,
                    List.of("attack", "binary", noisyUri.toString(), noisyTicket, port));
            phase("1 MiB text frames (closed with 1009), reconnecting", seconds, expert, learner, seq,
                    List.of("attack", "oversized", noisyUri.toString(), noisyTicket, port));
            phase("join/leave cycles with one ticket", seconds, expert, learner, seq,
                    List.of("attack", "joins", noisyUri.toString(), noisyTicket, port));
            phase("500 slowloris upgrades, a byte a second each", seconds, expert, learner, seq,
                    List.of("attack", "slowloris", noisyUri.toString(), noisyTicket, port));
        }
        System.exit(0);
    }

    /** The attacker's side, in a process of its own (as on another machine): runs one abuse until killed. */
    private static void attack(String kind, URI uri, String ticket, int port) throws Exception {
        String oversized = "{\"v\":1,\"type\":\"leave\",\"reason\":\"" + "x".repeat(1024 * 1024) + "\"}";
        switch (kind) {
            case "malformed" -> flood(uri, ticket, ws -> ws.sendText("{\"v\":1,\"type\":\"send\",\"seq\":x}"));
            case "binary" -> flood(uri, ticket, ws -> ws.sendBinary(new byte[1024]));
            case "oversized" -> flood(uri, ticket, ws -> ws.sendText(oversized));
            case "joins" -> joinCycles(uri, ticket);
            default -> slowloris(port, 500);
        }
    }

    /** One phase: the abuse runs in a process of its own while the quiet session's lines are timed. */
    private static void phase(String name, int seconds, Ws expert, Ws learner, long[] seq, List<String> attack) throws Exception {
        Process attacker = null;
        if (attack != null) {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", classPath(), NeighbourBench.class.getName()));
            command.addAll(attack);
            attacker = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            TimeUnit.SECONDS.sleep(1); // the attack under way before the timing starts
        }
        List<Long> latencies = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        expert.received.clear();
        while (System.nanoTime() < end) {
            long sent = System.nanoTime();
            learner.send(new Frame.Send(++seq[0], new ChatMessage("t" + sent)));
            long deadline = sent + Duration.ofSeconds(5).toNanos();
            while (true) {
                String text = expert.received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (text == null) {
                    Thread.getAllStackTraces().forEach((t, stack) -> {
                        if (t.getName().startsWith("qtp") || t.getName().startsWith("duet")) {
                            System.err.println("THREAD " + t.getName() + " " + t.getState());
                            for (int k = 0; k < Math.min(8, stack.length); k++) {
                                System.err.println("    at " + stack[k]);
                            }
                        }
                    });
                    throw new IllegalStateException(name + ": a line took over 5 s; expert closed " + expert.closed.getNow(null)
                            + ", learner closed " + learner.closed.getNow(null) + ", learner got " + learner.received);
                }
                if (text.contains("\"t" + sent + "\"")) {
                    latencies.add(System.nanoTime() - sent);
                    break;
                }
            }
            long next = sent + 50_000_000L;
            while (System.nanoTime() < next) {
                Thread.onSpinWait(); // pacing the quiet session at 20 lines per second
                if (next - System.nanoTime() > 2_000_000) {
                    TimeUnit.MILLISECONDS.sleep(1);
                }
            }
            if (latencies.size() % 20 == 0) {
                expert.ackDelivered();
            }
        }
        if (attacker != null) {
            attacker.destroyForcibly();
            attacker.waitFor(10, TimeUnit.SECONDS);
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %d |%n", name, ms(sorted, 0.50), ms(sorted, 0.99),
                sorted[sorted.length - 1] / 1e6, sorted.length);
    }

    /** This class's class path: exec:java loads it through a class loader of its own, not java.class.path. */
    private static String classPath() {
        if (NeighbourBench.class.getClassLoader() instanceof java.net.URLClassLoader loader) {
            StringBuilder path = new StringBuilder();
            for (java.net.URL url : loader.getURLs()) {
                try {
                    path.append(path.length() == 0 ? "" : java.io.File.pathSeparator).append(Path.of(url.toURI()));
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
            }
            return path.toString();
        }
        return System.getProperty("java.class.path");
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))] / 1e6;
    }

    @FunctionalInterface
    private interface Sending {
        void send(Ws ws) throws Exception;
    }

    /** Joins the noisy session and sends as fast as it can; when the relay closes it (4429, 1009), joins again. */
    private static void flood(URI uri, String ticket, Sending sending) {
        while (true) { // until the bench kills this process
            try {
                Ws ws = Ws.attacker(uri);
                try {
                    ws.send(new Frame.Join(ticket, "noisy-learner-1", 0));
                    while (!ws.closed.isDone()) {
                        sending.send(ws);
                    }
                } finally {
                    ws.abort();
                }
            } catch (Exception closedUnderUs) {
                // the relay closed (or refused) the connection: join again
            }
        }
    }

    /** Joins and leaves as fast as the relay lets it (it refuses beyond its per-participant allowance). */
    private static void joinCycles(URI uri, String ticket) {
        while (true) { // until the bench kills this process
            try {
                Ws ws = Ws.attacker(uri);
                try {
                    ws.send(new Frame.Join(ticket, "noisy-learner-1", 0));
                    String first = ws.received.poll(2, TimeUnit.SECONDS);
                    if (first != null && first.contains("\"type\":\"joined\"")) {
                        ws.send(new Frame.Leave("again"));
                    }
                    ws.closed.get(5, TimeUnit.SECONDS);
                } finally {
                    ws.abort();
                }
            } catch (Exception refused) {
                // refused or closed: again
            }
        }
    }

    /** {@code count} sockets that start an upgrade request and add one byte a second. */
    private static void slowloris(int port, int count) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.getOutputStream().write("GET /v1/sessions/noisy HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                sockets.add(s);
            }
            while (true) { // until the bench kills this process
                for (Socket s : sockets) {
                    try {
                        OutputStream out = s.getOutputStream();
                        out.write('X');
                        out.flush();
                    } catch (java.io.IOException dropped) {
                        // the relay dropped it at its upgrade deadline
                    }
                }
                TimeUnit.SECONDS.sleep(1); // the attack's own pace
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private static Booking booking(String id) {
        return new Booking(SessionId.of(id), Participant.expert(EXPERT.value(), "Ada"), Participant.learner(LEARNER.value(), "Bo"),
                Instant.parse("2026-11-24T10:00:00Z"), Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
    }

    /** A lean JDK WebSocket: text frames queued, the close completes a future. */
    private static final class Ws implements WebSocket.Listener {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;
        private long lastDseq;

        static Ws open(URI uri) throws Exception {
            return open(uri, HTTP);
        }

        static Ws attacker(URI uri) throws Exception {
            return open(uri, ATTACKER_HTTP);
        }

        private static Ws open(URI uri, HttpClient client) throws Exception {
            Ws ws = new Ws();
            ws.socket = client.newWebSocketBuilder().buildAsync(uri, ws).get(10, TimeUnit.SECONDS);
            return ws;
        }

        void send(Frame frame) throws Exception {
            sendText(CODEC.encode(frame));
        }

        void sendText(String text) throws Exception {
            socket.sendText(text, true).get(10, TimeUnit.SECONDS);
        }

        void sendBinary(byte[] bytes) throws Exception {
            socket.sendBinary(ByteBuffer.wrap(bytes), true).get(10, TimeUnit.SECONDS);
        }

        /** Acknowledges every delivery so far (keeps the relay's pending deliveries short). */
        void ackDelivered() throws Exception {
            if (lastDseq > 0) {
                send(new Frame.Ack(lastDseq));
            }
        }

        void await(String fragment) throws Exception {
            while (true) {
                String text = received.poll(10, TimeUnit.SECONDS);
                if (text == null) {
                    throw new IllegalStateException("no frame with " + fragment);
                }
                if (text.contains(fragment)) {
                    return;
                }
            }
        }

        void abort() {
            socket.abort();
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                int at = text.indexOf("\"dseq\":");
                if (text.contains("\"type\":\"deliver\"") && at >= 0) {
                    int end = at + 7;
                    while (end < text.length() && Character.isDigit(text.charAt(end))) {
                        end++;
                    }
                    lastDseq = Long.parseLong(text.substring(at + 7, end));
                }
                received.add(text);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(-1);
        }
    }
}
