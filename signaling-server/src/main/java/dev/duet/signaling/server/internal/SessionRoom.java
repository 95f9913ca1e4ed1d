package dev.duet.signaling.server.internal;

import dev.duet.core.JoinTicket;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.wire.CloseCode;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.wire.ProtocolError;
import dev.duet.signaling.server.RelayEvent;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One session on this node: who is present on which connection, what each client instance has
 * had accepted, and each participant's deliveries not yet acknowledged. Every method holds the
 * room's lock, and frames are queued to connections under it, so all participants see the room's
 * events in one order.
 */
final class SessionRoom {
    private final SessionId id;
    private final RelayNode node;
    private final Map<ParticipantId, ConnectionHandler> present = new HashMap<>();
    private final Map<ParticipantId, Sender> senders = new HashMap<>();
    private final Map<ParticipantId, Mailbox> mailboxes = new HashMap<>();
    /** The participants seen in this room, at most two: the booking's expert and learner. */
    private final Set<ParticipantId> known = new LinkedHashSet<>();
    /** Deliveries sent before the other participant ever joined; the first to join takes them over. */
    private Mailbox unclaimed = new Mailbox();
    private Instant lastActivity;

    /** What a participant's client instance has had accepted. */
    private static final class Sender {
        String clientId;
        long lastAccepted;
    }

    /** Deliveries to one participant, numbered from 1, kept until acknowledged. */
    private static final class Mailbox {
        long nextDseq = 1;
        final Deque<Frame.Deliver> pending = new ArrayDeque<>();
    }

    SessionRoom(SessionId id, RelayNode node, Instant now) {
        this.id = id;
        this.node = node;
        this.lastActivity = now;
    }

    SessionId id() {
        return id;
    }

    synchronized boolean idleSince(Instant cutoff) {
        return present.isEmpty() && lastActivity.isBefore(cutoff);
    }

    synchronized int presentCount() {
        return present.size();
    }

    /**
     * Admits {@code conn} for the ticket's participant; replaces (closes) an older connection of the
     * same participant. Returns false, admitting nothing, when two other participants are already known.
     */
    synchronized boolean join(ConnectionHandler conn, JoinTicket ticket, Frame.Join join, Member self, Instant now) {
        ParticipantId who = ticket.participantId();
        if (!known.contains(who) && known.size() >= 2) {
            return false;
        }
        if (known.add(who) && known.size() == 2) {
            mailboxes.putIfAbsent(who, unclaimed);
            unclaimed = null;
        }
        lastActivity = now;
        ConnectionHandler replaced = present.put(who, conn);
        Sender sender = senders.computeIfAbsent(who, p -> new Sender());
        if (!join.clientId().equals(sender.clientId)) {
            sender.clientId = join.clientId();
            sender.lastAccepted = 0;
        }
        Optional<ConnectionHandler> peer = peerOf(who);
        conn.send(new Frame.Joined(id, self, peer.map(ConnectionHandler::member), sender.lastAccepted));
        Mailbox mailbox = mailboxes.computeIfAbsent(who, p -> new Mailbox());
        mailbox.pending.removeIf(d -> d.dseq() <= join.lastDelivered());
        mailbox.pending.forEach(conn::send);
        if (replaced != null && replaced != conn) {
            replaced.closeAsReplaced();
            node.event(new RelayEvent.Left(RelayNode.newEventId(), id, now, who, replaced.member().connection(),
                    "replaced by a newer connection"));
        }
        peer.ifPresent(p -> p.send(new Frame.PeerJoined(self)));
        node.event(new RelayEvent.Joined(RelayNode.newEventId(), id, now, who, ticket.role(), self.connection()));
        return true;
    }

    /** A message from {@code conn} for the other participant: accept in sequence, stamp, deliver. */
    synchronized void send(ConnectionHandler conn, Frame.Send send, Instant now) {
        ParticipantId who = conn.member().participant();
        if (present.get(who) != conn) {
            return; // a replaced connection's late frame; that connection is being closed
        }
        lastActivity = now;
        Sender sender = senders.get(who);
        if (send.seq() <= sender.lastAccepted) {
            conn.send(new Frame.Accepted(sender.lastAccepted)); // a resend of something already accepted
            return;
        }
        if (send.seq() != sender.lastAccepted + 1) {
            conn.send(new Frame.Error(ProtocolError.OUT_OF_ORDER, "seq " + send.seq() + " leaves a gap; expected "
                    + (sender.lastAccepted + 1), Optional.of(send.seq())));
            return;
        }
        sender.lastAccepted = send.seq();
        ParticipantId to = known.stream().filter(p -> !p.equals(who)).findFirst().orElse(null);
        Mailbox mailbox = to == null ? unclaimed : mailboxes.computeIfAbsent(to, p -> new Mailbox());
        Frame.Deliver deliver = new Frame.Deliver(mailbox.nextDseq++, who, now, send.message());
        mailbox.pending.addLast(deliver);
        while (mailbox.pending.size() > node.limits().maxPendingDeliveries()) {
            mailbox.pending.removeFirst();
        }
        ConnectionHandler target = to == null ? null : present.get(to);
        if (target != null) {
            target.send(deliver);
        }
        if (send.message() instanceof MediaReport report) {
            // recorded before the sender is told it was accepted
            node.event(new RelayEvent.MediaReported(RelayNode.newEventId(), id, now, who, report));
        }
        conn.send(new Frame.Accepted(send.seq()));
    }

    /** The participant of {@code conn} has processed deliveries up to {@code dseq}. */
    synchronized void ack(ConnectionHandler conn, long dseq) {
        ParticipantId who = conn.member().participant();
        if (present.get(who) != conn) {
            return;
        }
        Mailbox mailbox = mailboxes.get(who);
        if (mailbox != null) {
            mailbox.pending.removeIf(d -> d.dseq() <= dseq);
        }
    }

    /** {@code conn} is gone; if it was its participant's current connection, the peer is told. */
    synchronized void left(ConnectionHandler conn, Instant now, String reason) {
        Member member = conn.member();
        if (member == null || present.get(member.participant()) != conn) {
            return;
        }
        lastActivity = now;
        present.remove(member.participant());
        peerOf(member.participant()).ifPresent(p -> p.send(new Frame.PeerLeft(member.participant(), member.connection(), now)));
        node.event(new RelayEvent.Left(RelayNode.newEventId(), id, now, member.participant(), member.connection(), reason));
    }

    /** Closes every connection of the room with {@code code}. */
    synchronized void closeAll(CloseCode code, String reason) {
        List.copyOf(present.values()).forEach(c -> c.close(code, reason)); // closing may call back into left()
    }

    private Optional<ConnectionHandler> peerOf(ParticipantId who) {
        return present.entrySet().stream().filter(e -> !e.getKey().equals(who)).map(Map.Entry::getValue).findFirst();
    }
}
