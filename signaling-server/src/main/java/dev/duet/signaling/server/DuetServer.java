package dev.duet.signaling.server;

import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.WebhookSignature;
import dev.duet.attendance.WebhookSender;
import dev.duet.attendance.SessionOutcomeListener;
import dev.duet.attendance.SessionOutcomes;
import dev.duet.attendance.JdbcAttendanceStore;
import dev.duet.attendance.JsonLinesAttendanceStore;
import dev.duet.core.Booking;
import dev.duet.core.JoinTicket;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import dev.duet.core.attendance.AttendanceRules;
import dev.duet.core.attendance.AttendanceStore;
import dev.duet.core.attendance.BillingPolicy;
import dev.duet.core.internal.Checks;
import dev.duet.turn.IceServers;
import dev.duet.turn.TurnCredentialProvider;
import dev.duet.turn.TurnServerAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Duet on an app's backend, in one object: it runs the relay, holds the ticket keys, the TURN
 * provider and the attendance store, settles every closed session into a report and a charge, and
 * hands each participant what their client needs to join ({@link JoinDetails}).
 *
 * <pre>{@code
 * DuetServer duet = DuetServer.builder(TicketKey.fromBase64("k1", env("DUET_TICKET_KEY")))
 *         .attendanceFile(Path.of("attendance.jsonl"))
 *         .billing(BillingPolicy.perMinute(Money.of("EUR", "60.00")))
 *         .turn(turnCredentials, turnServer)          // optional: TURN first in every ICE server list
 *         .onOutcome((report, charge) -> invoices.record(report, charge))
 *         .start();
 * duet.book(booking);                                  // when the app books a session
 * String json = duet.join(sessionId, participantId).toJson();   // the page's DuetCall options
 * }</pre>
 *
 * <p>Lifecycle: {@link Builder#start()} starts the relay; {@link #close()} stops it, waits up to
 * 5 s for sessions being settled, and closes the attendance store if this object opened it. The
 * relay closes each session by itself (its window ends, or both left after a hang-up), and the
 * session is then settled from the stored events: {@link Builder#onOutcome} listeners and the
 * {@link Builder#webhook webhook} are told once per session, and the session's TURN credentials are
 * revoked. Bookings given to {@link #book} are kept in memory until a day after their window
 * closes; an app that keeps its bookings elsewhere passes a {@link Builder#bookings lookup}
 * instead. Thread-safe.
 */
public final class DuetServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DuetServer.class);

    /** How long a booking given to {@link #book} is kept after its window closed (then {@link #join} says unknown). */
    static final Duration RETENTION = Duration.ofDays(1);

    private final Map<SessionId, Booking> booked = new ConcurrentHashMap<>();
    private final Set<SessionId> closed = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong lastForgetSecond = new java.util.concurrent.atomic.AtomicLong();
    private final BookingLookup lookup;
    private final JoinTicketIssuer issuer;
    private final Optional<TurnCredentialProvider> turn;
    private final Optional<TurnServerAddress> turnServer;
    private final boolean relayOnly;
    private final Optional<URI> publicUrl;
    private final Clock clock;
    private final AttendanceStore store;
    private final boolean ownsStore;
    private final TicketRevocations revocations;
    private final ExecutorService settling;
    private final ScheduledExecutorService webhookRetries;
    private final RelayServer relay;

    private DuetServer(Builder b) throws java.io.IOException {
        this.clock = b.relay.clock();
        this.issuer = new JoinTicketIssuer(b.keys.get(0), b.ticketLifetime);
        this.turn = Optional.ofNullable(b.turn);
        this.turnServer = Optional.ofNullable(b.turnServer);
        this.relayOnly = b.relayOnly;
        this.publicUrl = Optional.ofNullable(b.publicUrl);
        BookingLookup appLookup = b.bookings;
        this.lookup = session -> {
            Booking own = booked.get(session);
            return own != null ? Optional.of(own) : appLookup.find(session);
        };
        this.ownsStore = b.store == null;
        this.store = ownsStore ? JsonLinesAttendanceStore.open(b.attendanceFile) : b.store;
        this.revocations = b.revocations != null ? b.revocations : ownsStore
                ? TicketRevocations.file(b.attendanceFile.resolveSibling(b.attendanceFile.getFileName() + ".revoked"))
                : TicketRevocations.inMemory();
        this.settling = Executors.newSingleThreadExecutor(daemon("duet-settle"));
        this.webhookRetries = Executors.newSingleThreadScheduledExecutor(daemon("duet-webhook"));
        try {
            List<SessionOutcomeListener> listeners = new ArrayList<>(b.listeners);
            if (b.webhookUrl != null) {
                listeners.add(new WebhookSender(b.webhookUrl, b.webhookSignature, webhookRetries, clock, 8));
            }
            listeners.add((report, charge) -> revokeTurn(report.session()));
            SessionOutcomes.Builder settle = SessionOutcomes.builder(store, lookup::find).rules(b.rules).billingFor(b.billing)
                    .executor(settling);
            listeners.forEach(settle::listener);
            SessionOutcomes outcomes = settle.build();
            RelayEventSink sink = RelayEventSink.storing(store).andThen(event -> {
                if (event instanceof AttendanceEvent.SessionClosed c) {
                    closed.add(c.session());
                }
            }).andThen(RelayEventSink.settling(outcomes)).andThen(b.sink);
            this.relay = b.relay.verifier(new JoinTicketVerifier(b.keys, Duration.ofSeconds(30))).bookings(lookup).eventSink(sink)
                    .closedBefore(RelayServer.Builder.closedIn(store)).revocations(revocations).start();
        } catch (java.io.IOException | RuntimeException | Error e) {
            settling.shutdownNow();
            webhookRetries.shutdownNow();
            if (ownsStore) {
                store.close();
            }
            throw e;
        }
    }

    /**
     * @param ticketKey the key that signs join tickets (at least 32 random bytes, kept secret); older
     *                  keys still accepted during a rotation go to {@link Builder#previousTicketKeys}
     */
    public static Builder builder(TicketKey ticketKey) {
        return new Builder(ticketKey);
    }

    /**
     * Registers a booking, so that its participants can {@link #join} and the relay knows its window.
     * Booking the same session again with the same booking does nothing.
     *
     * @throws IllegalArgumentException if a different booking with the same session id is registered
     */
    public void book(Booking booking) {
        Checks.notNull(booking, "booking");
        forgetEnded(clock.instant());
        Booking before = booked.putIfAbsent(booking.sessionId(), booking);
        if (before != null && !before.equals(booking)) {
            throw new IllegalArgumentException("session " + booking.sessionId().value()
                    + " is already booked differently; expected a new session id for a new booking");
        }
    }

    /** Closed on the durable record (by this server before a restart, say); remembered once seen. */
    private boolean closedOnRecord(SessionId session) {
        if (store.events(session).stream().anyMatch(AttendanceEvent.SessionClosed.class::isInstance)) {
            closed.add(session);
            return true;
        }
        return false;
    }

    /**
     * Forgets bookings (and their closed marks) whose window closed more than {@link #RETENTION}
     * ago, so that a long-running server does not keep every session it ever had; at most once a
     * minute, on the booking thread.
     */
    private void forgetEnded(Instant now) {
        long second = now.getEpochSecond();
        long last = lastForgetSecond.get();
        if (second - last < 60 || !lastForgetSecond.compareAndSet(last, second)) {
            return;
        }
        Instant before = now.minus(RETENTION);
        booked.values().removeIf(b -> b.closesAt().isBefore(before));
        closed.removeIf(id -> lookup.find(id).map(b -> b.closesAt().isBefore(before)).orElse(true));
    }

    /** The booking of {@code session}, from {@link #book} or the app's lookup. */
    public Optional<Booking> booking(SessionId session) {
        Checks.notNull(session, "session");
        return lookup.find(session);
    }

    /**
     * What {@code participant}'s client needs to join {@code session} now: the relay's address, a
     * fresh ticket, and ICE servers with a fresh TURN credential (TURN first). Ask again for each
     * join or page load. A ticket may be issued before the room opens: the relay then refuses the join
     * with 4425 and the opening time, which duet-web reports as "too early".
     *
     * @throws JoinUnavailableException if the session is unknown or over, or the participant is not booked into it
     */
    public JoinDetails join(SessionId session, ParticipantId participant) {
        Booking booking = bookingOf(session, participant);
        Instant now = clock.instant();
        if (closed.contains(session) || !now.isBefore(booking.closesAt()) || closedOnRecord(session)) {
            throw new JoinUnavailableException(JoinUnavailableException.Reason.SESSION_OVER, "session " + session.value()
                    + " is over (its window closed at " + booking.closesAt() + ")");
        }
        JoinTicket ticket = issuer.ticketFor(booking, participant, now);
        Optional<Instant> revokedUpTo = revocations.revokedUpTo(session, participant);
        if (revokedUpTo.isPresent() && !ticket.expiresAt().isAfter(revokedUpTo.get())) {
            // A replacement for revoked tickets: it expires a second after them, so it is another ticket.
            // (It may outlast the window's end by that second: the relay closes the session then anyway.)
            ticket = new JoinTicket(ticket.sessionId(), ticket.participantId(), ticket.role(), ticket.notBefore(),
                    revokedUpTo.get().plusSeconds(1), ticket.keyId());
        }
        String signed = issuer.sign(ticket);
        IceServers ice = IceServers.none();
        if (turn.isPresent()) {
            ice = IceServers.of(turnServer.get(), turn.get().issue(booking, participant, now));
            if (relayOnly) {
                ice = ice.relayOnly();
            }
        }
        return new JoinDetails(session, participant, relayUrl(session), signed, ticket.expiresAt(), ice);
    }

    /**
     * Revokes every ticket {@code participant} has been given for {@code session} (a ticket leaked,
     * say): later joins with one are refused with 4401, and a connection that joined with one is
     * closed with 4401. The revocation is kept with the attendance file (next to it, {@code .revoked}),
     * so it survives a restart; with an attendance store of the app's, in memory unless
     * {@link Builder#revocations} says where. The next {@link #join} hands out a replacement ticket
     * (it expires a second after the revoked ones, so it is a different ticket).
     *
     * @return how many connections were closed
     * @throws JoinUnavailableException if the session is unknown or the participant is not booked into it
     */
    public int revokeTickets(SessionId session, ParticipantId participant) {
        Booking booking = bookingOf(session, participant);
        // Every ticket handed out so far expires at or before the one the issuer would hand out now (or
        // a replacement handed out since an earlier revocation, a second after it).
        Instant now = clock.instant();
        Instant latest = now.isBefore(booking.closesAt()) ? issuer.ticketFor(booking, participant, now).expiresAt() : booking.closesAt();
        Instant upTo = revocations.revokedUpTo(session, participant).map(r -> r.plusSeconds(1)).filter(r -> r.isAfter(latest))
                .orElse(latest);
        return relay.revokeTickets(session, participant, upTo);
    }

    /** {@code session}'s booking, checked to have {@code participant} as its expert or learner. */
    private Booking bookingOf(SessionId session, ParticipantId participant) {
        Checks.notNull(session, "session");
        Checks.notNull(participant, "participant");
        Booking booking = lookup.find(session).orElseThrow(() -> new JoinUnavailableException(
                JoinUnavailableException.Reason.UNKNOWN_SESSION, "no session " + session.value() + " is booked"));
        if (booking.participant(participant).isEmpty()) {
            throw new JoinUnavailableException(JoinUnavailableException.Reason.NOT_A_PARTICIPANT, participant.value()
                    + " is not booked into session " + session.value() + "; expected its expert or its learner");
        }
        return booking;
    }

    /** The WebSocket address of {@code session}: under the {@link Builder#publicUrl public URL} if one was given. */
    public URI relayUrl(SessionId session) {
        Checks.notNull(session, "session");
        if (publicUrl.isEmpty()) {
            return relay.sessionUri(session);
        }
        String base = publicUrl.get().toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/sessions/" + session.value());
    }

    /** Ends a session now, for both participants; see {@link RelayServer#closeSession}. */
    public boolean closeSession(SessionId session, String reason) {
        return relay.closeSession(session, reason);
    }

    /** The port the relay listens on. */
    public int port() {
        return relay.port();
    }

    private void revokeTurn(SessionId session) {
        if (turn.isEmpty()) {
            return;
        }
        lookup.find(session).ifPresent(booking -> {
            try {
                turn.get().revoke(booking);
            } catch (RuntimeException e) {
                log.warn("could not revoke the TURN credentials of session {}: {}", session.value(), e.toString());
            }
        });
    }

    @Override
    public void close() {
        relay.close();
        settling.shutdown();
        try {
            if (!settling.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("sessions were still being settled when the server closed; they settle again when next closed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        settling.shutdownNow();
        webhookRetries.shutdownNow();
        if (ownsStore) {
            store.close();
        }
    }

    @Override
    public String toString() {
        return "DuetServer[relay=" + relay + ", turn=" + turnServer.map(Object::toString).orElse("none")
                + (relayOnly ? " (relay only)" : "") + ", bookings=" + booked.size() + "]";
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Configures a {@link DuetServer}; only the ticket key, the attendance store and the billing policy are required. */
    public static final class Builder {
        private final List<TicketKey> keys = new ArrayList<>();
        private final RelayServer.Builder relay;
        private URI publicUrl;
        private Duration ticketLifetime = Duration.ofHours(1);
        private AttendanceStore store;
        private Path attendanceFile;
        private TicketRevocations revocations;
        private java.util.function.Function<Booking, BillingPolicy> billing;
        private AttendanceRules rules = AttendanceRules.defaults();
        private final List<SessionOutcomeListener> listeners = new ArrayList<>();
        private URI webhookUrl;
        private WebhookSignature webhookSignature;
        private TurnCredentialProvider turn;
        private TurnServerAddress turnServer;
        private boolean relayOnly;
        private BookingLookup bookings = BookingLookup.none();
        private RelayEventSink sink = RelayEventSink.none();

        private Builder(TicketKey key) {
            keys.add(Checks.notNull(key, "ticketKey"));
            relay = RelayServer.builder(new JoinTicketVerifier(keys, Duration.ofSeconds(30)));
        }

        /** Keys that signed tickets before a rotation and are still accepted (not used to sign). */
        public Builder previousTicketKeys(List<TicketKey> previous) {
            Checks.notNull(previous, "previousTicketKeys");
            for (TicketKey k : previous) {
                Checks.notNull(k, "previousTicketKeys element");
                if (keys.stream().anyMatch(existing -> existing.keyId().equals(k.keyId()))) {
                    throw new IllegalArgumentException("previousTicketKeys repeats the key id " + k.keyId()
                            + "; expected distinct key ids");
                }
                keys.add(k);
            }
            return this;
        }

        /** How long a ticket stays valid once the room is open (default 1 hour; the booking's close caps it). */
        public Builder ticketLifetime(Duration lifetime) {
            this.ticketLifetime = Checks.notNull(lifetime, "ticketLifetime");
            return this;
        }

        /** The address the relay binds to (default 127.0.0.1; {@code 0.0.0.0} for every interface). */
        public Builder host(String host) {
            relay.host(host);
            return this;
        }

        /** The relay's port (default 0: a free port, see {@link DuetServer#port()}). */
        public Builder port(int port) {
            relay.port(port);
            return this;
        }

        /**
         * The relay's address as clients reach it, when that differs from where it binds (a TLS proxy
         * in front, say): {@code wss://calls.example.com} gives {@code wss://calls.example.com/v1/sessions/<id>}.
         */
        public Builder publicUrl(URI url) {
            Checks.notNull(url, "publicUrl");
            if (!"ws".equals(url.getScheme()) && !"wss".equals(url.getScheme()) || url.getHost() == null
                    || url.getQuery() != null || url.getFragment() != null) {
                throw new IllegalArgumentException("publicUrl must be ws://host[:port][/path] or wss://..., without query, but was "
                        + url);
            }
            this.publicUrl = url;
            return this;
        }

        public Builder clock(Clock clock) {
            relay.clock(clock);
            return this;
        }

        /** Stores attendance in this JSON-lines file (created if missing), which the server opens and closes. */
        public Builder attendanceFile(Path file) {
            this.attendanceFile = Checks.notNull(file, "attendanceFile");
            this.store = null;
            return this;
        }

        /**
         * Where revoked tickets are kept ({@link DuetServer#revokeTickets}); by default a file next to
         * the attendance file, or in memory with an attendance store of the app's.
         */
        public Builder revocations(TicketRevocations revocations) {
            this.revocations = Checks.notNull(revocations, "revocations");
            return this;
        }

        /** Stores attendance in {@code store} (a {@link JdbcAttendanceStore}, say), which the app closes after the server. */
        public Builder attendanceStore(AttendanceStore store) {
            this.store = Checks.notNull(store, "attendanceStore");
            this.attendanceFile = null;
            return this;
        }

        /** How every session's attendance becomes a charge. This or {@link #billingFor} is required. */
        public Builder billing(BillingPolicy billing) {
            Checks.notNull(billing, "billing");
            this.billing = booking -> billing;
            return this;
        }

        /** A policy per booking, chosen from it when the session is settled (its expert's rate, say). */
        public Builder billingFor(java.util.function.Function<Booking, BillingPolicy> choose) {
            this.billing = Checks.notNull(choose, "choose");
            return this;
        }

        /** What counts as showing up and as a completed session (default {@link AttendanceRules#defaults()}). */
        public Builder rules(AttendanceRules rules) {
            this.rules = Checks.notNull(rules, "rules");
            return this;
        }

        /** Told once per closed session, with its report and charge, on a thread of the server's own. */
        public Builder onOutcome(SessionOutcomeListener listener) {
            listeners.add(Checks.notNull(listener, "onOutcome"));
            return this;
        }

        /** Posts each session's report and charge to {@code url}, signed (docs/webhooks.md), retried up to 8 times. */
        public Builder webhook(URI url, WebhookSignature signature) {
            this.webhookUrl = Checks.notNull(url, "webhook url");
            this.webhookSignature = Checks.notNull(signature, "webhook signature");
            if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
                throw new IllegalArgumentException("webhook url must be http or https, but was " + url);
            }
            return this;
        }

        /** TURN: each join gets a credential from {@code provider} for {@code server}, listed before its STUN entry. */
        public Builder turn(TurnCredentialProvider provider, TurnServerAddress server) {
            this.turn = Checks.notNull(provider, "turn provider");
            this.turnServer = Checks.notNull(server, "turn server");
            return this;
        }

        /** With {@link #turn}: clients use only relayed candidates, so neither side learns the other's address. */
        public Builder relayOnly(boolean relayOnly) {
            this.relayOnly = relayOnly;
            return this;
        }

        /** Finds bookings the app keeps itself; asked after the ones given to {@link DuetServer#book}. */
        public Builder bookings(BookingLookup bookings) {
            this.bookings = Checks.notNull(bookings, "bookings");
            return this;
        }

        public Builder limits(RelayLimits limits) {
            relay.limits(limits);
            return this;
        }

        /** How long after both left following a hang-up the relay closes the session (default 30 s). */
        public Builder settleGrace(Duration grace) {
            relay.settleGrace(grace);
            return this;
        }

        /** Shares sessions with other relay nodes through Redis (see the README's scaling notes). */
        public Builder redis(URI uri) {
            relay.redis(uri);
            return this;
        }

        /** Also sees every relay event, after it is stored (metrics, logs). */
        public Builder eventSink(RelayEventSink sink) {
            this.sink = Checks.notNull(sink, "eventSink");
            return this;
        }

        /**
         * Starts the relay.
         *
         * @throws IllegalStateException if no attendance store or no billing policy was given
         * @throws java.io.IOException   if the relay cannot listen (see {@link RelayServer.Builder#start()})
         */
        public DuetServer start() throws java.io.IOException {
            if (store == null && attendanceFile == null) {
                throw new IllegalStateException("no attendance store: call attendanceFile(Path) or attendanceStore(store) "
                        + "before start(), so that no attendance event is lost");
            }
            if (billing == null) {
                throw new IllegalStateException("no billing policy: call billing(BillingPolicy) or billingFor(...) before start()");
            }
            if (publicUrl == null && relay.wildcardHost()) {
                throw new IllegalStateException("the relay binds to every interface, and ws://" + relay.host()
                        + " is no address a client can open: call publicUrl(URI) with the address clients reach it at");
            }
            if (relayOnly && turn == null) {
                throw new IllegalStateException("relayOnly(true) needs a TURN server: call turn(provider, server) too");
            }
            return new DuetServer(this);
        }
    }
}
