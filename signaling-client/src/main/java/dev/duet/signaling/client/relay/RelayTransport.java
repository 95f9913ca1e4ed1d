package dev.duet.signaling.client.relay;

import dev.duet.signaling.client.Backoff;
import dev.duet.signaling.client.CloseCode;
import dev.duet.signaling.client.CloseReason;
import dev.duet.signaling.client.JoinRefusedException;
import dev.duet.signaling.client.JoinResult;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.RelayUnreachableException;
import dev.duet.signaling.client.SignalingListener;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.client.UpgradeRefusedException;
import dev.duet.core.internal.Checks;
import dev.duet.signaling.client.internal.OkHttpWire;
import dev.duet.signaling.client.internal.TransportLoop;
import dev.duet.signaling.client.internal.TokenBucket;
import dev.duet.signaling.client.CloseCode;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.client.wire.ProtocolError;
import dev.duet.signaling.client.wire.ProtocolException;
import dev.duet.signaling.client.wire.Wire;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SignalingTransport} speaking the Duet relay protocol ({@code docs/protocol.md}) over a
 * {@link Wire}: a WebSocket to a relay node ({@link #webSocket}), or an in-JVM pipe.
 *
 * <p>What it does for the caller: sends {@code join} with the ticket on every connection;
 * numbers sends ({@code seq}) and keeps each until the relay accepted it, resending after a
 * reconnect; processes each delivery ({@code dseq}) once and acknowledges it; reconnects after a
 * lost connection with exponential backoff and full jitter; stops for good on a close code that
 * says not to retry (bad ticket, replaced, session over).
 *
 * <p>Threads: all state lives on the transport's own single thread; wire callbacks and public
 * methods hand work to it. Listener callbacks and future completions run on the callback
 * executor, one at a time and in the order the transport produced them, whatever executor that is.
 *
 * <p>Joining: the first join is retried with backoff while the relay is unreachable, for at most
 * the join timeout (30 s by default); each failed attempt is logged at WARN and reported through
 * {@link SignalingListener#onDisconnected}; then the join fails with
 * {@link RelayUnreachableException}. A {@code 4xx} answer to the WebSocket upgrade (wrong path, a
 * proxy refusing) fails it at once with {@link UpgradeRefusedException}. The transport's threads
 * are daemons, and {@link #close()} releases them.
 */
public final class RelayTransport implements SignalingTransport {
    private static final Logger log = LoggerFactory.getLogger(RelayTransport.class);
    private static final FrameCodec CODEC = new FrameCodec();
    /** Client pacing, below the relay's default of 50 frames/s with bursts of 100. */
    static final int FRAMES_PER_SECOND = 40;
    static final int FRAME_BURST = 80;
    private static final long ACK_DELAY_MILLIS = 100;
    private static final long GO_BACK_PAUSE_MILLIS = 1000;

    private final Wire.Connector connector;
    private final TicketSource tickets;
    private final TransportLoop threads;
    private final ScheduledExecutorService loop;
    private final java.util.function.LongSupplier nanoTicker;
    private final Backoff backoff;
    private final String clientId;
    private final Duration joinTimeout;
    private final String target;
    /** How long the first join may take, retries included, unless the transport is built with another. */
    public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(30);
    private String lastError = "no attempt yet";
    private final java.util.Optional<dev.duet.core.SessionId> session;
    private static final java.util.regex.Pattern SESSION_IN_TARGET = java.util.regex.Pattern.compile("sessions/([A-Za-z0-9._~-]{1,64})$");

    // confined to loop
    private volatile State state = State.NEW;
    private CompletableFuture<JoinResult> joined;
    private Wire wire;
    private boolean wireJoined;
    private long wireGeneration;
    private int attempt;
    private long nextSeq = 1;
    private final Deque<Pending> outbox = new ArrayDeque<>();
    /** Highest seq sent on the current wire (rewound to {@link #acceptedUpTo} to go back). */
    private long sentUpTo;
    private long acceptedUpTo;
    private long lastDelivered;
    private long lastAcked;
    private boolean ackScheduled;
    private boolean flushScheduled;
    private final TokenBucket pace;
    /** The relay's {@code refused} frame before a refusing close, if one came on the current wire. */
    private Frame.Refused refusal;
    /** The relay's incarnation of the session's state at the last {@code joined}; null before the first. */
    private String incarnation;
    /** The last {@code joined} (this side's member entry in it), and the peer as the listener last heard of it (null when absent). */
    private JoinResult joinedAs;
    private Member peer;
    /**
     * After a resume on a relay that restarted, the peer the listener still believes present while
     * it has not resumed yet; null when none. Cleared when it comes back as it was, or reported gone
     * after {@link #PEER_RESUME_GRACE}.
     */
    private Member awaitingPeerResume;
    private long awaitingGeneration;
    /** How long a peer absent after a relay restart has to resume before the listener hears it is gone. */
    static final Duration PEER_RESUME_GRACE = Duration.ofSeconds(15);
    /** A hang-up waiting for the outbox to drain; null when none. */
    private PendingHangUp hangingUp;

    private record PendingHangUp(String reason, CompletableFuture<Void> done) {}

    /** A send not yet accepted, with its frame encoded once for every (re)send. */
    private record Pending(long seq, PeerMessage message, String frame, CompletableFuture<Void> accepted) {
        Pending(long seq, PeerMessage message, CompletableFuture<Void> accepted) {
            this(seq, message, CODEC.encode(new Frame.Send(seq, message)), accepted);
        }

        /** The same message under another number. */
        Pending renumbered(long newSeq) {
            return new Pending(newSeq, message, accepted);
        }
    }

    /**
     * @param connector opens wires to the relay session
     * @param tickets   the ticket for each connection attempt
     * @param callbacks where listener callbacks and future completions run (the session's serial executor)
     * @param backoff   reconnect delays
     */
    @SuppressWarnings("exports") // Wire is exported to Duet's relay alone: apps use webSocket(...)
    public RelayTransport(Wire.Connector connector, TicketSource tickets, Executor callbacks, Backoff backoff) {
        this(connector, tickets, callbacks, backoff, DEFAULT_JOIN_TIMEOUT, "the relay");
    }

    /**
     * @param connector   opens wires to the relay session
     * @param tickets     the ticket for each connection attempt
     * @param callbacks   where listener callbacks and future completions run; they run one at a
     *                    time, in order, even on an executor with many threads
     * @param backoff     reconnect delays
     * @param joinTimeout how long the first join may take, retries included, before {@link #join}
     *                    fails with {@link RelayUnreachableException}; 1 s to 1 h
     * @param target      names the relay in messages (its address; never a secret)
     */
    @SuppressWarnings("exports") // Wire is exported to Duet's relay alone: apps use webSocket(...)
    public RelayTransport(Wire.Connector connector, TicketSource tickets, Executor callbacks, Backoff backoff,
            Duration joinTimeout, String target) {
        this(connector, tickets, callbacks, backoff, joinTimeout, target, null, System::nanoTime);
    }

    /**
     * As the constructor above, with the transport's time injected: its work (the protocol, pacing,
     * acknowledgements, resends, reconnect delays, the join deadline) runs on {@code loop}, which
     * must run one task at a time (a single-threaded scheduler, or a virtual-time scheduler in
     * tests), and pacing reads {@code nanoTicker}. A given loop is not shut down when the transport
     * ends; {@code null} makes one of its own, as the other constructors do.
     */
    @SuppressWarnings("exports") // Wire is exported to Duet's relay alone: apps use webSocket(...)
    public RelayTransport(Wire.Connector connector, TicketSource tickets, Executor callbacks, Backoff backoff,
            Duration joinTimeout, String target, ScheduledExecutorService loop, java.util.function.LongSupplier nanoTicker) {
        this.connector = Checks.notNull(connector, "connector");
        this.tickets = Checks.notNull(tickets, "tickets");
        this.backoff = Checks.notNull(backoff, "backoff");
        this.joinTimeout = TransportLoop.checkJoinTimeout(joinTimeout);
        this.target = Checks.notNull(target, "target");
        java.util.regex.Matcher m = SESSION_IN_TARGET.matcher(target);
        this.session = m.find() ? java.util.Optional.of(dev.duet.core.SessionId.of(m.group(1))) : java.util.Optional.empty();
        this.clientId = TransportLoop.randomClientId(backoff.random());
        this.threads = new TransportLoop(loop, callbacks, "duet-signaling-" + clientId,
                session.map(dev.duet.core.SessionId::value).orElse(null), log);
        this.loop = threads.loop();
        this.nanoTicker = Checks.notNull(nanoTicker, "nanoTicker");
        this.pace = new TokenBucket(FRAMES_PER_SECOND, FRAME_BURST, nanoTicker.getAsLong());
    }

    /**
     * A transport over a WebSocket to {@code sessionUri} ({@code ws(s)://host/v1/sessions/<id>}),
     * with OkHttp pinging every 5 s and default backoff (0.5 s doubling to 30 s, full jitter).
     */
    public static RelayTransport webSocket(URI sessionUri, TicketSource tickets, Executor callbacks) {
        return webSocket(sessionUri, tickets, callbacks, DEFAULT_JOIN_TIMEOUT);
    }

    /**
     * As {@link #webSocket(URI, TicketSource, Executor)}, with the time the first join may take
     * (retries of an unreachable relay included) before it fails with {@link RelayUnreachableException}.
     * A relay that refuses the WebSocket upgrade with a {@code 4xx} fails the join at once
     * ({@link UpgradeRefusedException}).
     */
    public static RelayTransport webSocket(URI sessionUri, TicketSource tickets, Executor callbacks, Duration joinTimeout) {
        Checks.notNull(sessionUri, "sessionUri");
        String scheme = sessionUri.getScheme();
        if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
            throw new IllegalArgumentException("sessionUri must be a ws:// or wss:// address, but was " + sessionUri);
        }
        return new RelayTransport(OkHttpWire.connector(sessionUri, Duration.ofSeconds(5)), tickets, callbacks,
                Backoff.defaults(), joinTimeout, sessionUri.toString());
    }

    /**
     * A transport to one session on a deployment of several relay nodes that share their state
     * (behind one Redis), given as one session address per node in order of preference. It connects
     * to the first that answers and stays there; when a connection to a node cannot be opened (the
     * node died, or refuses), the next attempt goes to the next address, in a ring, with the usual
     * backoff. Since the nodes share the session, the client rejoins it there as after any network
     * drop: nothing is lost. Every address must name the same session.
     *
     * @throws IllegalArgumentException when the list is empty, an address is not {@code ws(s)://},
     *                                  or two addresses name different sessions
     */
    public static RelayTransport webSocket(java.util.List<URI> sessionUris, TicketSource tickets, Executor callbacks,
            Duration joinTimeout) {
        Checks.notNull(sessionUris, "sessionUris");
        if (sessionUris.isEmpty()) {
            throw new IllegalArgumentException("sessionUris must hold at least one relay address, but was empty");
        }
        java.util.List<Wire.Connector> connectors = new java.util.ArrayList<>();
        String session = null;
        for (URI uri : sessionUris) {
            Checks.notNull(uri, "sessionUris[" + connectors.size() + "]");
            if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme())) {
                throw new IllegalArgumentException("sessionUris must be ws:// or wss:// addresses, but held " + uri);
            }
            java.util.regex.Matcher m = SESSION_IN_TARGET.matcher(uri.getPath() == null ? "" : uri.getPath());
            String id = m.find() ? m.group(1) : "";
            if (session != null && !session.equals(id)) {
                throw new IllegalArgumentException("sessionUris must all name one session, but " + uri + " names \"" + id
                        + "\" and the first names \"" + session + "\"");
            }
            session = id;
            connectors.add(OkHttpWire.connector(uri, Duration.ofSeconds(5)));
        }
        String target = sessionUris.size() == 1 ? sessionUris.get(0).toString()
                : "the relays " + sessionUris.stream().map(URI::toString).collect(java.util.stream.Collectors.joining(", "));
        return new RelayTransport(new dev.duet.signaling.client.internal.FailoverConnector(connectors), tickets, callbacks,
                Backoff.defaults(), joinTimeout, target);
    }

    /** The random id of this client instance, kept across its reconnects. */
    public String clientId() {
        return clientId;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public CompletableFuture<JoinResult> join(SignalingListener listener) {
        Checks.notNull(listener, "listener");
        CompletableFuture<JoinResult> result = new CompletableFuture<>();
        threads.onLoop(() -> {
            if (state != State.NEW) {
                threads.fail(result, new IllegalStateException("join may be called once, on a NEW transport; it is " + state));
                return;
            }
            threads.listener(listener);
            this.joined = result;
            state = State.CONNECTING;
            loop.schedule(this::joinDeadline, joinTimeout.toNanos(), TimeUnit.NANOSECONDS);
            connect();
        }, result);
        return result;
    }

    @Override
    public CompletableFuture<Void> send(PeerMessage message) {
        Checks.notNull(message, "message");
        CompletableFuture<Void> accepted = new CompletableFuture<>();
        threads.onLoop(() -> {
            if (state == State.NEW || state == State.CLOSED) {
                threads.fail(accepted, new IllegalStateException("send needs a joined or joining transport; it is " + state));
                return;
            }
            long seq = nextSeq++;
            Pending pending = new Pending(seq, message, accepted);
            int bytes = pending.frame().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > FrameCodec.MAX_FRAME_BYTES) {
                nextSeq--;
                threads.fail(accepted, new IllegalArgumentException("message is " + bytes + " bytes as a frame; at most "
                        + FrameCodec.MAX_FRAME_BYTES + " fit"));
                return;
            }
            outbox.addLast(pending);
            flush();
        }, accepted);
        return accepted;
    }

    @Override
    public CompletableFuture<Void> leave(String reason) {
        Checks.notNull(reason, "reason");
        Frame.Leave leave = new Frame.Leave(reason);
        CompletableFuture<Void> done = new CompletableFuture<>();
        threads.onLoop(() -> {
            if (wire != null && wireJoined) {
                wire.send(CODEC.encode(leave));
            }
            terminate(new CloseReason(Optional.empty(), true, "left: " + reason), null);
            threads.complete(done, null);
        }, done);
        return done;
    }

    @Override
    public CompletableFuture<Void> hangUp(String reason, Duration flushWithin) {
        Frame.Leave checked = new Frame.Leave(Checks.notNull(reason, "reason"), true);
        Checks.notNull(flushWithin, "flushWithin");
        if (flushWithin.isNegative()) {
            throw new IllegalArgumentException("flushWithin must not be negative, but was " + flushWithin);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        threads.onLoop(() -> {
            if (state == State.CLOSED) {
                threads.complete(done, null);
                return;
            }
            if (hangingUp != null) {
                hangingUp.done().whenComplete((v, e) -> done.complete(null));
                return;
            }
            hangingUp = new PendingHangUp(checked.reason(), done);
            if (!hangUpIfDrained()) {
                loop.schedule(() -> finishHangUp("the relay had not accepted every message within " + flushWithin.toMillis()
                        + " ms"), flushWithin.toNanos(), TimeUnit.NANOSECONDS);
            }
        }, done);
        return done;
    }

    /** Sends the pending hang-up's leave once nothing is left to flush; true if it did. */
    private boolean hangUpIfDrained() {
        if (hangingUp != null && outbox.isEmpty() && wire != null && wireJoined) {
            finishHangUp(null);
            return true;
        }
        return false;
    }

    private void finishHangUp(String late) {
        PendingHangUp h = hangingUp;
        if (h == null || state == State.CLOSED) {
            return;
        }
        hangingUp = null;
        if (late != null) {
            log.warn("hanging up although {}", late);
        }
        if (wire != null && wireJoined) {
            wire.send(CODEC.encode(new Frame.Leave(h.reason(), true)));
        }
        terminate(new CloseReason(Optional.empty(), true, "hung up: " + h.reason()), null);
        threads.complete(h.done(), null);
    }

    /**
     * Leaves the session (the relay tells the peer {@code left}: it may come back) and releases the
     * connection, as {@code DuetCall.close()} does. A hang-up still waiting to flush is sent at once,
     * with what was accepted so far. Idempotent; never blocks.
     */
    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        threads.post(() -> {
            if (state == State.CLOSED) {
                return;
            }
            if (hangingUp != null) {
                finishHangUp("the transport was closed first");
                return;
            }
            if (wire != null && wireJoined) {
                wire.send(CODEC.encode(new Frame.Leave(CLOSED_BY_APP)));
            }
            terminate(new CloseReason(Optional.empty(), true, CLOSED_BY_APP), null);
        }); // dropped when the transport closed concurrently
    }

    private static final String CLOSED_BY_APP = "closed by the app";

    // ------------------------------------------------------------------ connection handling (on loop)

    private void connect() {
        long generation = ++wireGeneration;
        wireJoined = false;
        connector.connect(new Wire.Listener() {
            @Override
            public void onOpen(Wire opened) {
                threads.post(() -> {
                    if (generation != wireGeneration || state == State.CLOSED) {
                        opened.cancel();
                        return;
                    }
                    wire = opened;
                    Optional<Frame.Resume> resume = incarnation == null ? Optional.empty()
                            : Optional.of(new Frame.Resume(incarnation, joinedAs.self().connection(), joinedAs.self().arrivedAt()));
                    opened.send(CODEC.encode(new Frame.Join(tickets.ticket(), clientId, lastDelivered, resume)));
                });
            }

            @Override
            public void onText(String text) {
                threads.post(() -> {
                    if (generation == wireGeneration && state != State.CLOSED) {
                        receive(text);
                    }
                });
            }

            @Override
            public void onClosed(int code, String reason) {
                threads.post(() -> lost(generation, code, reason));
            }

            @Override
            public void onFailure(Throwable cause) {
                threads.post(() -> {
                    if (cause instanceof UpgradeRefusedException refused && refused.permanent()
                            && generation == wireGeneration && state != State.CLOSED) {
                        log.warn("{} refused the connection for good: {}", target, refused.getMessage());
                        terminate(new CloseReason(Optional.empty(), false, refused.getMessage()), refused);
                        return;
                    }
                    lost(generation, 1006, cause instanceof UpgradeRefusedException ? cause.getMessage()
                            : cause.getClass().getSimpleName() + ": " + cause.getMessage());
                });
            }
        });
    }

    private void receive(String text) {
        Frame.RelayFrame frame;
        try {
            frame = CODEC.decodeRelayFrame(text);
        } catch (ProtocolException e) {
            log.warn("ignoring a frame from the relay that breaks the protocol: {}", e.getMessage());
            return;
        }
        if (frame instanceof Frame.JoinAccepted j) {
            onJoined(j);
        } else if (frame instanceof Frame.Deliver d) {
            if (d.dseq() > lastDelivered) {
                lastDelivered = d.dseq();
                threads.notify(l -> l.onMessage(d.from(), d.relayedAt(), d.message()));
            }
            scheduleAck();
        } else if (frame instanceof Frame.Accepted a) {
            accepted(a.seq());
        } else if (frame instanceof Frame.PeerJoined p) {
            boolean known = p.peer().equals(awaitingPeerResume) || p.peer().equals(peer);
            awaitingPeerResume = null;
            peer = p.peer();
            if (!known) {
                threads.notify(l -> l.onPeerJoined(p.peer(), p.newClient()));
            } // else: the peer resumed its connection after the relay restarted (or this repeats a joined); nothing changed
        } else if (frame instanceof Frame.PeerLeft p) {
            if (peer != null && peer.connection().equals(p.connection())) {
                peer = null;
            }
            threads.notify(l -> l.onPeerLeft(p.participant(), p.connection(), p.leftAt(), p.reason()));
        } else if (frame instanceof Frame.Error e && e.seq().isPresent()
                && (e.code() == ProtocolError.RATE_LIMITED || e.code() == ProtocolError.OUT_OF_ORDER)) {
            goBack(e.code());
        } else if (frame instanceof Frame.Refused r) {
            refusal = r; // the close that follows says the same; this carries the whole text and the opening time
        } else if (frame instanceof Frame.Pong) {
            return; // an answer to an application-level ping; this client pings at the WebSocket level
        } else if (frame instanceof Frame.Error e) {
            Optional<Pending> refused = e.seq().flatMap(seq -> outbox.stream().filter(p -> p.seq() == seq).findFirst());
            if (refused.isPresent()) {
                outbox.remove(refused.get());
                renumberAfter(refused.get().seq());
                threads.fail(refused.get().accepted(), new IllegalArgumentException("the relay refused the message: " + e.message()));
                threads.notify(l -> l.onSendRefused(refused.get().message(), e.code().code() + ": " + e.message()));
            } else {
                log.warn("the relay reported an error: {} {}", e.code().code(), e.message());
            }
        }
    }

    private void onJoined(Frame.JoinAccepted j) {
        attempt = 0;
        wireJoined = true;
        boolean forgotten = incarnation != null && !incarnation.equals(j.incarnation());
        incarnation = j.incarnation();
        if (forgotten) {
            // The relay restarted and forgot the session (docs/protocol.md §7.1): what it had accepted
            // and not delivered is gone with it; it counts this client's sends and its deliveries anew.
            log.info("{} no longer holds this session's earlier state (it restarted); renumbering {} unaccepted "
                    + "send(s) from {} and counting deliveries from 0", target, outbox.size(), j.lastAcceptedSeq() + 1);
            lastDelivered = 0;
            renumberFrom(j.lastAcceptedSeq());
        }
        lastAcked = lastDelivered;
        accepted(j.lastAcceptedSeq());
        if (state == State.CLOSED) {
            return; // a pending hang-up went out as soon as the relay had everything
        }
        sentUpTo = acceptedUpTo;
        flush();
        JoinResult result = new JoinResult(j.session(), j.self(), j.peer());
        boolean first = state == State.CONNECTING;
        state = State.JOINED;
        Member selfBefore = joinedAs == null ? null : joinedAs.self();
        Member peerBefore = awaitingPeerResume != null ? awaitingPeerResume : peer;
        joinedAs = result;
        peer = j.peer().orElse(null);
        awaitingPeerResume = null;
        if (first) {
            threads.complete(joined, result);
        } else if (forgotten && j.self().equals(selfBefore) && (j.peer().isEmpty() ? peerBefore != null
                : j.peer().get().equals(peerBefore))) {
            // Resumed as before: the epoch and the call go on. A peer not back yet gets a grace to resume.
            if (j.peer().isEmpty()) {
                awaitingPeerResume = peerBefore;
                long generation = ++awaitingGeneration;
                loop.schedule(() -> peerResumeGraceOver(generation), PEER_RESUME_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } else {
            threads.notify(l -> l.onRejoined(result));
        }
    }

    /** The peer did not resume within the grace after a relay restart: the listener learns this side is alone. */
    private void peerResumeGraceOver(long generation) {
        if (generation != awaitingGeneration || awaitingPeerResume == null || state != State.JOINED) {
            return;
        }
        log.info("the peer did not come back within {} s of the relay's restart", PEER_RESUME_GRACE.toSeconds());
        awaitingPeerResume = null;
        JoinResult alone = new JoinResult(joinedAs.session(), joinedAs.self(), Optional.empty());
        threads.notify(l -> l.onRejoined(alone));
    }

    /** Numbers every unaccepted send anew from {@code lastAccepted + 1}, in order (the relay forgot the old numbers). */
    private void renumberFrom(long lastAccepted) {
        java.util.List<Pending> all = new java.util.ArrayList<>(outbox);
        outbox.clear();
        long seq = lastAccepted;
        for (Pending p : all) {
            seq++;
            outbox.addLast(p.renumbered(seq));
        }
        nextSeq = seq + 1;
        acceptedUpTo = lastAccepted;
        sentUpTo = lastAccepted;
    }

    /**
     * A refused send leaves its {@code seq} open (the relay still expects it): every later send moves
     * down by one, so the next one takes the refused number, and they go out again from there.
     */
    private void renumberAfter(long refusedSeq) {
        java.util.List<Pending> later = new java.util.ArrayList<>();
        while (!outbox.isEmpty() && outbox.peekLast().seq() > refusedSeq) {
            later.add(0, outbox.removeLast());
        }
        for (Pending p : later) {
            long seq = p.seq() - 1;
            outbox.addLast(p.renumbered(seq));
        }
        nextSeq--;
        sentUpTo = Math.min(sentUpTo, refusedSeq - 1);
        flush();
    }

    /** The relay accepted every send up to {@code seq}. */
    private void accepted(long seq) {
        acceptedUpTo = Math.max(acceptedUpTo, seq);
        while (!outbox.isEmpty() && outbox.peekFirst().seq() <= acceptedUpTo) {
            threads.complete(outbox.removeFirst().accepted(), null);
        }
        hangUpIfDrained();
    }

    /** Sends what is due, in order, as fast as the pace allows; schedules the rest. */
    private void flush() {
        if (wire == null || !wireJoined) {
            return;
        }
        for (Pending p : outbox) {
            if (p.seq() <= sentUpTo) {
                continue;
            }
            if (!pace.take(nanoTicker.getAsLong())) {
                scheduleFlush(1000 / FRAMES_PER_SECOND);
                return;
            }
            wire.send(p.frame());
            sentUpTo = p.seq();
        }
    }

    private void scheduleFlush(long millis) {
        if (!flushScheduled) {
            flushScheduled = true;
            loop.schedule(() -> {
                flushScheduled = false;
                if (state != State.CLOSED) {
                    flush();
                }
            }, millis, TimeUnit.MILLISECONDS);
        }
    }

    /** The relay dropped a send (rate) or saw a gap: resend everything after the last accepted, after a pause. */
    private void goBack(ProtocolError why) {
        if (sentUpTo > acceptedUpTo) {
            log.debug("relay refused a send ({}); going back to seq {}", why.code(), acceptedUpTo + 1);
            sentUpTo = acceptedUpTo;
        }
        flushScheduled = false;
        scheduleFlush(GO_BACK_PAUSE_MILLIS);
    }

    /** Acknowledges deliveries cumulatively, at most once per {@value #ACK_DELAY_MILLIS} ms. */
    private void scheduleAck() {
        if (ackScheduled) {
            return;
        }
        ackScheduled = true;
        loop.schedule(() -> {
            ackScheduled = false;
            if (wire != null && wireJoined && lastDelivered > lastAcked && state != State.CLOSED) {
                wire.send(CODEC.encode(new Frame.Ack(lastDelivered)));
                lastAcked = lastDelivered;
            }
        }, ACK_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void lost(long generation, int code, String reason) {
        if (generation != wireGeneration || state == State.CLOSED) {
            return;
        }
        wire = null;
        wireJoined = false;
        wireGeneration++; // a wire is lost once: a second report of its end (a close, then a failure) changes nothing
        Optional<CloseCode> known = CloseCode.of(code);
        Frame.Refused said = refusal;
        refusal = null;
        if (known.isPresent() && !known.get().retry()) {
            boolean explained = said != null && said.code() == code;
            String why = explained ? said.message() : reason;
            terminate(new CloseReason(known, false, why), new JoinRefusedException(known.get(), why,
                    explained ? said.opensAt() : Optional.empty()));
            return;
        }
        String what = code + (reason == null || reason.isEmpty() ? "" : " " + reason);
        lastError = what;
        Duration delay = backoff.delay(attempt);
        if (state == State.JOINED) {
            state = State.RECONNECTING;
            threads.notify(l -> l.onDisconnected("connection lost (" + what + ")"));
        } else if (state == State.CONNECTING) {
            int tried = attempt + 1;
            log.warn("{} is not reachable yet (attempt {}: {}); trying again in {} ms", target, tried, what, delay.toMillis());
            threads.notify(l -> l.onDisconnected("relay not reachable yet (attempt " + tried + ": " + what + ")"));
        }
        attempt++;
        log.debug("reconnecting in {} (attempt {}) after {} {}", delay, attempt, code, reason);
        loop.schedule(this::reconnectIfOpen, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The first join did not succeed within the join timeout: give up. */
    private void joinDeadline() {
        if (state == State.CONNECTING) {
            RelayUnreachableException e = new RelayUnreachableException(target, joinTimeout, Math.max(attempt, 1), lastError);
            log.warn("{}", e.getMessage());
            terminate(new CloseReason(Optional.empty(), false, e.getMessage()), e);
        }
    }

    private void reconnectIfOpen() {
        if (state != State.CLOSED) {
            connect();
        }
    }

    /** Ends the transport; {@code joinFailure} fails a join still pending. */
    private void terminate(CloseReason reason, Throwable joinFailure) {
        if (state == State.CLOSED) {
            return;
        }
        boolean wasJoining = state == State.CONNECTING || state == State.NEW;
        state = State.CLOSED;
        wireGeneration++;
        if (wire != null) {
            wire.close(CloseCode.NORMAL.code(), reason.local() ? "closed" : "relay closed");
            wire = null;
        }
        if (joined != null && wasJoining) {
            threads.fail(joined, joinFailure != null ? joinFailure : new IllegalStateException("closed before joining: " + reason.message()));
        }
        for (Pending p : outbox) {
            threads.fail(p.accepted(), new IllegalStateException("the transport closed before the relay accepted the message"));
        }
        outbox.clear();
        if (threads.hasListener()) {
            threads.notify(l -> l.onClosed(reason));
        }
        threads.shutdownIfOwn();
    }

    // ------------------------------------------------------------------ helpers

    @Override
    public java.util.Optional<dev.duet.core.SessionId> session() {
        return session;
    }

    @Override
    public String toString() {
        return "RelayTransport[clientId=" + clientId + ", state=" + state + "]";
    }
}
