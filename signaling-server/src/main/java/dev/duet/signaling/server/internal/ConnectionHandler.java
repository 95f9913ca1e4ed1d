package dev.duet.signaling.server.internal;

import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.JoinTicket;
import dev.duet.core.SessionId;
import dev.duet.core.TicketCheck;
import dev.duet.core.internal.LogContext;
import dev.duet.core.ConnectionId;
import dev.duet.core.negotiation.Signal;
import dev.duet.core.DepartureReason;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.internal.TokenBucket;
import dev.duet.signaling.client.CloseCode;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.wire.ProtocolError;
import dev.duet.signaling.client.wire.ProtocolException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection on the relay: waits for {@code join}, checks the ticket, joins the
 * session in the {@link SessionStore}, then hands the client's frames to the store and the
 * session's events to the client. The server library calls the {@code on*} methods one at a
 * time per connection; the node's sweeper and the store's event thread call in too, so the phase,
 * the event buffer and the timestamps are guarded by this object's lock.
 */
public final class ConnectionHandler {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);

    private enum Phase { AWAITING_JOIN, JOINING, JOINED, CLOSED }

    /**
     * Frames dropped for the rate are counted per window of this length; a connection whose drops
     * in one window exceed ten seconds' worth of the rate is closed (4429).
     */
    static final long RATE_WINDOW_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    private final RelayNode node;
    private final SessionId sessionId;
    private final Outbound out;
    private final long openedAt;                   // node ticks
    private final TokenBucket bucket;

    private Phase phase = Phase.AWAITING_JOIN;     // guarded by this
    private long lastHeard;                        // node ticks, guarded by this
    private long droppedForRate;                   // in the current rate window, guarded by this
    private long rateWindowStart;                  // node ticks, guarded by this
    private DepartureReason closedBecause;         // set when the relay closes the connection itself, guarded by this
    private long lastSentDseq;                     // guarded by this
    private Member lastToldPeer;                   // guarded by this: the peer this client was last told is present
    private final List<Frame> heldWhileJoining = new ArrayList<>(); // guarded by this
    private long lastPinged;                       // node ticks; only the sweeper touches it
    private volatile LocalRoom room;               // set once on join
    private volatile Member member;
    private volatile String clientId = "";          // the client instance, set on join
    /** The expiry of the ticket this connection joined with (revocation closes it by that); null before. */
    private volatile Instant ticketExpiresAt;
    /** A newer connection resumes this one's id (docs/protocol.md §7.1): this one records no departure. */
    private volatile boolean superseded;
    /** While joining: the connection id the client asked to resume, which the store may give it instead of a fresh one. */
    private volatile ConnectionId resuming;
    private volatile String incarnation = "";       // the session state's incarnation, set on join (media report event ids)

    ConnectionHandler(RelayNode node, SessionId sessionId, Outbound out) {
        this.node = node;
        this.sessionId = sessionId;
        this.out = out;
        long ticks = node.ticks();
        this.openedAt = ticks;
        this.lastHeard = ticks;
        this.lastPinged = ticks;
        this.rateWindowStart = ticks;
        this.bucket = new TokenBucket(node.limits().messagesPerSecond(), node.limits().burst(), ticks);
    }

    Member member() {
        return member;
    }

    SessionId sessionId() {
        return sessionId;
    }

    synchronized boolean isJoined() {
        return phase == Phase.JOINED;
    }

    // ---------------------------------------------------------------- from the server library

    public void onText(String text) {
        try (LogContext ignored = logContext()) {
            handleText(text);
        } catch (RuntimeException e) {
            // A relay bug (or a store failing in a way it should not), never the client's fault.
            try (LogContext ignored = logContext()) {
                log.error("session {}: the relay failed on a frame from {}; closing with 1011 so the client reconnects",
                        sessionId, out.describe(), e);
            }
            closeAfterFailure();
        }
    }

    /** The session, and this connection's participant and id once joined, for every log line about it. */
    LogContext logContext() {
        Member m = member;
        return LogContext.with(sessionId.value(), m == null ? null : m.participant().value(),
                m == null ? null : m.connection().value());
    }

    private void handleText(String text) {
        Instant now = node.now();
        long ticks = node.ticks();
        boolean awaitingJoin;
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return;
            }
            lastHeard = ticks;
            if (!withinRate(ticks, text)) {
                return;
            }
            awaitingJoin = phase == Phase.AWAITING_JOIN;
        }
        Frame.ClientFrame frame;
        try {
            frame = node.codec().decodeClientFrame(text);
        } catch (ProtocolException e) {
            if (awaitingJoin) {
                close(CloseCode.BAD_JOIN, "the first frame must be a valid join: " + e.getMessage());
            } else {
                send(new Frame.Error(e.error(), e.detail(), node.codec().seqOf(text)));
            }
            return;
        }
        if (awaitingJoin) {
            if (frame instanceof Frame.Join join) {
                join(join, now);
            } else {
                close(CloseCode.BAD_JOIN, "the first frame must be join");
            }
            return;
        }
        if (frame instanceof Frame.Send send) {
            onSend(send, now);
        } else if (frame instanceof Frame.Ack ack) {
            node.store().ack(sessionId, member, ack.dseq());
        } else if (frame instanceof Frame.Leave leave) {
            if (leave.hangUp()) {
                node.store().markHungUp(sessionId, member.participant());
            }
            departed(now, DepartureReason.LEFT);
            close(CloseCode.NORMAL, "left");
        } else if (frame instanceof Frame.Ping ping) {
            send(new Frame.Pong(ping.id()));
        } else if (frame instanceof Frame.Join) {
            send(new Frame.Error(ProtocolError.UNEXPECTED_FRAME, "this connection has already joined", Optional.empty()));
        }
    }

    /**
     * Takes one frame from the rate budget; when over it, answers {@code rate-limited} (or closes
     * with 4429 when the drops are sustained) and returns false. Every frame counts, text or binary.
     * Call holding this handler's lock.
     */
    private boolean withinRate(long ticks, String text) {
        if (bucket.take(ticks)) {
            return true;
        }
        if (ticks - rateWindowStart >= RATE_WINDOW_NANOS) {
            rateWindowStart = ticks;
            droppedForRate = 0;
        }
        droppedForRate++;
        if (droppedForRate > 10L * node.limits().messagesPerSecond()) {
            close(CloseCode.RATE_LIMITED, "more than " + node.limits().messagesPerSecond() + " frames per second, sustained");
        } else {
            send(new Frame.Error(ProtocolError.RATE_LIMITED, "more than " + node.limits().messagesPerSecond()
                    + " frames per second; this frame was dropped", text == null ? Optional.empty() : node.codec().seqOf(text)));
        }
        return false;
    }

    /** A binary frame: never valid, but it counts against the rate like any frame, and it is no join. */
    public void onBinary() {
        long ticks = node.ticks();
        boolean awaitingJoin;
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return;
            }
            lastHeard = ticks;
            if (!withinRate(ticks, null)) {
                return;
            }
            awaitingJoin = phase == Phase.AWAITING_JOIN;
        }
        if (awaitingJoin) {
            close(CloseCode.BAD_JOIN, "the first frame must be a valid join, not a binary frame");
        } else {
            send(new Frame.Error(ProtocolError.BINARY_FRAME, "the relay protocol is text only; binary frame dropped",
                    Optional.empty()));
        }
    }

    public void onPong() {
        synchronized (this) {
            lastHeard = node.ticks();
        }
    }

    /** Whether this connection belongs to {@code participant} and joined with a ticket expiring at or before {@code upTo}. */
    boolean joinedWithRevoked(dev.duet.core.ParticipantId participant, Instant upTo) {
        Member m = member;
        Instant expiry = ticketExpiresAt;
        return m != null && expiry != null && m.participant().equals(participant) && !expiry.isAfter(upTo);
    }

    /** Whether {@code connection} is this one's: its id, or while it joins, the id it asked to resume. */
    boolean holds(ConnectionId connection) {
        Member m = member;
        ConnectionId r = resuming;
        return m != null && m.connection().equals(connection) || r != null && r.equals(connection);
    }

    /** The connection is gone (closed by either side, or broken). */
    public void onClosed(int code, String reason) {
        try (LogContext ignored = logContext()) {
            closed(code);
        }
    }

    private void closed(int code) {
        DepartureReason why;
        synchronized (this) {
            phase = Phase.CLOSED;
            why = closedBecause != null ? closedBecause : DepartureReason.CONNECTION_LOST;
        }
        try {
            departed(node.now(), why);
        } catch (RuntimeException e) {
            // The store failed (Redis down, say): the departure is not recorded here; the peer learns it
            // from the presence entry's expiry (Redis) or never had it (memory). The connection is gone anyway.
            log.error("session {}: could not record the departure of a closed connection from {}", sessionId, out.describe(), e);
        } finally {
            node.forget(this);
        }
    }

    // ---------------------------------------------------------------- join

    private void join(Frame.Join join, Instant now) {
        TicketCheck check = node.verifier().verify(join.ticket(), sessionId, now);
        if (check instanceof TicketCheck.Refused invalid) {
            // On the record first (a genuine ticket refused for its time), then closed: whoever sees
            // the close can already read the refusal.
            invalid.genuine().filter(t -> t.sessionId().equals(sessionId)).ifPresent(t -> {
                if (invalid.reason() == TicketCheck.Reason.NOT_YET_VALID) {
                    node.refused(sessionId, t.participantId(), AttendanceEvent.Refusal.TOO_EARLY, invalid.message(), now);
                } else if (invalid.reason() == TicketCheck.Reason.EXPIRED) {
                    node.refused(sessionId, t.participantId(), AttendanceEvent.Refusal.TICKET_EXPIRED, invalid.message(), now);
                }
            });
            close(switch (invalid.reason()) {
                case WRONG_SESSION, NOT_BOOKED -> CloseCode.TICKET_WRONG_SESSION;
                case EXPIRED -> CloseCode.TICKET_EXPIRED;
                case NOT_YET_VALID -> CloseCode.TOO_EARLY;
                default -> CloseCode.TICKET_INVALID;
            }, invalid.message(), invalid.validFrom());
            log.info("session {}: join refused from {}: {}", sessionId, out.describe(), invalid.reason());
            return;
        }
        JoinTicket ticket = ((TicketCheck.Accepted) check).ticket();
        if (node.isClosed(sessionId)) {
            refuseGenuine(ticket.participantId(), AttendanceEvent.Refusal.SESSION_CLOSED, CloseCode.SESSION_CLOSED,
                    "session " + sessionId + " is over", now);
            return;
        }
        if (node.revocations().isRevoked(sessionId, ticket.participantId(), ticket.expiresAt())) {
            close(CloseCode.TICKET_INVALID, "this ticket was revoked; ask the app for a new one");
            log.info("session {}: join of {} refused from {}: the ticket was revoked", sessionId, ticket.participantId(),
                    out.describe());
            return;
        }
        if (!node.joinAllowed(sessionId, ticket.participantId())) {
            // Not recorded: a join flood must not become an attendance-record flood.
            close(CloseCode.RATE_LIMITED, "too many joins: at most " + node.limits().joinsPerMinute()
                    + " per participant per minute; join again after a backoff");
            log.info("session {}: join of {} refused from {}: over {} joins per minute", sessionId, ticket.participantId(),
                    out.describe(), node.limits().joinsPerMinute());
            return;
        }
        Member proposed = new Member(ticket.participantId(), ticket.role(), ConnectionId.of(RelayNode.newConnectionId()), now);
        synchronized (this) {
            if (phase != Phase.AWAITING_JOIN) {
                return;
            }
            member = proposed;
            ticketExpiresAt = ticket.expiresAt();
            resuming = join.resume().map(Frame.Resume::connection).orElse(null);
            phase = Phase.JOINING;
        }
        Optional<LocalRoom> local = node.enter(sessionId, this);
        if (local.isEmpty()) {
            close(CloseCode.NODE_FULL, "this relay node holds its maximum of " + node.limits().maxSessionsPerNode() + " sessions");
            return;
        }
        room = local.get();
        clientId = join.clientId();
        org.slf4j.MDC.put(LogContext.PARTICIPANT, proposed.participant().value());
        // An older connection of this node still holding the id to resume (its close may not have
        // run yet) must not record a departure that would end the resumed one.
        join.resume().ifPresent(r -> node.supersede(sessionId, proposed.participant(), r.connection(), this));
        SessionStore.JoinOutcome outcome = node.store().join(sessionId, proposed, join.clientId(), join.lastDelivered(),
                join.resume());
        if (outcome instanceof SessionStore.JoinOutcome.Admitted admitted) {
            Member self = admitted.self();
            org.slf4j.MDC.put(LogContext.CONNECTION, self.connection().value());
            synchronized (this) {
                member = self;
                resuming = null;
                incarnation = admitted.incarnation();
                send(new Frame.JoinAccepted(sessionId, self, admitted.peer(), admitted.lastAcceptedSeq(), incarnation));
                lastToldPeer = admitted.peer().orElse(null);
                // What the client has processed: deliveries up to here need no gap filling.
                boolean sameState = join.resume().map(r -> r.incarnation().equals(incarnation)).orElse(true);
                lastSentDseq = sameState ? join.lastDelivered() : 0;
                for (Frame.Deliver d : admitted.replay()) {
                    send(d);
                    lastSentDseq = Math.max(lastSentDseq, d.dseq());
                }
                for (Frame held : heldWhileJoining) {
                    sendOnce(held);
                }
                heldWhileJoining.clear();
                if (phase == Phase.JOINING) {
                    phase = Phase.JOINED;
                }
            }
            admitted.replaced().ifPresent(old -> node.event(new AttendanceEvent.ParticipantLeft(RelayNode.newEventId(), sessionId, now,
                    old.participant(), old.connection(), DepartureReason.REPLACED)));
            node.event(new AttendanceEvent.ParticipantJoined(RelayNode.newEventId(), sessionId, now, self.participant(),
                    self.connection()));
            node.watch(sessionId);
            if (!self.connection().equals(proposed.connection())) {
                log.info("session {}: {} ({}) resumed {} (relay state of the session is new: {}) from {}", sessionId,
                        self.participant(), self.role().code(), self.connection(), incarnation, out.describe());
            } else {
                log.info("session {}: {} ({}) joined on {} from {}", sessionId, self.participant(), self.role().code(),
                        self.connection(), out.describe());
            }
        } else if (outcome instanceof SessionStore.JoinOutcome.InUse) {
            member = null;
            resuming = null;
            node.leave(room, this);
            // Not on the record as a refused join (a copy of a ticket names its holder, not who used
            // it); the log says it, and the client learns why.
            close(CloseCode.TICKET_IN_USE, "this participant is connected from another client; close it there first, "
                    + "or wait for it to time out (" + node.limits().idleTimeout().toSeconds() + " s) and join again");
            log.warn("session {}: join of {} from {} refused: its live connection belongs to another client instance",
                    sessionId, proposed.participant(), out.describe());
        } else if (outcome instanceof SessionStore.JoinOutcome.RoleTaken) {
            member = null;
            resuming = null;
            node.leave(room, this);
            refuseGenuine(proposed.participant(), AttendanceEvent.Refusal.SESSION_FULL, CloseCode.TICKET_WRONG_SESSION,
                    "session " + sessionId + " already has its " + proposed.role().code(), now);
        } else if (outcome instanceof SessionStore.JoinOutcome.Closed) {
            member = null;
            resuming = null;
            node.leave(room, this);
            refuseGenuine(proposed.participant(), AttendanceEvent.Refusal.SESSION_CLOSED, CloseCode.SESSION_CLOSED,
                    "session " + sessionId + " is over", now);
        } else {
            member = null;
            resuming = null;
            node.leave(room, this);
            refuseGenuine(proposed.participant(), AttendanceEvent.Refusal.SESSION_FULL, CloseCode.TICKET_WRONG_SESSION,
                    "session " + sessionId + " already has its two participants", now);
        }
    }

    /**
     * Refuses the join of a genuine ticket's holder: on the record first (whoever sees the close can
     * already read the refusal), then closed with {@code code} and {@code why}, and logged.
     */
    private void refuseGenuine(dev.duet.core.ParticipantId who, AttendanceEvent.Refusal refusal, CloseCode code, String why,
            Instant now) {
        node.refused(sessionId, who, refusal, why, now);
        close(code, why);
        log.info("session {}: join of {} refused from {}: {}", sessionId, who, out.describe(), why);
    }

    private void onSend(Frame.Send send, Instant now) {
        if (send.message() instanceof MediaReport report && isNext(send.seq())) {
            // Recorded durably before it is accepted or forwarded, and only when it will be accepted:
            // a refused frame (a gap, a resend of what was accepted) changes nothing. A resend after a
            // failed record gets the same event id.
            try {
                node.record(AttendanceEvents.mediaReported(RelayNode.messageEventId(sessionId, member.participant(),
                        incarnation + "/" + clientId, send.seq()), sessionId, now, member.participant(), report));
            } catch (RuntimeException e) {
                log.error("session {}: could not record a media report of {}; closing so the client resends it", sessionId,
                        member.participant(), e);
                close(CloseCode.GOING_AWAY, "attendance store unavailable; send again after reconnecting");
                return;
            }
        }
        SessionStore.SendOutcome outcome = node.store().send(sessionId, member, send.seq(), send.message(), now);
        if (outcome instanceof SessionStore.SendOutcome.Accepted) {
            if (send.message() instanceof PeerMessage.Negotiation n && n.signal() instanceof Signal.Bye) {
                node.store().markHungUp(sessionId, member.participant());
            }
            send(new Frame.Accepted(send.seq()));
        } else if (outcome instanceof SessionStore.SendOutcome.Duplicate d) {
            if (d.lastAccepted() > 0) {
                send(new Frame.Accepted(d.lastAccepted()));
            }
        } else if (outcome instanceof SessionStore.SendOutcome.Gap g) {
            send(new Frame.Error(ProtocolError.OUT_OF_ORDER, "seq " + send.seq() + " leaves a gap; expected " + g.expected(),
                    Optional.of(send.seq())));
        }
    }

    /** Whether the store would accept {@code seq} from this connection now (its next seq, and the current connection). */
    private boolean isNext(long seq) {
        java.util.OptionalLong next = node.store().nextSeq(sessionId, member);
        return next.isPresent() && next.getAsLong() == seq;
    }

    /**
     * This connection is gone from the session: the store tells the peer if it was the current one.
     * A plain leave or a lost connection becomes {@code hung-up} when this participant hung up, and
     * {@code peer-hung-up} when the other one did.
     */
    private void departed(Instant now, DepartureReason base) {
        Member me = member;
        if (me == null) {
            return;
        }
        try {
            if (superseded) {
                return; // a resume of this very connection id took over: its stay goes on, nothing to record
            }
            DepartureReason reason = base;
            if (base == DepartureReason.LEFT || base == DepartureReason.CONNECTION_LOST) {
                Optional<dev.duet.core.ParticipantId> hungUpBy = node.store().status(sessionId).hungUpBy();
                if (hungUpBy.isPresent()) {
                    reason = hungUpBy.get().equals(me.participant()) ? DepartureReason.HUNG_UP : DepartureReason.PEER_HUNG_UP;
                }
            }
            if (node.store().left(sessionId, me, now, reason)) {
                node.event(new AttendanceEvent.ParticipantLeft(RelayNode.newEventId(), sessionId, now, me.participant(),
                        me.connection(), reason));
                log.info("session {}: {} ({}) left on {}: {}", sessionId, me.participant(), me.role().code(), me.connection(),
                        reason.code());
            }
        } finally {
            // Out of the room even when the store failed: a closed connection gets no more events.
            if (room != null) {
                node.leave(room, this);
            }
        }
    }

    // ---------------------------------------------------------------- to the client

    /** A frame produced by the session's events: held until this connection's joined frame is out. */
    synchronized void relay(Frame frame) {
        if (phase == Phase.JOINING) {
            heldWhileJoining.add(frame);
        } else if (phase == Phase.JOINED) {
            sendOnce(frame);
        }
    }

    /** Sends a frame, skipping a delivery this connection already got (during a join's replay). */
    private void sendOnce(Frame frame) {
        if (frame instanceof Frame.Deliver d) {
            if (d.dseq() <= lastSentDseq) {
                return;
            }
            if (d.dseq() > lastSentDseq + 1) {
                fillGap(d.dseq());
            }
            lastSentDseq = d.dseq();
        } else if (frame instanceof Frame.PeerJoined p) {
            lastToldPeer = p.peer();
        } else if (frame instanceof Frame.PeerLeft p && lastToldPeer != null && lastToldPeer.connection().equals(p.connection())) {
            lastToldPeer = null;
        }
        send(frame);
    }

    /**
     * Catches up after the node may have missed events (its shared-store subscription was down): a
     * connection the store no longer knows is closed with 1001 (its client reconnects and resumes,
     * docs/protocol.md §7.1); a known one is told the peer as it is now (if that changed) and every
     * unacknowledged delivery it was not sent, in that order.
     */
    void resync() {
        Member me = member;
        if (me == null || !isJoined()) {
            return;
        }
        Optional<SessionStore.Snapshot> snapshot = node.store().snapshot(sessionId, me);
        if (snapshot.isEmpty()) {
            close(CloseCode.GOING_AWAY, "the relay's session store lost this connection; reconnect and resume");
            return;
        }
        synchronized (this) {
            if (phase != Phase.JOINED) {
                return;
            }
            Optional<Member> peer = snapshot.get().peer();
            if (peer.isPresent() && !peer.get().equals(lastToldPeer)) {
                log.info("session {}: {} catches up: peer {} is present", sessionId, me.connection(), peer.get().connection());
                sendOnce(new Frame.PeerJoined(peer.get()));
            } else if (peer.isEmpty() && lastToldPeer != null) {
                log.info("session {}: {} catches up: peer {} is gone", sessionId, me.connection(), lastToldPeer.connection());
                sendOnce(new Frame.PeerLeft(lastToldPeer.participant(), lastToldPeer.connection(), node.now(),
                        DepartureReason.CONNECTION_LOST));
            }
            for (Frame.Deliver d : snapshot.get().pending()) {
                sendOnce(d);
            }
        }
    }

    /**
     * Deliveries are numbered without gaps, so a gap before {@code next} means this node missed
     * events (its shared-store subscription was down): the missing ones are read from the store and
     * sent first, keeping the order. Those already acknowledged are gone from the store, and were sent.
     */
    private void fillGap(long next) {
        Member me = member;
        if (me == null) {
            return;
        }
        try {
            Optional<SessionStore.Snapshot> snapshot = node.store().snapshot(sessionId, me);
            for (Frame.Deliver missed : snapshot.map(SessionStore.Snapshot::pending).orElse(List.of())) {
                if (missed.dseq() > lastSentDseq && missed.dseq() < next) {
                    lastSentDseq = missed.dseq();
                    send(missed);
                }
            }
        } catch (RuntimeException e) {
            log.warn("session {}: could not read the deliveries missed before {} ({}); they come with the next reconnect",
                    sessionId, next, e.getClass().getSimpleName());
        }
    }

    void send(Frame frame) {
        out.send(node.codec().encode(frame));
    }

    String describe() {
        return out.describe();
    }

    /** The relay failed on one of this connection's frames: 1011, and the client reconnects. */
    private void closeAfterFailure() {
        close(CloseCode.INTERNAL_ERROR, "the relay failed on a frame; reconnect");
    }

    /** Its ticket was revoked: a {@code refused} frame says so (as for a refused join), then 4401. */
    void closeRevoked() {
        String why = "this ticket was revoked; ask the app for a new one";
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return;
            }
            if (phase == Phase.JOINED) {
                send(new Frame.Refused(CloseCode.TICKET_INVALID.code(), CloseCode.TICKET_INVALID.label(), why, Optional.empty()));
            }
        }
        close(CloseCode.TICKET_INVALID, why);
    }

    /** Marks this connection as taken over by a resume of its id, and closes it as replaced. */
    void supersede() {
        superseded = true;
        closeAsReplaced();
    }

    void closeAsReplaced() {
        closeBecause(DepartureReason.REPLACED, CloseCode.REPLACED, "a newer connection of this participant took over");
    }

    /** The session was closed: 4499, and this connection's departure says so. */
    void closeForSession(String reason) {
        closeBecause(DepartureReason.SESSION_CLOSED, CloseCode.SESSION_CLOSED, reason);
    }

    private void closeBecause(DepartureReason why, CloseCode code, String reason) {
        synchronized (this) {
            if (closedBecause == null) {
                closedBecause = why;
            }
        }
        close(code, reason);
    }

    void close(CloseCode code, String reason) {
        close(code, reason, Optional.empty());
    }

    /**
     * Closes with {@code code}. A refusal (a 44xx code, or 4499 at join) is announced first with a
     * {@code refused} frame that carries the whole reason and, for {@code too-early}, the opening time.
     */
    void close(CloseCode code, String reason, Optional<Instant> opensAt) {
        boolean refusal;
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return;
            }
            refusal = phase == Phase.AWAITING_JOIN || phase == Phase.JOINING;
            phase = Phase.CLOSED;
        }
        if (refusal && code.code() >= 4000) {
            out.send(node.codec().encode(new Frame.Refused(code.code(), code.label(), reason, opensAt)));
        }
        out.close(code.code(), code.label() + ": " + truncate(reason));
    }

    /**
     * Called by the node's sweeper: closes a connection that never joined or went silent, and pings
     * one that has been silent for a ping interval (a client that sends frames or pings of its own
     * is never pinged). Cheap when there is nothing to do: no log context, one short lock.
     */
    void sweep(Instant now, long ticks) {
        boolean awaitingJoin;
        long heard;
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return;
            }
            awaitingJoin = phase == Phase.AWAITING_JOIN;
            heard = lastHeard;
        }
        dev.duet.signaling.server.RelayLimits limits = node.limits();
        if (awaitingJoin && ticks - openedAt >= limits.joinTimeout().toNanos()) {
            try (LogContext ignored = logContext()) {
                close(CloseCode.JOIN_TIMEOUT, "no join within " + limits.joinTimeout().toSeconds() + " s");
            }
        } else if (ticks - heard >= limits.idleTimeout().toNanos()) {
            try (LogContext ignored = logContext()) {
                departed(now, DepartureReason.IDLE);
                closeBecause(DepartureReason.IDLE, CloseCode.IDLE_TIMEOUT, "no frame or pong for " + limits.idleTimeout().toSeconds() + " s");
            }
        } else if (ticks - heard >= limits.pingInterval().toNanos() && ticks - lastPinged >= limits.pingInterval().toNanos()) {
            lastPinged = ticks;
            out.ping();
        }
    }

    /** Close reasons are limited to 123 bytes by WebSocket; keep them short. */
    private static String truncate(String reason) {
        return reason.length() <= 100 ? reason : reason.substring(0, 97) + "...";
    }
}
