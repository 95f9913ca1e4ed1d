package dev.duet.signaling.server;

import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.SessionId;
import dev.duet.core.internal.Checks;
import dev.duet.signaling.client.Backoff;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.client.wire.Wire;
import dev.duet.signaling.server.internal.ConnectionHandler;
import dev.duet.signaling.server.internal.MemorySessionStore;
import dev.duet.signaling.server.internal.Outbound;
import dev.duet.signaling.server.internal.RelayNode;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * The relay without sockets: the same node logic as {@link RelayServer} (tickets, stamps, order,
 * acknowledgement, replay), reached through in-JVM pipes. For tests and single-JVM demos. Each
 * direction of each pipe is delivered on its own serial thread, so nothing runs re-entrantly.
 */
public final class InMemoryRelay implements AutoCloseable {
    private final RelayNode node;
    private final ScheduledExecutorService sweeper;
    private final ExecutorService delivery;
    /** Null when the relay made its own threads; else the scheduler everything runs on (virtual time in tests). */
    private final ScheduledExecutorService injected;
    private final LongSupplier nanoTicker;

    public InMemoryRelay(JoinTicketVerifier verifier, Clock clock, RelayLimits limits, RelayEventSink sink) {
        this(verifier, clock, limits, sink, null, System::nanoTime);
    }

    /**
     * A relay whose every timer, pipe and transport loop runs on {@code scheduler}, measured by
     * {@code nanoTicker}: with a virtual-time scheduler a whole session runs on the test's thread,
     * deterministically, as time is moved forward. {@code scheduler} must run one task at a time;
     * the relay never shuts it down.
     */
    public InMemoryRelay(JoinTicketVerifier verifier, Clock clock, RelayLimits limits, RelayEventSink sink,
            ScheduledExecutorService scheduler, LongSupplier nanoTicker) {
        Checks.notNull(verifier, "verifier");
        Checks.notNull(clock, "clock");
        Checks.notNull(limits, "limits");
        Checks.notNull(sink, "sink");
        this.nanoTicker = Checks.notNull(nanoTicker, "nanoTicker");
        this.injected = scheduler;
        this.sweeper = scheduler != null ? scheduler : Executors.newSingleThreadScheduledExecutor(daemon("duet-memory-relay-sweeper"));
        this.delivery = scheduler != null ? scheduler : Executors.newSingleThreadExecutor(daemon("duet-memory-relay"));
        this.node = new RelayNode(verifier, clock, nanoTicker, limits, sink, sweeper,
                new MemorySessionStore(limits.maxPendingDeliveries()));
    }

    /** A transport for one participant of {@code session}; callbacks run on {@code callbacks}. */
    public SignalingTransport transport(SessionId session, TicketSource tickets, Executor callbacks) {
        Checks.notNull(session, "session");
        return new RelayTransport(connector(session), tickets, callbacks, Backoff.defaults(), RelayTransport.DEFAULT_JOIN_TIMEOUT,
                "the in-memory relay, sessions/" + session.value(), injected, nanoTicker);
    }

    /** Opens in-JVM pipes into the node for {@code session}. */
    Wire.Connector connector(SessionId session) {
        return listener -> post(() -> {
            Pipe pipe = new Pipe(listener);
            pipe.handler = node.open(session, pipe.relayEnd);
            listener.onOpen(pipe.clientEnd);
        });
    }

    public int sessionCount() {
        return node.sessionCount();
    }

    @Override
    public void close() {
        node.close();
        if (injected == null) {
            sweeper.shutdownNow();
            delivery.shutdown();
        }
    }

    /**
     * One in-JVM connection. Everything crossing it is handed to the delivery thread: the relay
     * sends while holding a room's lock, so nothing may call back in place.
     */
    private final class Pipe {
        private final Wire.Listener client;
        private volatile ConnectionHandler handler;
        private volatile boolean closed;

        final Wire clientEnd = new Wire() {
            @Override
            public void send(String text) {
                cross(() -> handler.onText(text));
            }

            @Override
            public void close(int code, String reason) {
                end(code, reason);
            }

            @Override
            public void cancel() {
                end(1006, "dropped");
            }
        };

        final Outbound relayEnd = new Outbound() {
            @Override
            public void send(String text) {
                cross(() -> client.onText(text));
            }

            @Override
            public void ping() {
                cross(() -> handler.onPong());
            }

            @Override
            public void close(int code, String reason) {
                end(code, reason);
            }

            @Override
            public String describe() {
                return "in-memory pipe";
            }
        };

        Pipe(Wire.Listener client) {
            this.client = client;
        }

        private void cross(Runnable action) {
            post(() -> {
                if (!closed) {
                    action.run();
                }
            });
        }

        private void end(int code, String reason) {
            post(() -> {
                if (closed) {
                    return;
                }
                closed = true;
                handler.onClosed(code, reason);
                client.onClosed(code, reason);
            });
        }
    }

    /** Hands work to the delivery thread; once the relay is closed there is nothing left to deliver. */
    private void post(Runnable action) {
        try {
            delivery.execute(action);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the relay is closed
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
