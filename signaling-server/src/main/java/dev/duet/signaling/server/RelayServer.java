package dev.duet.signaling.server;

import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.SessionId;
import dev.duet.core.internal.Checks;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.server.internal.JettyEndpoint;
import dev.duet.signaling.server.internal.MemorySessionStore;
import dev.duet.signaling.server.internal.RedisSessionStore;
import dev.duet.signaling.server.internal.RelayNode;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The Duet relay on one node: a WebSocket endpoint per session at {@code /v1/sessions/<sessionId>}
 * speaking the protocol of {@code docs/protocol.md}. Build with {@link #builder}, stop with
 * {@link #close()} (clients are told 1001 and reconnect).
 *
 * <pre>{@code
 * try (RelayServer relay = RelayServer.builder(verifier).port(8443).start()) { ... }
 * }</pre>
 */
public final class RelayServer implements AutoCloseable {
    /** Text frames up to this size reach the codec (which refuses those over 64 KiB with an error frame); larger ones close the connection (1009). */
    static final int MAX_WEBSOCKET_MESSAGE = 1024 * 1024;

    private final Server server;
    private final RelayNode node;
    private final ScheduledExecutorService scheduler;
    private final String host;
    private final int port;

    private RelayServer(Builder b) throws Exception {
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duet-relay-sweeper");
            t.setDaemon(true);
            return t;
        });
        this.node = new RelayNode(b.verifier, b.clock, System::nanoTime, b.limits, b.sink, scheduler,
                b.redis == null ? new MemorySessionStore(b.limits.maxPendingDeliveries())
                        : new RedisSessionStore(b.redis, b.limits.maxPendingDeliveries()));
        this.server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(b.host);
        connector.setPort(b.port);
        server.addConnector(connector);
        ContextHandler context = new ContextHandler("/");
        WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, context, container -> {
            container.setMaxTextMessageSize(MAX_WEBSOCKET_MESSAGE);
            container.setMaxBinaryMessageSize(MAX_WEBSOCKET_MESSAGE);
            // The node closes silent connections itself (4002); Jetty's timeout is only a backstop.
            container.setIdleTimeout(b.limits.idleTimeout().multipliedBy(3));
            container.addMapping("/v1/sessions/*", (request, response, callback) -> {
                String path = request.getHttpURI().getPath();
                String id = path.substring(path.lastIndexOf('/') + 1);
                try {
                    return new JettyEndpoint(node, SessionId.of(id));
                } catch (IllegalArgumentException e) {
                    response.setStatus(404);
                    callback.succeeded();
                    return null;
                }
            });
        });
        context.setHandler(upgrade);
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            scheduler.shutdownNow();
            throw e;
        }
        this.host = b.host;
        this.port = connector.getLocalPort();
    }

    public static Builder builder(JoinTicketVerifier verifier) {
        return new Builder(verifier);
    }

    /** The port the relay listens on (the chosen one when built with port 0). */
    public int port() {
        return port;
    }

    /** The WebSocket address of a session on this node, e.g. {@code ws://127.0.0.1:8080/v1/sessions/s-42}. */
    public URI sessionUri(SessionId session) {
        Checks.notNull(session, "session");
        return URI.create("ws://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/v1/sessions/"
                + session.value());
    }

    /**
     * Ends a session for good (the app calls this when the booking's window closes, or an
     * operator ends it): both participants are closed with 4499 and do not reconnect, a
     * {@link RelayEvent.SessionClosed} goes to the event sink, later joins are refused with 4499.
     */
    public void closeSession(SessionId session, String reason) {
        Checks.notNull(session, "session");
        Checks.notNull(reason, "reason");
        node.closeSession(session, reason);
    }

    public int sessionCount() {
        return node.sessionCount();
    }

    public int connectionCount() {
        return node.connectionCount();
    }

    /** Tells every client 1001 (going away), stops listening, releases threads. Idempotent. */
    @Override
    public void close() {
        node.close();
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the relay's web server did not stop cleanly", e);
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "RelayServer[" + host + ":" + port + ", protocol v" + FrameCodec.VERSION + "]";
    }

    /** Settings of a relay node; every one has a default but the ticket verifier. */
    public static final class Builder {
        private final JoinTicketVerifier verifier;
        private String host = "127.0.0.1";
        private int port;
        private Clock clock = Clock.systemUTC();
        private RelayLimits limits = RelayLimits.defaults();
        private RelayEventSink sink = RelayEventSink.none();
        private URI redis;

        private Builder(JoinTicketVerifier verifier) {
            this.verifier = Checks.notNull(verifier, "verifier");
        }

        /** The address to listen on; default {@code 127.0.0.1}. Use {@code 0.0.0.0} behind a TLS proxy in production. */
        public Builder host(String host) {
            Checks.notNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            this.host = host;
            return this;
        }

        /** The port, 0 to 65535; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535, but was " + port);
            }
            this.port = port;
            return this;
        }

        /** The clock that stamps arrivals, departures and messages; default UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Checks.notNull(clock, "clock");
            return this;
        }

        public Builder limits(RelayLimits limits) {
            this.limits = Checks.notNull(limits, "limits");
            return this;
        }

        public Builder eventSink(RelayEventSink sink) {
            this.sink = Checks.notNull(sink, "eventSink");
            return this;
        }

        /**
         * Shares session state with other nodes through the Redis at {@code uri} ({@code redis://host:port}):
         * clients of one session may then join any node. Without it the node keeps state in memory.
         */
        public Builder redis(URI uri) {
            Checks.notNull(uri, "redis");
            if (!"redis".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("redis must be a redis://host:port address, but was " + uri);
            }
            this.redis = uri;
            return this;
        }

        /** Starts the node; returns once it listens. */
        public RelayServer start() throws Exception {
            return new RelayServer(this);
        }
    }

}
