package dev.duet.signaling.server.internal;

import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.SessionId;
import dev.duet.signaling.client.wire.CloseCode;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.server.RelayEvent;
import dev.duet.signaling.server.RelayEventSink;
import dev.duet.signaling.server.RelayLimits;
import java.time.Clock;
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
    private final JoinTicketVerifier verifier;
    private final Clock clock;
    private final RelayLimits limits;
    private final RelayEventSink sink;
    private final LongSupplier nanoTicker;
    private final FrameCodec codec = new FrameCodec();
    private final SessionStore store;
    /** This node's connections, per session. */
    private final ConcurrentHashMap<SessionId, LocalRoom> rooms = new ConcurrentHashMap<>();
    private final Set<ConnectionHandler> connections = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> sweeper;

    /**
     * @param clock      stamps arrivals, departures and messages, and checks tickets
     * @param nanoTicker monotonic time for timeouts and rate limits ({@code System::nanoTime})
     */
    public RelayNode(JoinTicketVerifier verifier, Clock clock, LongSupplier nanoTicker, RelayLimits limits,
            RelayEventSink sink, ScheduledExecutorService scheduler, SessionStore store) {
        this.verifier = verifier;
        this.clock = clock;
        this.nanoTicker = nanoTicker;
        this.limits = limits;
        this.sink = sink;
        this.store = store;
        store.subscribe((session, event) -> {
            LocalRoom room = rooms.get(session);
            if (room != null) {
                room.dispatch(event);
            }
        });
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
        event(new RelayEvent.SessionClosed(newEventId(), id, now(), reason));
        store.close(id, reason);
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
        connections.forEach(c -> c.close(CloseCode.GOING_AWAY, "relay node shutting down"));
        store.close();
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

    SessionStore store() {
        return store;
    }

    /** Adds {@code handler} to the session's local room (created unless the node is full). */
    Optional<LocalRoom> enter(SessionId id, ConnectionHandler handler) {
        LocalRoom[] entered = new LocalRoom[1];
        rooms.compute(id, (k, room) -> {
            if (room == null) {
                if (rooms.size() >= limits.maxSessionsPerNode()) {
                    return null;
                }
                room = new LocalRoom(k);
            }
            room.add(handler);
            entered[0] = room;
            return room;
        });
        return Optional.ofNullable(entered[0]);
    }

    /** Removes {@code handler} from its local room; an empty room is dropped. */
    void leave(LocalRoom room, ConnectionHandler handler) {
        rooms.computeIfPresent(room.id(), (k, r) -> {
            r.remove(handler);
            return r.isEmpty() ? null : r;
        });
    }

    void forget(ConnectionHandler handler) {
        connections.remove(handler);
    }

    /** Records an event that must be durable before the relay acts on it; throws when the sink failed. */
    void record(RelayEvent event) {
        sink.accept(event);
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

    /** The same id for the same message every time it is sent again: (session, participant, client instance, seq). */
    static String messageEventId(SessionId session, dev.duet.core.ParticipantId participant, String clientId, long seq) {
        String key = session.value() + "|" + participant.value() + "|" + clientId + "|" + seq;
        return UUID.nameUUIDFromBytes(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
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
            store.sweep(rooms.keySet(), now);
        } catch (RuntimeException e) {
            log.error("relay sweep failed", e);
        }
    }
}
