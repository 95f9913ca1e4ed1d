package dev.duet.signaling.server.internal;

import dev.duet.core.JoinTicket;
import dev.duet.core.SessionId;
import dev.duet.core.TicketCheck;
import dev.duet.core.negotiation.ConnectionId;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.internal.TokenBucket;
import dev.duet.signaling.client.wire.CloseCode;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.wire.ProtocolError;
import dev.duet.signaling.client.wire.ProtocolException;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection on the relay: waits for {@code join}, checks the ticket, then hands the
 * client's frames to its {@link SessionRoom}. The server library calls {@code on*} methods one at
 * a time per connection; the node's sweeper reads {@link #lastHeard} and may close it, hence the
 * lock on the few fields both touch.
 */
public final class ConnectionHandler {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);

    private enum Phase { AWAITING_JOIN, JOINED, CLOSED }

    private final RelayNode node;
    private final SessionId sessionId;
    private final Outbound out;
    private final long openedAt;                   // node ticks
    private final TokenBucket bucket;

    private Phase phase = Phase.AWAITING_JOIN;     // guarded by this
    private long lastHeard;                        // node ticks, guarded by this
    private long droppedForRate;                   // guarded by this
    private long lastPinged;                       // node ticks; only the sweeper touches it
    private SessionRoom room;                      // set once on join, then read-only
    private volatile Member member;

    ConnectionHandler(RelayNode node, SessionId sessionId, Outbound out) {
        this.node = node;
        this.sessionId = sessionId;
        this.out = out;
        long ticks = node.ticks();
        this.openedAt = ticks;
        this.lastHeard = ticks;
        this.lastPinged = ticks;
        this.bucket = new TokenBucket(node.limits().messagesPerSecond(), node.limits().burst(), ticks);
    }

    Member member() {
        return member;
    }

    // ---------------------------------------------------------------- from the server library

    public void onText(String text) {
        Instant now = node.now();
        long ticks = node.ticks();
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return;
            }
            lastHeard = ticks;
            if (!bucket.take(ticks)) {
                droppedForRate++;
                if (droppedForRate > 10L * node.limits().messagesPerSecond()) {
                    close(CloseCode.RATE_LIMITED, "more than " + node.limits().messagesPerSecond() + " frames per second, sustained");
                } else {
                    send(new Frame.Error(ProtocolError.RATE_LIMITED, "more than " + node.limits().messagesPerSecond()
                            + " frames per second; this frame was dropped", node.codec().seqOf(text)));
                }
                return;
            }
        }
        Frame.ClientFrame frame;
        try {
            frame = node.codec().decodeClientFrame(text);
        } catch (ProtocolException e) {
            if (isAwaitingJoin()) {
                close(CloseCode.BAD_JOIN, "the first frame must be a valid join: " + e.getMessage());
            } else {
                send(new Frame.Error(e.error(), e.detail(), node.codec().seqOf(text)));
            }
            return;
        }
        if (isAwaitingJoin()) {
            if (frame instanceof Frame.Join join) {
                join(join, now);
            } else {
                close(CloseCode.BAD_JOIN, "the first frame must be join");
            }
            return;
        }
        if (frame instanceof Frame.Send send) {
            room.send(this, send, now);
        } else if (frame instanceof Frame.Ack ack) {
            room.ack(this, ack.dseq());
        } else if (frame instanceof Frame.Leave leave) {
            room.left(this, now, "left: " + leave.reason());
            close(CloseCode.NORMAL, "left");
        } else if (frame instanceof Frame.Join) {
            send(new Frame.Error(ProtocolError.UNEXPECTED_FRAME, "this connection has already joined", Optional.empty()));
        }
    }

    public void onBinary() {
        synchronized (this) {
            lastHeard = node.ticks();
        }
        send(new Frame.Error(ProtocolError.BINARY_FRAME, "the relay protocol is text only; binary frame dropped",
                Optional.empty()));
    }

    public void onPong() {
        synchronized (this) {
            lastHeard = node.ticks();
        }
    }

    /** The connection is gone (closed by either side, or broken). */
    public void onClosed(int code, String reason) {
        synchronized (this) {
            if (phase == Phase.CLOSED && room == null) {
                node.forget(this);
                return;
            }
            phase = Phase.CLOSED;
        }
        if (room != null) {
            room.left(this, node.now(), "connection closed (" + code + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")");
        }
        node.forget(this);
    }

    // ---------------------------------------------------------------- join

    private void join(Frame.Join join, Instant now) {
        TicketCheck check = node.verifier().verify(join.ticket(), sessionId, now);
        if (check instanceof TicketCheck.Invalid invalid) {
            close(switch (invalid.reason()) {
                case WRONG_SESSION, NOT_BOOKED -> CloseCode.TICKET_WRONG_SESSION;
                case EXPIRED -> CloseCode.TICKET_EXPIRED;
                case NOT_YET_VALID -> CloseCode.TOO_EARLY;
                default -> CloseCode.TICKET_INVALID;
            }, invalid.message());
            log.info("session {}: join refused from {}: {}", sessionId, out.describe(), invalid.reason());
            return;
        }
        JoinTicket ticket = ((TicketCheck.Valid) check).ticket();
        if (node.isClosed(sessionId)) {
            close(CloseCode.SESSION_CLOSED, "session " + sessionId + " is over");
            return;
        }
        Optional<SessionRoom> room = node.roomFor(sessionId, now);
        if (room.isEmpty()) {
            close(CloseCode.NODE_FULL, "this relay node holds its maximum of " + node.limits().maxSessionsPerNode() + " sessions");
            return;
        }
        Member self = new Member(ticket.participantId(), ticket.role(), ConnectionId.of(RelayNode.newConnectionId()), now);
        synchronized (this) {
            if (phase != Phase.AWAITING_JOIN) {
                return;
            }
            this.member = self;
            this.room = room.get();
            phase = Phase.JOINED;
        }
        if (!room.get().join(this, ticket, join, self, now)) {
            synchronized (this) {
                this.room = null;
            }
            close(CloseCode.TICKET_WRONG_SESSION, "session " + sessionId + " already has its two participants");
            return;
        }
        log.info("session {}: {} ({}) joined on {} from {}", sessionId, ticket.participantId(), ticket.role().code(),
                self.connection(), out.describe());
    }

    // ---------------------------------------------------------------- to the client

    void send(Frame frame) {
        out.send(node.codec().encode(frame));
    }

    void closeAsReplaced() {
        close(CloseCode.REPLACED, "a newer connection of this participant took over");
    }

    void close(CloseCode code, String reason) {
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return;
            }
            phase = Phase.CLOSED;
        }
        out.close(code.code(), code.label() + ": " + truncate(reason));
    }

    /** Called by the node's sweeper: closes a connection that never joined or went silent; pings the rest. */
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
        if (awaitingJoin && ticks - openedAt >= node.limits().joinTimeout().toNanos()) {
            close(CloseCode.JOIN_TIMEOUT, "no join within " + node.limits().joinTimeout().toSeconds() + " s");
        } else if (ticks - heard >= node.limits().idleTimeout().toNanos()) {
            if (room != null) {
                room.left(this, now, "silent for " + node.limits().idleTimeout().toSeconds() + " s");
            }
            close(CloseCode.IDLE_TIMEOUT, "no frame or pong for " + node.limits().idleTimeout().toSeconds() + " s");
        } else if (ticks - lastPinged >= node.limits().pingInterval().toNanos()) {
            lastPinged = ticks;
            out.ping();
        }
    }

    private synchronized boolean isAwaitingJoin() {
        return phase == Phase.AWAITING_JOIN;
    }

    /** Close reasons are limited to 123 bytes by WebSocket; keep them ASCII-short. */
    private static String truncate(String reason) {
        return reason.length() <= 100 ? reason : reason.substring(0, 97) + "...";
    }
}
