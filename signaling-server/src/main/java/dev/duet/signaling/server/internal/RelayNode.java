package dev.duet.signaling.server.internal;

import dev.duet.core.DepartureReason;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.SessionId;
import dev.duet.signaling.client.CloseCode;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.server.BookingLookup;
import dev.duet.signaling.server.RelayEventSink;
import dev.duet.signaling.client.internal.TokenBucket;
import dev.duet.signaling.server.RelayLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
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
    private final ScheduledExecutorService scheduler;
    private final java.util.concurrent.Executor writer;
    private final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong slowConsumersClosed = new java.util.concurrent.atomic.AtomicLong();
    private final BookingLookup bookings;
    private final Duration settleGrace;
    /** Sessions this node admitted someone to and has not seen closed: it closes them when they are over. */
    private final ConcurrentHashMap<SessionId, Watch> watched = new ConcurrentHashMap<>();

    /** When a watched session's window closes (if its booking is known), and since when it has been settling. */
    private static final class Watch {
        final Optional<Instant> closesAt;
        long emptySince = -1; // node ticks since nobody was present; -1 while someone is

        Watch(Optional<Instant> closesAt) {
            this.closesAt = closesAt;
        }
    }

    /**
     * @param clock      stamps arrivals, departures and messages, and checks tickets
     * @param nanoTicker monotonic time for timeouts and rate limits ({@code System::nanoTime})
     */
    public RelayNode(JoinTicketVerifier verifier, Clock clock, LongSupplier nanoTicker, RelayLimits limits,
            RelayEventSink sink, ScheduledExecutorService scheduler, SessionStore store) {
        this(verifier, clock, nanoTicker, limits, sink, scheduler, store, BookingLookup.none(), DEFAULT_SETTLE_GRACE, Runnable::run);
    }

    /**
     * @param bookings    finds a session's booking, to close it when its window ends
     * @param settleGrace how long nobody must be present after a hang-up before the session is closed
     * @param writer      where connections' queued frames are written (the web server's thread pool)
     */
    public RelayNode(JoinTicketVerifier verifier, Clock clock, LongSupplier nanoTicker, RelayLimits limits,
            RelayEventSink sink, ScheduledExecutorService scheduler, SessionStore store, BookingLookup bookings,
            Duration settleGrace, java.util.concurrent.Executor writer) {
        this.bookings = bookings;
        this.scheduler = scheduler;
        this.writer = writer;
        this.settleGrace = settleGrace;
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
        store.onStateMayBeLost(() -> writer.execute(this::resyncConnections));
        this.lastHousekeeping = ticks();
        this.sweeper = scheduler.scheduleWithFixedDelay(this::sweep, SWEEP_PERIOD.toMillis(), SWEEP_PERIOD.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** A new WebSocket connection for session {@code sessionId}. */
    public ConnectionHandler open(SessionId sessionId, Outbound out) {
        ConnectionHandler handler = new ConnectionHandler(this, sessionId, out);
        connections.add(handler);
        return handler;
    }

    /**
     * Ends a session: its connections are closed with 4499 (clients do not retry), a
     * {@link AttendanceEvent.SessionClosed} is recorded, and later joins are refused with 4499.
     */
    public boolean closeSession(SessionId id, String reason) {
        try (dev.duet.core.internal.LogContext ignored = dev.duet.core.internal.LogContext.with(id.value(), null, null)) {
            return closeNow(id, reason);
        }
    }

    private boolean closeNow(SessionId id, String reason) {
        Instant at = now();
        if (!store.close(id, reason)) {
            watched.remove(id);
            return false;
        }
        watched.remove(id);
        event(new AttendanceEvent.SessionClosed(newEventId(), id, at, reason));
        log.info("session {}: closed ({})", id, reason);
        return true;
    }

    /** Reason of a session the relay closed because its booked window ended. */
    public static final String WINDOW_ENDED = "window-ended";
    /** Reason of a session the relay closed because both had left after a hang-up. */
    public static final String HUNG_UP = "hung-up";
    public static final Duration DEFAULT_SETTLE_GRACE = Duration.ofSeconds(30);
    /** A watched session with no known window that nobody is in for this long is no longer watched. */
    static final Duration FORGET_AFTER = Duration.ofHours(2);

    public int sessionCount() {
        return rooms.size();
    }

    public int connectionCount() {
        return connections.size();
    }

    /** Bytes of frames waiting to be written to this node's connections, all together. */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** Connections closed (4003) because they did not read fast enough, since the node started. */
    public long slowConsumersClosed() {
        return slowConsumersClosed.get();
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

    java.util.concurrent.Executor writer() {
        return writer;
    }

    java.util.concurrent.atomic.AtomicLong queuedBytesCounter() {
        return queuedBytes;
    }

    void slowConsumerClosed(SessionId session, ConnectionHandler handler) {
        slowConsumersClosed.incrementAndGet();
        log.warn("session {}: {} does not read fast enough (over {} KiB waiting); closing it with 4003", session,
                handler == null ? "a connection" : handler.describe(), limits.maxQueuedBytes() / 1024);
    }

    /** Runs {@code task} on the node's scheduler after {@code millis}. */
    void later(Runnable task, long millis) {
        try {
            scheduler.schedule(task, millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            task.run();
        }
    }

    /** Someone was admitted to {@code id} on this node: close the session when it is over. */
    void watch(SessionId id) {
        watched.computeIfAbsent(id, k -> {
            Optional<Instant> closesAt;
            try {
                closesAt = bookings.find(k).map(dev.duet.core.Booking::closesAt);
            } catch (RuntimeException e) {
                log.error("session {}: the booking lookup failed; the session closes only after a hang-up or by the app", k, e);
                closesAt = Optional.empty();
            }
            return new Watch(closesAt);
        });
    }

    void forget(ConnectionHandler handler) {
        connections.remove(handler);
    }

    /** Records an event that must be durable before the relay acts on it; throws when the sink failed. */
    void record(AttendanceEvent event) {
        sink.accept(event);
    }

    void event(AttendanceEvent event) {
        try {
            sink.accept(event);
        } catch (RuntimeException e) {
            log.warn("session {}: the relay event sink failed on {}", event.session(), event.getClass().getSimpleName(), e);
        }
    }

    /** How often the connections this node holds are marked alive on the record ({@link AttendanceEvent.ConnectionsAlive}). */
    static final Duration ALIVE_MARK_INTERVAL = Duration.ofSeconds(5);
    private long lastAliveMark;
    private final java.util.concurrent.atomic.AtomicBoolean marking = new java.util.concurrent.atomic.AtomicBoolean();

    /** One mark per session with joined connections on this node: the last moment they were known alive, should it die. */
    private void markAlive(Instant now) {
        for (Map.Entry<SessionId, LocalRoom> e : rooms.entrySet()) {
            java.util.List<dev.duet.core.ConnectionId> held = e.getValue().joinedConnections();
            if (!held.isEmpty()) {
                event(new AttendanceEvent.ConnectionsAlive(newEventId(), e.getKey(), now, held));
            }
        }
    }

    /** How often one participant's refusals of one kind are put on the record, at most (a retrying client). */
    static final Duration REFUSAL_RECORD_SPACING = Duration.ofSeconds(10);
    /** When each (session, participant, refusal) was last recorded, in ticks; entries older than the spacing are swept. */
    private final Map<String, Long> refusalsRecorded = new ConcurrentHashMap<>();

    /**
     * Records a join refused although its ticket was genuine ({@link AttendanceEvent.JoinRefused}),
     * at most once per {@link #REFUSAL_RECORD_SPACING} for the same participant and refusal, so a
     * client retrying in a loop cannot fill the store. A sink failure is logged: the refusal stands.
     */
    void refused(SessionId session, dev.duet.core.ParticipantId participant, AttendanceEvent.Refusal reason, String message,
            Instant at) {
        long now = ticks();
        String key = session.value() + "|" + participant.value() + "|" + reason.code();
        boolean[] record = {false};
        refusalsRecorded.compute(key, (k, last) -> {
            if (last == null || now - last >= REFUSAL_RECORD_SPACING.toNanos()) {
                record[0] = true;
                return now;
            }
            return last;
        });
        if (record[0]) {
            String said = message.length() <= 300 ? message : message.substring(0, 297) + "...";
            event(new AttendanceEvent.JoinRefused(newEventId(), session, at, participant, reason, said));
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

    /** Supersedes this node's other connections of {@code participant} in {@code session} holding {@code connection}. */
    void supersede(SessionId session, dev.duet.core.ParticipantId participant, dev.duet.core.ConnectionId connection,
            ConnectionHandler except) {
        for (ConnectionHandler h : connections) {
            dev.duet.signaling.client.Member m = h.member();
            if (h != except && m != null && h.sessionId().equals(session) && m.participant().equals(participant)
                    && m.connection().equals(connection)) {
                h.supersede();
            }
        }
    }

    /**
     * The shared store came back after an outage: events published while this node's subscription
     * was down were missed. Every joined connection catches up ({@link ConnectionHandler#resync});
     * one the store no longer knows (Redis restarted without its data) is closed with 1001, and its
     * client reconnects and resumes on the store's new incarnation (docs/protocol.md §7.1).
     */
    private void resyncConnections() {
        int checked = 0;
        for (ConnectionHandler handler : connections) {
            try {
                handler.resync();
                checked++;
            } catch (RuntimeException e) {
                log.warn("could not check a connection against the session store ({}); closing it so its client reconnects",
                        e.getClass().getSimpleName());
                handler.close(dev.duet.signaling.client.CloseCode.GOING_AWAY, "the relay's session store is unavailable; reconnect");
            }
        }
        log.info("caught up {} connection(s) with the session store after its outage", checked);
    }

    static String newConnectionId() {
        return "c-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    private volatile java.util.function.Predicate<SessionId> closedBefore = session -> false;
    private volatile dev.duet.signaling.server.TicketRevocations revocations = dev.duet.signaling.server.TicketRevocations.inMemory();

    /** Where revoked tickets are kept; see {@code RelayServer.Builder#revocations}. */
    public void revocations(dev.duet.signaling.server.TicketRevocations revocations) {
        this.revocations = revocations;
    }

    dev.duet.signaling.server.TicketRevocations revocations() {
        return revocations;
    }

    /**
     * Revokes {@code participant}'s tickets for {@code session} that expire at or before
     * {@code expiringUpTo} (recorded first), and closes this node's connections that joined with one
     * (4401). Returns how many it closed.
     */
    public int revoke(SessionId session, dev.duet.core.ParticipantId participant, Instant expiringUpTo) {
        revocations.revoke(session, participant, expiringUpTo);
        int closed = 0;
        for (ConnectionHandler h : connections) {
            if (h.sessionId().equals(session) && h.joinedWithRevoked(participant, expiringUpTo)) {
                h.closeRevoked();
                closed++;
            }
        }
        log.info("session {}: tickets of {} expiring up to {} revoked; {} connection(s) closed", session, participant,
                expiringUpTo, closed);
        return closed;
    }
    /** Sessions {@link #closedBefore} said were closed: asked once each. */
    private final Set<SessionId> knownClosed = ConcurrentHashMap.newKeySet();

    /** Which sessions were closed before this node started (the durable record); see {@code RelayServer.Builder#closedBefore}. */
    public void closedBefore(java.util.function.Predicate<SessionId> closedBefore) {
        this.closedBefore = closedBefore;
    }

    /** Whether {@code session} is over: closed in the store, or before this node started. */
    boolean isClosed(SessionId session) {
        if (knownClosed.contains(session) || store.isClosed(session)) {
            return true;
        }
        if (closedBefore.test(session)) {
            knownClosed.add(session);
            return true;
        }
        return false;
    }

    /** Joins left to each participant of each session: {@code joinsPerMinute} at most, refilled evenly. */
    private final ConcurrentHashMap<String, TokenBucket> joinAllowances = new ConcurrentHashMap<>();

    /**
     * Takes one join from {@code participant}'s allowance in {@code session}; false when it has none
     * left (more than {@link RelayLimits#joinsPerMinute()} in the last minute). Per node: behind Redis,
     * a client spreading its joins over n nodes gets n allowances.
     */
    boolean joinAllowed(SessionId session, dev.duet.core.ParticipantId participant) {
        long now = ticks();
        TokenBucket allowance = joinAllowances.computeIfAbsent(session.value() + "\n" + participant.value(),
                k -> TokenBucket.perMinute(limits.joinsPerMinute(), now));
        synchronized (allowance) {
            return allowance.take(now);
        }
    }

    /**
     * How often the sweeper looks at every connection. Short, so that the pings of connections that
     * fell silent together (they joined in one burst) go out spread over a second in small batches,
     * not all in one tick ahead of everyone's messages; the rest of the housekeeping runs once a second.
     */
    static final Duration SWEEP_PERIOD = Duration.ofMillis(100);
    private static final long HOUSEKEEPING_NANOS = Duration.ofSeconds(1).toNanos();
    /** Node ticks of the last housekeeping round (touched by the sweeper thread alone). */
    private long lastHousekeeping;

    private void sweep() {
        try {
            Instant now = now();
            long ticks = ticks();
            for (ConnectionHandler handler : connections) {
                handler.sweep(now, ticks);
            }
            if (ticks - lastHousekeeping < HOUSEKEEPING_NANOS) {
                return;
            }
            lastHousekeeping = ticks;
            // A full allowance is no different from a new one: forgetting it changes nothing.
            joinAllowances.values().removeIf(a -> {
                synchronized (a) {
                    return a.isFull(ticks);
                }
            });
            for (SessionStore.Departure d : store.sweep(rooms.keySet(), now)) {
                // Its node died without recording the departure: on the record at its last sign of life.
                event(new AttendanceEvent.ParticipantLeft(messageEventId(d.session(), d.member().participant(),
                        "dead-node:" + d.member().connection().value(), 0), d.session(), d.at(), d.member().participant(),
                        d.member().connection(), DepartureReason.CONNECTION_LOST));
            }
            refusalsRecorded.values().removeIf(last -> ticks - last >= REFUSAL_RECORD_SPACING.toNanos());
            if (ticks - lastAliveMark >= ALIVE_MARK_INTERVAL.toNanos() && marking.compareAndSet(false, true)) {
                // Off the sweeper's thread (a slow store must not delay pings and timeouts); one round at a time.
                lastAliveMark = ticks;
                try {
                    writer.execute(() -> {
                        try {
                            markAlive(now);
                        } finally {
                            marking.set(false);
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                    marking.set(false);
                }
            }
            settle(now, ticks);
            if (sweepFailures > 0) {
                log.warn("relay sweep works again after {} failed run(s)", sweepFailures);
                sweepFailures = 0;
            }
        } catch (RuntimeException e) {
            // Once per outage with the cause (a store that is down fails every second); quiet after.
            if (sweepFailures++ == 0) {
                log.error("relay sweep failed; it runs every second and reports again when it works", e);
            } else {
                log.debug("relay sweep failed again", e);
            }
        }
    }

    /** Consecutive failed sweeps (touched by the sweeper thread alone). */
    private int sweepFailures;

    /** Closes watched sessions whose window has ended, or that nobody was in for the grace after a hang-up. */
    private void settle(Instant now, long ticks) {
        for (Map.Entry<SessionId, Watch> e : watched.entrySet()) {
            SessionId id = e.getKey();
            Watch w = e.getValue();
            try {
                if (w.closesAt.isPresent() && !now.isBefore(w.closesAt.get())) {
                    closeSession(id, WINDOW_ENDED);
                    continue;
                }
                SessionStore.Status status = store.status(id);
                if (status.closed()) {
                    watched.remove(id);
                } else if (status.present() == 0) {
                    if (w.emptySince < 0) {
                        w.emptySince = ticks;
                    }
                    long empty = ticks - w.emptySince;
                    if (status.hungUpBy().isPresent() && empty >= settleGrace.toNanos()) {
                        closeSession(id, HUNG_UP);
                    } else if (w.closesAt.isEmpty() && empty >= FORGET_AFTER.toNanos()) {
                        // No booking known and nobody back for two hours: stop watching (the store forgets it too).
                        watched.remove(id);
                    }
                } else {
                    w.emptySince = -1;
                }
            } catch (RuntimeException failure) {
                log.error("session {}: could not check whether it is over; trying again in a second", id, failure);
            }
        }
    }
}
