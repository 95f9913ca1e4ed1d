package dev.duet.signaling.client.wire;

import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.internal.Checks;
import dev.duet.core.ConnectionId;
import dev.duet.core.DepartureReason;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import java.time.Instant;
import java.util.Optional;

/**
 * One frame of the Duet relay protocol (version {@value FrameCodec#VERSION}), in either direction.
 * {@code docs/protocol.md} in the project is the reference; {@link FrameCodec} maps frames to and
 * from JSON.
 */
public sealed interface Frame {

    /** Frames a client sends to the relay. */
    sealed interface ClientFrame extends Frame {}

    /** Frames the relay sends to a client. */
    sealed interface RelayFrame extends Frame {}

    // ------------------------------------------------------------------ client -> relay

    /**
     * The first frame of every connection.
     *
     * @param ticket        the participant's join ticket
     * @param clientId      random id of this client instance, the same across its reconnects (8 to 64 id characters)
     * @param lastDelivered highest {@code dseq} this client instance has already processed, 0 at first
     */
    /** The longest ticket text a {@code join} frame carries to the verifier (tickets themselves are at most 1,024 characters). */
    int MAX_TICKET_TEXT = 16 * 1024;

    record Join(String ticket, String clientId, long lastDelivered, Optional<Resume> resume) implements ClientFrame {
        public Join {
            Checks.notNull(resume, "join.resume");
            Checks.notNull(ticket, "join.ticket");
            // Any text up to the frame limit: the verifier judges it (a ticket of 0 or over 1,024
            // characters is a malformed ticket, 4401, as §8.2 says, not a malformed join).
            if (ticket.length() > MAX_TICKET_TEXT) {
                throw new IllegalArgumentException("join.ticket must be at most " + MAX_TICKET_TEXT + " characters, but had "
                        + ticket.length());
            }
            Checks.identifier(clientId, "join.clientId");
            if (clientId.length() < 8) {
                throw new IllegalArgumentException("join.clientId must be at least 8 characters, but had " + clientId.length());
            }
            notNegative(lastDelivered, "join.lastDelivered");
        }

        /** A first join of this client instance: nothing to resume. */
        public Join(String ticket, String clientId, long lastDelivered) {
            this(ticket, clientId, lastDelivered, Optional.empty());
        }

        @Override
        public String toString() {
            return "Join[ticket=(redacted), clientId=" + clientId + ", lastDelivered=" + lastDelivered
                    + resume.map(r -> ", resume=" + r).orElse("") + "]";
        }
    }

    /**
     * What a client instance held at its last {@code joined} (docs/protocol.md §7.1): the relay's
     * {@code incarnation} for the session and its own member entry. When the relay's state for the
     * session is of another incarnation (it restarted and forgot the session), the relay gives the
     * client its old {@code connection} and {@code arrivedAt} back if no one holds that connection
     * id, so that the negotiation epoch, and the media, go on unchanged.
     */
    record Resume(String incarnation, ConnectionId connection, Instant arrivedAt) {
        public Resume {
            Checks.identifier(incarnation, "join.resume.incarnation");
            Checks.notNull(connection, "join.resume.connection");
            Checks.notNull(arrivedAt, "join.resume.arrivedAt");
        }
    }

    /** A message for the peer; {@code seq} counts this client instance's sends from 1. */
    record Send(long seq, PeerMessage message) implements ClientFrame {
        public Send {
            positive(seq, "send.seq");
            Checks.notNull(message, "send.message");
        }
    }

    /** The client has processed every delivery up to and including {@code dseq}. */
    record Ack(long dseq) implements ClientFrame {
        public Ack {
            positive(dseq, "ack.dseq");
        }
    }

    /**
     * The client leaves for good; the relay closes the connection with 1000 and tells the peer.
     * {@code hangUp} says that this ends the session for both (the peer is told {@code peer-left}
     * with reason {@code hung-up}, even if its {@code bye} was lost); without it the participant
     * only leaves ({@code left}).
     */
    record Leave(String reason, boolean hangUp) implements ClientFrame {
        /** A leave that does not end the session. */
        public Leave(String reason) {
            this(reason, false);
        }

        public Leave {
            Checks.notNull(reason, "leave.reason");
            if (reason.length() > 200) {
                throw new IllegalArgumentException("leave.reason must be at most 200 characters, but had " + reason.length());
            }
        }
    }

    /**
     * An application-level heartbeat (browsers cannot send WebSocket pings): the relay answers
     * {@link Pong} with the same {@code id} at once. Counts as a frame for the idle timeout and the rate.
     */
    record Ping(long id) implements ClientFrame {
        public Ping {
            notNegative(id, "ping.id");
        }
    }

    // ------------------------------------------------------------------ relay -> client

    /** The answer to {@link Ping}, with its {@code id}. */
    record Pong(long id) implements RelayFrame {
        public Pong {
            notNegative(id, "pong.id");
        }
    }

    /**
     * Sent just before the relay closes a connection whose join it refused: the close code, its
     * name, the reason in words, and for {@code 4425 too-early} when the room opens.
     */
    record Refused(int code, String name, String message, Optional<Instant> opensAt) implements RelayFrame {
        public Refused {
            if (code < 4000 || code > 4999) {
                throw new IllegalArgumentException("refused.code must be 4000 to 4999, but was " + code);
            }
            Checks.notNull(name, "refused.name");
            Checks.notNull(message, "refused.message");
            Checks.notNull(opensAt, "refused.opensAt");
        }
    }

    /**
     * The {@code joined} frame, the answer to {@link Join}: this connection's member entry, the peer's if present, the
     * highest {@code seq} of this client instance the relay has already accepted (resend after it), and the
     * {@code incarnation} of the relay's state for the session: when it differs from the one the client saw at its
     * previous {@code joined}, the relay has forgotten the session (it restarted), and the client renumbers its
     * unaccepted sends from {@code lastAcceptedSeq + 1} and counts deliveries from 0 again (docs/protocol.md §7.1).
     */
    record JoinAccepted(SessionId session, Member self, Optional<Member> peer, long lastAcceptedSeq, String incarnation)
            implements RelayFrame {
        public JoinAccepted {
            Checks.notNull(session, "joined.session");
            Checks.notNull(self, "joined.self");
            Checks.notNull(peer, "joined.peer");
            notNegative(lastAcceptedSeq, "joined.lastAcceptedSeq");
            Checks.identifier(incarnation, "joined.incarnation");
        }
    }

    /**
     * The peer arrived, or arrived again on a new connection that replaces its old one.
     * {@code newClient}: the new connection is of another client instance than the peer's earlier
     * ones in this session (a page reload, another device, or someone holding a copy of its ticket);
     * false for its first arrival and for a reconnect of the same instance.
     */
    record PeerJoined(Member peer, boolean newClient) implements RelayFrame {
        public PeerJoined {
            Checks.notNull(peer, "peerJoined.peer");
        }

        /** The same client instance as the peer's previous connection (a reconnect), or its first. */
        public PeerJoined(Member peer) {
            this(peer, false);
        }
    }

    /** The peer's connection left at {@code leftAt} by the relay's clock, for {@code reason}. */
    record PeerLeft(ParticipantId participant, ConnectionId connection, Instant leftAt, DepartureReason reason)
            implements RelayFrame {
        public PeerLeft {
            Checks.notNull(reason, "peerLeft.reason");
            Checks.notNull(participant, "peerLeft.participant");
            Checks.notNull(connection, "peerLeft.connection");
            Checks.notNull(leftAt, "peerLeft.leftAt");
        }
    }

    /**
     * A message from {@code from} (stamped by the relay: a client cannot claim another sender),
     * relayed at {@code relayedAt}. {@code dseq} counts deliveries to this participant from 1; the
     * client acknowledges with {@link Ack} and ignores a {@code dseq} it has already processed.
     */
    record Deliver(long dseq, ParticipantId from, Instant relayedAt, PeerMessage message) implements RelayFrame {
        public Deliver {
            positive(dseq, "deliver.dseq");
            Checks.notNull(from, "deliver.from");
            Checks.notNull(relayedAt, "deliver.relayedAt");
            Checks.notNull(message, "deliver.message");
        }
    }

    /** The relay has taken responsibility for every send of this client instance up to {@code seq}. */
    record Accepted(long seq) implements RelayFrame {
        public Accepted {
            positive(seq, "accepted.seq");
        }
    }

    /**
     * A frame was refused and dropped; the connection stays open. {@code seq} names the refused
     * {@link Send} when known.
     */
    record Error(ProtocolError code, String message, Optional<Long> seq) implements RelayFrame {
        public Error {
            Checks.notNull(code, "error.code");
            Checks.notNull(message, "error.message");
            Checks.notNull(seq, "error.seq");
        }
    }

    private static void positive(long value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be 1 or more, but was " + value);
        }
    }

    private static void notNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be 0 or more, but was " + value);
        }
    }
}
