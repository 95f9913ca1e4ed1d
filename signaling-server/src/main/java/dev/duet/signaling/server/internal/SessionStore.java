package dev.duet.signaling.server.internal;

import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.DepartureReason;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.wire.Frame;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The shared state of every session: who is present on which connection, what each client
 * instance has had accepted, each participant's deliveries not yet acknowledged. One node keeps it
 * in memory; several nodes keep it in Redis. Every operation is atomic and publishes what happened
 * as a {@link Event} to every node holding connections of the session, in one order per session.
 */
public interface SessionStore extends AutoCloseable {

    /** Receives a session's events, in order; called on one thread at a time per store. */
    @FunctionalInterface
    interface Subscriber {
        void onEvent(SessionId session, Event event);
    }

    /** What happened in a session. */
    sealed interface Event {
        /** {@code member} joined; any other connection of the same participant is replaced by it. */
        record MemberJoined(Member member) implements Event {}

        /** A message for {@code to}, numbered. */
        record Delivered(ParticipantId to, Frame.Deliver deliver) implements Event {}

        /** {@code member}'s connection left at {@code at}, for {@code reason}. */
        record MemberLeft(Member member, Instant at, DepartureReason reason) implements Event {}

        /** The session is over. */
        record Closed(String reason) implements Event {}
    }

    /** The answer to a join. */
    sealed interface JoinOutcome {
        /** Two other participants are already known in this session. */
        record Full() implements JoinOutcome {}

        /** Another participant already holds this role (expert or learner) in the session. */
        record RoleTaken() implements JoinOutcome {}

        /** The session is closed; nobody joins it again. */
        record Closed() implements JoinOutcome {}

        /** Admitted: where to resume sends, the peer if present, deliveries to replay, the connection replaced. */
        record Admitted(long lastAcceptedSeq, Optional<Member> peer, List<Frame.Deliver> replay, Optional<Member> replaced)
                implements JoinOutcome {}
    }

    /** The answer to a send. */
    sealed interface SendOutcome {
        /** The sender's connection is no longer its current one; ignore. */
        record Stale() implements SendOutcome {}

        /** Already accepted before (a resend); acknowledge {@code lastAccepted} again. */
        record Duplicate(long lastAccepted) implements SendOutcome {}

        /** Not the next seq; {@code expected} is. */
        record Gap(long expected) implements SendOutcome {}

        /** Accepted and queued for the other participant. */
        record Accepted() implements SendOutcome {}
    }

    void subscribe(Subscriber subscriber);

    JoinOutcome join(SessionId session, Member member, String clientId, long lastDelivered);

    SendOutcome send(SessionId session, Member sender, long seq, PeerMessage message, Instant now);

    /**
     * The seq {@link #send} would accept next from {@code sender} (its last accepted plus one), or
     * empty when {@code sender} is not the participant's current connection. Changes nothing.
     */
    java.util.OptionalLong nextSeq(SessionId session, Member sender);

    void ack(SessionId session, Member who, long dseq);

    /**
     * {@code who}'s connection is gone for {@code reason}; true if it was its participant's current
     * one (the peer is then told).
     */
    boolean left(SessionId session, Member who, Instant now, DepartureReason reason);

    /**
     * Ends the session: publishes {@link Event.Closed}; later joins are refused. True for the call
     * that closed it, false when it was closed already (by this node or another).
     */
    boolean close(SessionId session, String reason);

    boolean isClosed(SessionId session);

    /** Records that {@code who} ended the session for both (a {@code bye}, or a {@code leave} with {@code hangUp}); the first one counts. */
    void markHungUp(SessionId session, ParticipantId who);

    /** Who is present, who hung up first, and whether the session is closed. */
    Status status(SessionId session);

    /** A session's state as far as closing it by itself goes. */
    record Status(int present, Optional<ParticipantId> hungUpBy, boolean closed) {}

    /** A member of a dead relay node, removed by this node's sweep; {@code at} is when its node was last known alive. */
    record Departure(SessionId session, Member member, Instant at) {}

    /**
     * Housekeeping, called every second by the node with the sessions it holds connections for:
     * the shared store removes members of dead nodes (and returns them, each with the moment its
     * node was last known alive, so that the departure goes on the attendance record); the memory
     * store forgets idle sessions.
     */
    default java.util.List<Departure> sweep(java.util.Set<SessionId> localSessions, Instant now) {
        return java.util.List.of();
    }

    @Override
    void close();
}
