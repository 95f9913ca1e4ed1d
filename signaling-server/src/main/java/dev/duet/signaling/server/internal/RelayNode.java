package dev.duet.signaling.server.internal;

import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.SessionId;
import dev.duet.signaling.client.wire.CloseCode;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.server.RelayEvent;
import dev.duet.signaling.server.RelayEventSink;
import dev.duet.signaling.server.RelayLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relay node: its sessions (rooms) and open connections, the ticket verifier, the clock that
 * stamps everything, the limits, and a sweeper that pings connections and closes silent ones.
 * Independent of the WebSocket library: the server glue calls {@link #open} and the handler's
 * {@code on*} methods.
 */
public final class RelayNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayNode.class);
    /** A room with nobody present is forgotten after this long without activity. */
    private static final Duration ROOM_RETENTION = Duration.ofHours(2);

    private final JoinTicketVerifier verifier;
    private final Clock clock;
    private final RelayLimits limits;
    private final RelayEventSink sink;
    private final LongSupplier nanoTicker;
    private final FrameCodec codec = new FrameCodec();
    private final ConcurrentHashMap<SessionId, SessionRoom> rooms = new ConcurrentHashMap<>();
    private final Set<ConnectionHandler> connections = ConcurrentHashMap.newKeySet();
    /** Sessions closed by the app on this node; joins are refused. */
    private final Set<SessionId> closed = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> sweeper;

    /**
     * @param clock      stamps arrivals, departures and messages, and checks tickets
     * @param nanoTicker monotonic time for timeouts and rate limits ({@code System::nanoTime})
     */
    public RelayNode(JoinTicketVerifier verifier, Clock clock, LongSupplier nanoTicker, RelayLimits limits,
            RelayEventSink sink, ScheduledExecutorService scheduler) {
        this.verifier = verifier;
        this.clock = clock;
        this.nanoTicker = nanoTicker;
        this.limits = limits;
        this.sink = sink;
        this.sweeper = scheduler.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    /** A new WebSocket connection for session {@code sessionId}. */
    public ConnectionHandler open(SessionId sessionId, Outbound out) {
        ConnectionHandler handler = new ConnectionHandler(this, sessionId, out);
        connections.add(handler);
        return handler;
    }

    /**
     * Ends a session: its connections are closed with 4499 (clients do not retry), a
     * {@link RelayEvent.SessionClosed} is recorded, and later joins are refused with 4499.
     */
    public void closeSession(SessionId id, String reason) {
        Instant now = now();
        closed.add(id);
        SessionRoom room = rooms.remove(id);
        event(new RelayEvent.SessionClosed(newEventId(), id, now, reason));
        if (room != null) {
            room.closeAll(CloseCode.SESSION_CLOSED, reason);
        }
    }

    boolean isClosed(SessionId id) {
        return closed.contains(id);
    }

    public int sessionCount() {
        return rooms.size();
    }

    public int connectionCount() {
        return connections.size();
    }

    /** Closes every connection with 1001 (going away): clients reconnect, to another node if there is one. */
    @Override
    public void close() {
        sweeper.cancel(false);
        rooms.values().forEach(r -> r.closeAll(CloseCode.GOING_AWAY, "relay node shutting down"));
    }

    // ---------------------------------------------------------------- for handlers and rooms

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** Monotonic nanoseconds, for timeouts and rates only. */
    long ticks() {
        return nanoTicker.getAsLong();
    }

    FrameCodec codec() {
        return codec;
    }

    JoinTicketVerifier verifier() {
        return verifier;
    }

    RelayLimits limits() {
        return limits;
    }

    /** The session's room, created on first use unless the node is full. */
    Optional<SessionRoom> roomFor(SessionId id, Instant now) {
        SessionRoom existing = rooms.get(id);
        if (existing != null) {
            return Optional.of(existing);
        }
        if (rooms.size() >= limits.maxSessionsPerNode()) {
            return Optional.empty();
        }
        return Optional.of(rooms.computeIfAbsent(id, k -> new SessionRoom(k, this, now)));
    }

    void forget(ConnectionHandler handler) {
        connections.remove(handler);
    }

    void event(RelayEvent event) {
        try {
            sink.accept(event);
        } catch (RuntimeException e) {
            log.warn("session {}: the relay event sink failed on {}", event.session(), event.getClass().getSimpleName(), e);
        }
    }

    static String newEventId() {
        return UUID.randomUUID().toString();
    }

    static String newConnectionId() {
        return "c-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    private void sweep() {
        try {
            Instant now = now();
            long ticks = ticks();
            for (ConnectionHandler handler : connections) {
                handler.sweep(now, ticks);
            }
            Instant cutoff = now.minus(ROOM_RETENTION);
            rooms.values().removeIf(room -> room.idleSince(cutoff));
        } catch (RuntimeException e) {
            log.error("relay sweep failed", e);
        }
    }
}
