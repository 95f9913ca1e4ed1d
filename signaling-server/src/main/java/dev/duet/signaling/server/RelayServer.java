package dev.duet.signaling.server;

import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.SessionId;
import dev.duet.core.internal.Checks;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.server.internal.JettyEndpoint;
import dev.duet.signaling.server.internal.MemorySessionStore;
import dev.duet.signaling.server.internal.RedisSessionStore;
import dev.duet.signaling.server.internal.RelayNode;
import dev.duet.signaling.server.internal.SessionStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
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
    /**
     * Text messages up to the protocol's frame limit (64 KiB, plus 1 KiB so that a delivery wrapping
     * a full-size message still fits) reach the codec, which refuses those over 64 KiB with an error
     * frame; a larger one closes the connection with 1009 before it is read in full or parsed.
     */
    static final int MAX_WEBSOCKET_MESSAGE = FrameCodec.MAX_FRAME_BYTES + 1024;
    /** Binary messages are never valid; small ones get an error frame, larger ones close with 1009. */
    static final int MAX_BINARY_MESSAGE = 1024;

    /** The pool's size range: Jetty's acceptor and selector hold a thread each, and some must be left for work. */
    static final int MIN_THREADS = 4;
    static final int MAX_THREADS = 1024;
    /** Connections waiting to be accepted (the listen backlog). */
    static final int ACCEPT_QUEUE = 511;

    private final Server server;
    private final RelayNode node;
    private final ScheduledExecutorService scheduler;
    /** Whether the relay made {@link #scheduler} (and shuts it down), or was given it. */
    private final boolean ownScheduler;
    private final String host;
    private final int port;

    private RelayServer(Builder b) throws java.io.IOException {
        this.ownScheduler = b.scheduler == null;
        this.scheduler = ownScheduler ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duet-relay-sweeper");
            t.setDaemon(true);
            return t;
        }) : b.scheduler;
        SessionStore store;
        if (!b.redisCluster.isEmpty()) {
            store = RedisSessionStore.cluster(b.redisCluster, b.limits.maxPendingDeliveries());
        } else if (b.redis != null) {
            store = new RedisSessionStore(b.redis, b.limits.maxPendingDeliveries());
        } else {
            store = new MemorySessionStore(b.limits.maxPendingDeliveries());
        }
        org.eclipse.jetty.util.thread.QueuedThreadPool pool = new org.eclipse.jetty.util.thread.QueuedThreadPool(
                b.threads, Math.min(2, b.threads), 60_000);
        pool.setName("duet-relay");
        pool.setReservedThreads(0); // no idle threads parked beside the pool: a small pool keeps every thread for work
        this.server = new Server(pool);
        this.node = new RelayNode(b.verifier, b.clock, b.nanoTicker, b.limits, b.sink, scheduler, store, b.bookings,
                b.settleGrace, server.getThreadPool());
        node.closedBefore(b.closedBefore);
        node.revocations(b.revocations);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(b.host);
        connector.setPort(b.port);
        // The kernel's queue of connections not yet accepted: Jetty's default (50) drops bursts of
        // connects, which clients retry only after a second. 511 is what Node and nginx use.
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        connector.addBean(new dev.duet.signaling.server.internal.UpgradeDeadline(scheduler, b.limits.upgradeTimeout()));
        server.addConnector(connector);
        ContextHandler context = new ContextHandler("/");
        WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, context, container -> {
            container.setMaxTextMessageSize(MAX_WEBSOCKET_MESSAGE);
            container.setMaxBinaryMessageSize(MAX_BINARY_MESSAGE);
            // The node closes silent connections itself (4002); Jetty's timeout is only a backstop.
            container.setIdleTimeout(b.limits.idleTimeout().multipliedBy(3));
            container.addMapping("/v1/sessions/*", (request, response, callback) -> {
                if (!b.permessageDeflate) {
                    response.setExtensions(java.util.List.of()); // accept none of the extensions a client offers
                }
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
            if (ownScheduler) {
                scheduler.shutdownNow();
            }
            try {
                server.stop();
            } catch (Exception stopFailure) {
                e.addSuppressed(stopFailure);
            }
            if (e instanceof java.io.IOException io) {
                throw io; // the port is taken (a BindException), say
            }
            throw new java.io.IOException("the relay could not start on " + b.host + ":" + b.port + ": " + e.getMessage(), e);
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
     * Ends a session for good, now (an operator ends it; the relay also closes sessions by itself,
     * see {@link Builder#bookings} and {@link Builder#settleGrace}): both participants are closed
     * with 4499 and do not reconnect, one {@link AttendanceEvent.SessionClosed} goes to the event sink,
     * later joins are refused with 4499.
     *
     * @param reason 1 to 100 characters, no line breaks; goes into the close frame and the event
     * @return true if this call closed the session, false if it was closed already
     */
    public boolean closeSession(SessionId session, String reason) {
        Checks.notNull(session, "session");
        Checks.notNull(reason, "reason");
        if (reason.isBlank() || reason.length() > 100 || reason.contains("\n") || reason.contains("\r")) {
            throw new IllegalArgumentException("reason must be 1 to 100 characters without line breaks, but was \""
                    + (reason.length() > 100 ? reason.substring(0, 100) + "..." : reason) + "\"");
        }
        return node.closeSession(session, reason);
    }

    /**
     * Revokes {@code participant}'s tickets for {@code session} that expire at or before
     * {@code expiringUpTo}: recorded (durably, with {@link TicketRevocations#file}), every later
     * join with one is refused with 4401, and this node's connections that joined with one are
     * closed with 4401. A replacement ticket must expire after {@code expiringUpTo}
     * ({@code DuetServer} issues such ones). Returns the number of connections closed.
     */
    public int revokeTickets(SessionId session, dev.duet.core.ParticipantId participant, java.time.Instant expiringUpTo) {
        Checks.notNull(session, "session");
        Checks.notNull(participant, "participant");
        Checks.notNull(expiringUpTo, "expiringUpTo");
        return node.revoke(session, participant, expiringUpTo);
    }

    public int sessionCount() {
        return node.sessionCount();
    }

    public int connectionCount() {
        return node.connectionCount();
    }

    /** Bytes of frames waiting to be written to this node's connections, all together (each connection is capped). */
    public long queuedBytes() {
        return node.queuedBytes();
    }

    /** Connections closed with 4003 ({@code too-slow}) because they did not read fast enough. */
    public long slowConsumersClosed() {
        return node.slowConsumersClosed();
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
            if (ownScheduler) {
                scheduler.shutdownNow();
            }
        }
    }

    @Override
    public String toString() {
        return "RelayServer[" + host + ":" + port + ", protocol v" + FrameCodec.VERSION + "]";
    }

    /** Settings of a relay node; every one has a default but the ticket verifier. */
    public static final class Builder {
        private JoinTicketVerifier verifier;
        private String host = "127.0.0.1";
        private int port;
        private Clock clock = Clock.systemUTC();
        private RelayLimits limits = RelayLimits.defaults();
        private RelayEventSink sink = RelayEventSink.none();
        private URI redis;
        private java.util.List<URI> redisCluster = java.util.List.of();
        private BookingLookup bookings = BookingLookup.none();
        private java.util.function.Predicate<SessionId> closedBefore = session -> false;
        private TicketRevocations revocations = TicketRevocations.inMemory();
        private Duration settleGrace = RelayNode.DEFAULT_SETTLE_GRACE;
        private ScheduledExecutorService scheduler;
        private java.util.function.LongSupplier nanoTicker = System::nanoTime;
        private boolean permessageDeflate;
        private int threads = defaultThreads();

        private Builder(JoinTicketVerifier verifier) {
            this.verifier = Checks.notNull(verifier, "verifier");
        }

        /** Replaces the verifier ({@link DuetServer} knows all its keys only when it starts). */
        Builder verifier(JoinTicketVerifier verifier) {
            this.verifier = Checks.notNull(verifier, "verifier");
            return this;
        }

        Clock clock() {
            return clock;
        }

        /** Jedis is an optional dependency: say so, instead of a NoClassDefFoundError later. */
        private static void requireJedis() {
            try {
                Class.forName("redis.clients.jedis.Jedis", false, RelayServer.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("sharing sessions through Redis needs the Redis client: add the dependency "
                        + "redis.clients:jedis (Duet is built and tested with 8.0.2) to your app", e);
            }
        }

        String host() {
            return host;
        }

        boolean wildcardHost() {
            return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
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

        /**
         * Runs the relay's timers (pings, the idle and join-timeout sweep, settling closed sessions)
         * on {@code scheduler}, and measures timeouts and rates with {@code nanoTicker} (monotonic
         * nanoseconds), instead of a thread of its own and {@code System::nanoTime}: to share an
         * app's scheduler, or to test timeouts in virtual time. The relay never shuts down a
         * scheduler it was given. Stamps on events still come from {@link #clock}.
         */
        public Builder timers(ScheduledExecutorService scheduler, java.util.function.LongSupplier nanoTicker) {
            this.scheduler = Checks.notNull(scheduler, "scheduler");
            this.nanoTicker = Checks.notNull(nanoTicker, "nanoTicker");
            return this;
        }

        /**
         * Whether the relay accepts a client's offer of {@code permessage-deflate} (RFC 7692);
         * default {@code false}. Off, frames go uncompressed however the client asks: signalling
         * frames are small, and compression cost the relay 2.7 times the memory and 2 to 3 times
         * the latency tail under load, side by side at 2,500 sessions (docs/benchmarks.md). Turn
         * it on only for clients on metered, slow links.
         */
        public Builder permessageDeflate(boolean accept) {
            this.permessageDeflate = accept;
            return this;
        }

        /**
         * The most threads the relay's pool runs (they read, handle and write every connection's
         * frames; none is held per connection): default 8, or 4 per core on machines with more
         * than 2. At least 4 (Jetty's acceptor and selector hold one each). Raise it only when the
         * session store blocks for long (a distant Redis).
         */
        public Builder threads(int threads) {
            if (threads < MIN_THREADS || threads > MAX_THREADS) {
                throw new IllegalArgumentException("threads must be " + MIN_THREADS + " to " + MAX_THREADS + ", but was " + threads);
            }
            this.threads = threads;
            return this;
        }

        static int defaultThreads() {
            return Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
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
            requireJedis();
            if (!"redis".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("redis must be a redis://host:port address, but was " + uri);
            }
            this.redis = uri;
            return this;
        }

        /**
         * Like {@link #redis}, but the Redis is a Redis Cluster, reached through {@code seeds}
         * ({@code redis://host:port} each, at least one). Session keys share a hash tag per session.
         */
        public Builder redisCluster(java.util.List<URI> seeds) {
            Checks.notNull(seeds, "redisCluster");
            requireJedis();
            if (seeds.isEmpty()) {
                throw new IllegalArgumentException("redisCluster needs at least one redis://host:port seed node");
            }
            for (URI uri : seeds) {
                if (uri == null || !"redis".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new IllegalArgumentException("each Redis Cluster seed must be a redis://host:port address, but was " + uri);
                }
            }
            this.redisCluster = java.util.List.copyOf(seeds);
            return this;
        }

        /**
         * Where the relay finds each session's booking. With it the relay closes a session by
         * itself at its window's end ({@link dev.duet.core.Booking#closesAt()}); without it (the
         * default), only after a hang-up, or when the app calls {@link RelayServer#closeSession}.
         */
        public Builder bookings(BookingLookup bookings) {
            this.bookings = Checks.notNull(bookings, "bookings");
            return this;
        }

        /**
         * Which sessions were closed before this node started, from the durable record (a node
         * that keeps state in memory forgets the sessions it closed when it restarts; Redis keeps
         * them). A join of such a session is refused with 4499, as if this node had closed it. It is
         * asked once per join until it says yes for a session; it must be quick and thread-safe.
         * {@link #closedIn(dev.duet.core.attendance.AttendanceStore)} reads an attendance store.
         */
        public Builder closedBefore(java.util.function.Predicate<SessionId> closedBefore) {
            this.closedBefore = Checks.notNull(closedBefore, "closedBefore");
            return this;
        }

        /**
         * Where revoked tickets are kept ({@link RelayServer#revokeTickets}); in memory by default.
         * {@link TicketRevocations#file} keeps them across restarts. Behind several nodes, give each
         * the same revocations and revoke on each (a node closes only its own connections).
         */
        public Builder revocations(TicketRevocations revocations) {
            this.revocations = Checks.notNull(revocations, "revocations");
            return this;
        }

        /** A session is closed when {@code store} holds its {@link dev.duet.core.attendance.AttendanceEvent.SessionClosed}. */
        public static java.util.function.Predicate<SessionId> closedIn(dev.duet.core.attendance.AttendanceStore store) {
            Checks.notNull(store, "store");
            return session -> store.events(session).stream()
                    .anyMatch(dev.duet.core.attendance.AttendanceEvent.SessionClosed.class::isInstance);
        }

        /**
         * How long nobody must be present after someone hung up before the relay closes the
         * session by itself (room for a reconnect); default 30 s, at most 1 h.
         */
        public Builder settleGrace(Duration grace) {
            Checks.notNull(grace, "settleGrace");
            if (grace.isNegative() || grace.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("settleGrace must be 0 to 1 hour, but was " + grace);
            }
            this.settleGrace = grace;
            return this;
        }

        /** Starts the node; returns once it listens. */
        /**
         * Binds and starts the relay.
         *
         * @throws java.io.IOException if it cannot listen (the port is taken: a {@link java.net.BindException}) or Jetty
         *                             fails to start
         */
        public RelayServer start() throws java.io.IOException {
            return new RelayServer(this);
        }
    }

}
