package dev.duet.signaling.client;

import dev.duet.signaling.client.relay.RelayTransport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.ParticipantId;
import dev.duet.core.Role;
import dev.duet.core.SessionId;
import dev.duet.core.ConnectionId;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.client.wire.ProtocolError;
import dev.duet.signaling.client.wire.Wire;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A send the relay refuses leaves its seq open: the transport gives the refused number to the next
 * send, so the sends after it are accepted instead of being refused as a gap forever.
 */
class RefusedSendTest {
    private static final FrameCodec CODEC = new FrameCodec();

    /** A relay that accepts every send in order, except that it refuses the text "refuse me". */
    private static final class StrictRelay implements Wire.Connector {
        final List<String> accepted = new CopyOnWriteArrayList<>();
        private long expected = 1;

        @Override
        public void connect(Wire.Listener client) {
            client.onOpen(new Wire() {
                @Override
                public synchronized void send(String text) {
                    try {
                        Frame f = CODEC.decode(text);
                        if (f instanceof Frame.Join) {
                            Member self = new Member(ParticipantId.of("learner-bo"), Role.LEARNER, ConnectionId.of("c-1"),
                                    Instant.parse("2026-11-24T10:00:00Z"));
                            client.onText(CODEC.encode(new Frame.JoinAccepted(SessionId.of("s-42"), self, Optional.empty(), 0, "i-1")));
                        } else if (f instanceof Frame.Send s) {
                            if (s.seq() != expected) {
                                client.onText(CODEC.encode(new Frame.Error(ProtocolError.OUT_OF_ORDER, "expected " + expected,
                                        Optional.of(s.seq()))));
                            } else if (s.message() instanceof ChatMessage chat && chat.text().equals("refuse me")) {
                                client.onText(CODEC.encode(new Frame.Error(ProtocolError.INVALID_VALUE, "not that",
                                        Optional.of(s.seq()))));
                            } else {
                                accepted.add(s.seq() + ":" + ((ChatMessage) s.message()).text());
                                expected++;
                                client.onText(CODEC.encode(new Frame.Accepted(s.seq())));
                            }
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }

                @Override
                public void close(int code, String reason) {}

                @Override
                public void cancel() {}
            });
        }
    }

    @Test
    void theSendsAfterARefusedOneAreRenumberedAndAccepted() throws Exception {
        StrictRelay relay = new StrictRelay();
        try (RelayTransport transport = new RelayTransport(relay, TicketSource.of("duet1.x.y"), Runnable::run,
                new Backoff(Duration.ofMillis(10), Duration.ofMillis(20), new Random(1)))) {
            transport.join(new SignalingListener() { }).get(5, TimeUnit.SECONDS);
            CompletableFuture<Void> first = transport.send(new ChatMessage("one"));
            CompletableFuture<Void> refused = transport.send(new ChatMessage("refuse me"));
            CompletableFuture<Void> third = transport.send(new ChatMessage("three"));
            CompletableFuture<Void> fourth = transport.send(new ChatMessage("four"));
            first.get(5, TimeUnit.SECONDS);
            assertThatThrownBy(() -> refused.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("refused");
            third.get(5, TimeUnit.SECONDS);
            fourth.get(5, TimeUnit.SECONDS);
            assertThat(relay.accepted).containsExactly("1:one", "2:three", "3:four");
            assertThat(transport.send(new ChatMessage("five"))).succeedsWithin(Duration.ofSeconds(5));
            assertThat(relay.accepted).endsWith("4:five");
        }
    }
}
