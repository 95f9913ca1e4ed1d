package dev.duet.signaling.client.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import dev.duet.signaling.client.Backoff;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.JoinResult;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.client.wire.Wire;
import dev.duet.testing.ManualScheduler;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The exact frames of one expert's session over Pusher, recorded once and checked against Pusher's
 * protocol and docs/protocol.md by reading, then frozen in {@code pusher-transcript.txt}: connecting,
 * subscribing with the backend's signature, the hellos, a message each way with their
 * acknowledgements, a 4301 and the resend a second later, the activity ping, a 4200 close with its
 * immediate reconnect and new signature, and the hang-up. In virtual time (a manual scheduler), with
 * a seeded client id, so every byte is the same on every run.
 *
 * <p>Script lines: {@code <} a frame the server sends, {@code >} the frame the transport must send
 * next, {@code =} the next thing the transport's listener must hear, {@code @ ms} time passing,
 * {@code !} a call on the transport, {@code x code reason} the server closing the connection,
 * {@code + open} a new connection opening, {@code #} a comment. Run with
 * {@code -Dduet.transcript.record=true} to write what the transport did to
 * {@code target/pusher-transcript.recorded.txt} instead of failing.
 */
class PusherTranscriptTest {
    private static final Instant START = Instant.parse("2026-11-30T10:00:00Z");
    private static final TicketKey TICKET_KEY = TicketKey.of("k1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

    private final ManualScheduler loop = new ManualScheduler(START);
    private final Deque<String> sent = new ArrayDeque<>();
    private final List<Wire.Listener> connections = new ArrayList<>();

    private final class ScriptedWire implements Wire {
        @Override
        public void send(String text) {
            sent.add(text);
        }

        @Override
        public void close(int code, String reason) {
            sent.add("(close " + code + " " + reason + ")");
        }

        @Override
        public void cancel() {
            sent.add("(cancel)");
        }
    }

    /** The expert's transport of the transcript: its server is the scripted wire, its time the manual scheduler. */
    private PusherTransport expertTransport() {
        Booking booking = new Booking(SessionId.of("s-42"), Participant.expert("expert-ada", "Ada"), Participant.learner("learner-bo", "Bo"),
                START, Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
        PusherChannelAuth backend = new PusherChannelAuth(PusherApp.of("4242", "duet-test-key", "a-pusher-app-secret-for-tests"),
                new JoinTicketVerifier(List.of(TICKET_KEY), Duration.ofSeconds(30)));
        String ticket = new JoinTicketIssuer(TICKET_KEY, Duration.ofHours(2)).issue(booking, ParticipantId.of("expert-ada"), START);
        return new PusherTransport(connections::add, booking.sessionId(),
                ChannelAuthorizer.inProcess(backend, TicketSource.of(ticket), loop.clock()), Runnable::run,
                new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Random(7)), Duration.ofSeconds(30), "the scripted server",
                loop, loop::nanoTime, loop.clock());
    }

    @Test
    void theTransportSendsExactlyTheRecordedFrames() throws Exception {
        PusherTransport transport = expertTransport();
        PusherTransportTest.Heard heard = new PusherTransportTest.Heard();
        List<String> script;
        try (InputStream in = getClass().getResourceAsStream("pusher-transcript.txt")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        boolean record = Boolean.getBoolean("duet.transcript.record");
        List<String> recorded = new ArrayList<>();
        CompletableFuture<JoinResult> joined = transport.join(heard);
        loop.advance(Duration.ZERO);
        boolean joinReported = false;
        for (int i = 0; i < script.size(); i++) {
            String line = script.get(i);
            String where = "pusher-transcript.txt line " + (i + 1) + ": " + line;
            if (line.startsWith(">")) {
                String actual = sent.pollFirst();
                if (record) {
                    recorded.add("> " + actual);
                    continue;
                }
                assertThat(actual).as(where).isEqualTo(line.substring(2));
                recorded.add(line);
                continue;
            }
            if (record && !sent.isEmpty() && !line.startsWith("=")) {
                sent.forEach(f -> recorded.add("> " + f));
                sent.clear();
            }
            recorded.add(line);
            if (line.startsWith("<")) {
                connections.get(connections.size() - 1).onText(line.substring(2));
            } else if (line.startsWith("@ ")) {
                loop.advance(Duration.ofMillis(Long.parseLong(line.substring(2).trim())));
            } else if (line.startsWith("+ open")) {
                connections.get(connections.size() - 1).onOpen(new ScriptedWire());
            } else if (line.startsWith("x ")) {
                String[] parts = line.substring(2).split(" ", 2);
                connections.get(connections.size() - 1).onClosed(Integer.parseInt(parts[0]), parts.length > 1 ? parts[1] : "");
            } else if (line.startsWith("! send ")) {
                transport.send(new ChatMessage(line.substring("! send ".length())));
            } else if (line.startsWith("! hangUp ")) {
                transport.hangUp(line.substring("! hangUp ".length()), Duration.ofSeconds(5));
            } else if (line.startsWith("= ")) {
                if (!joinReported && joined.isDone()) {
                    joinReported = true;
                    JoinResult r = joined.join();
                    heard.lines.addFirst("joined as " + r.self().connection() + " with "
                            + r.peer().map(m -> m.connection().value()).orElse("nobody"));
                }
                String actual = heard.lines.pollFirst();
                if (record) {
                    recorded.set(recorded.size() - 1, "= " + actual);
                } else {
                    assertThat(actual).as(where).isEqualTo(line.substring(2));
                }
            }
            loop.advance(Duration.ZERO);
        }
        sent.forEach(f -> recorded.add("> " + f));
        if (record) {
            Path out = Path.of("target", "pusher-transcript.recorded.txt");
            Files.write(out, recorded);
            System.out.println("recorded the transcript to " + out.toAbsolutePath());
            return;
        }
        assertThat(sent).as("frames sent after the script's end").isEmpty();
    }

    @Test
    void everyPusherExampleInTheProtocolDocumentIsAFrameOfTheTranscript() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "protocol.md"), StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```json pusher\\n(.*?)\\n```", java.util.regex.Pattern.DOTALL).matcher(doc);
        List<String> frames;
        try (InputStream in = getClass().getResourceAsStream("pusher-transcript.txt")) {
            frames = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("< ") || l.startsWith("> "))
                    .map(l -> l.substring(2)).toList();
        }
        int examples = 0;
        while (m.find()) {
            examples++;
            assertThat(frames).as("docs/protocol.md §11 example %d is a frame of pusher-transcript.txt", examples).contains(m.group(1));
        }
        assertThat(examples).isGreaterThanOrEqualTo(10);
    }

    /**
     * Seeded fuzzing: broken and mutated server frames and peer events (from the transcript's own)
     * between a joined transport's valid ones. None may stop it or make it fail: afterwards a peer
     * client that says hello still exchanges a message each way with it. The seed is printed on failure.
     */
    @Test
    void brokenAndMutatedFramesNeverStopTheTransport() throws Exception {
        long seed = Long.getLong("duet.fuzz.seed", new Random().nextLong()); // -Dduet.fuzz.seed=... replays a failure
        Random random = new Random(seed);
        List<String> serverFrames;
        try (InputStream in = getClass().getResourceAsStream("pusher-transcript.txt")) {
            serverFrames = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("< "))
                    .map(l -> l.substring(2)).toList();
        }
        PusherTransport transport = expertTransport();
        PusherTransportTest.Heard heard = new PusherTransportTest.Heard();
        CompletableFuture<JoinResult> joined = transport.join(heard);
        loop.advance(Duration.ZERO);
        connections.get(0).onOpen(new ScriptedWire());
        for (String frame : serverFrames.subList(0, 2)) { // connection_established, subscription_succeeded
            connections.get(0).onText(frame);
            loop.advance(Duration.ZERO);
        }
        assertThat(joined).as("seed %d", seed).isCompleted();
        int inputs = dev.duet.signaling.client.testkit.Malformed.inputs(3000);
        int[] opened = {1};
        Runnable answerReconnects = () -> {
            while (opened[0] < connections.size()) { // a broken connection_established made it reconnect: the server answers
                connections.get(opened[0]++).onOpen(new ScriptedWire());
                loop.advance(Duration.ZERO);
                for (String frame : serverFrames.subList(0, 2)) {
                    connections.get(connections.size() - 1).onText(frame);
                    loop.advance(Duration.ZERO);
                }
            }
        };
        for (int i = 0; i < inputs; i++) {
            connections.get(connections.size() - 1).onText(dev.duet.signaling.client.testkit.Malformed.mutate(random, serverFrames));
            loop.advance(Duration.ofMillis(random.nextInt(50)));
            answerReconnects.run();
        }
        loop.advance(Duration.ofSeconds(31)); // a reconnect still waiting out its backoff (at most 30 s) happens now
        answerReconnects.run();
        assertThat(transport.state()).as("seed %d: still joined after %d broken frames", seed, inputs)
                .isIn(dev.duet.signaling.client.SignalingTransport.State.JOINED);
        // A well-formed peer after the storm: a new learner client says hello; a message each way goes through.
        String expertClient = transport.clientId();
        connections.get(connections.size() - 1).onText("{\"event\":\"pusher_internal:member_added\",\"channel\":\"presence-duet-s-42\","
                + "\"data\":\"{\\\"user_id\\\":\\\"learner-bo\\\",\\\"user_info\\\":{\\\"role\\\":\\\"learner\\\","
                + "\\\"connection\\\":\\\"9.9\\\",\\\"arrived_at\\\":1796032900000}}\"}");
        connections.get(connections.size() - 1).onText("{\"event\":\"client-duet-hello\",\"channel\":\"presence-duet-s-42\","
                + "\"user_id\":\"learner-bo\",\"data\":{\"client\":\"FreshLearner0001\",\"member\":{\"role\":\"learner\","
                + "\"connection\":\"9.9\",\"arrived_at\":1796032900000},\"sees\":\"1001.1002\",\"knows\":\"" + expertClient + "\"}}");
        loop.advance(Duration.ofSeconds(2));
        sent.clear();
        CompletableFuture<Void> acknowledged = transport.send(new ChatMessage("after the storm"));
        loop.advance(Duration.ofSeconds(1));
        assertThat(sent).as("seed %d", seed).anyMatch(f -> f.contains("\"to\":\"FreshLearner0001\"") && f.contains("after the storm"));
        long seq = sent.stream().filter(f -> f.contains("after the storm")).map(f -> f.replaceAll(".*\"msgs\":\\[\\{\"s\":(\\d+).*", "$1"))
                .mapToLong(Long::parseLong).findFirst().orElseThrow();
        heard.lines.clear();
        connections.get(connections.size() - 1).onText("{\"event\":\"client-duet-signals\",\"channel\":\"presence-duet-s-42\","
                + "\"user_id\":\"learner-bo\",\"data\":{\"client\":\"FreshLearner0001\",\"to\":\"" + expertClient + "\","
                + "\"ack\":{\"client\":\"" + expertClient + "\",\"seq\":" + seq + "},\"msgs\":[{\"s\":1,\"p\":0,\"n\":1,"
                + "\"t\":\"{\\\"v\\\":1,\\\"type\\\":\\\"send\\\",\\\"seq\\\":1,\\\"msg\\\":{\\\"type\\\":\\\"chat\\\","
                + "\\\"text\\\":\\\"still here\\\"}}\"}]}}");
        loop.advance(Duration.ofSeconds(1));
        assertThat(acknowledged).as("seed %d: acknowledged", seed).isCompleted();
        assertThat(heard.lines).as("seed %d", seed).contains("message from learner-bo: still here");
    }
}
