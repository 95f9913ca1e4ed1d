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
        /**
         * {@code member} joined; any other connection of the same participant is replaced by it.
         * {@code newClient}: of another client instance than the participant's earlier ones.
         */
        record MemberJoined(Member member, boolean newClient) implements Event {}

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

        /**
         * The participant's current connection is live and belongs to another client instance: a
         * ticket in use elsewhere does not take it over.
         */
        record InUse() implements JoinOutcome {}

        /** The session is closed; nobody joins it again. */
        record Closed() implements JoinOutcome {}

        /**
         * Admitted as {@code self} (the proposed member, or the resumed one: see {@link #join}): where to
         * resume sends, the peer if present, deliveries to replay, the connection replaced, and the
         * incarnation of the session's state.
         */
        record Admitted(Member self, long lastAcceptedSeq, Optional<Member> peer, List<Frame.Deliver> replay,
                Optional<Member> replaced, String incarnation) implements JoinOutcome {}
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

    /**
     * Admits {@code member} (a fresh connection id, stamped now), or refuses it.
     *
     * <p>The session's state has an incarnation, made when the store first holds it (after a restart
     * of a relay without a shared store, or once it forgot an idle session, the state is new). When
     * {@code resume} names another incarnation, the client held a connection of a state the store no
     * longer has: {@code lastDelivered} is ignored (the new state's deliveries count from 1), and the
     * client is admitted under its old connection id and arrival ({@code resume}'s) if no connection
     * of this incarnation has had that id, so that its epoch goes on. {@code resume.arrivedAt} must
     * not be after {@code member.arrivedAt()}: the caller checks it.
     */
    JoinOutcome join(SessionId session, Member member, String clientId, long lastDelivered, Optional<Frame.Resume> resume);

    /** A fresh incarnation id: 16 random base-36 characters after {@code i-}. */
    static String newIncarnation() {
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        return "i-" + Long.toString(r.nextLong() & Long.MAX_VALUE, 36) + Long.toString(r.nextLong() & Long.MAX_VALUE, 36);
    }

    /** How many connection ids one incarnation of a session remembers to refuse as resumed ids; more joins resume nothing. */
    int MAX_ISSUED_CONNECTIONS = 4096;

    SendOutcome send(SessionId session, Member sender, long seq, PeerMessage message, Instant now);

    /**
     * The seq {@link #send} would accept next from {@code sender} (its last accepted plus one), or
     * empty when {@code sender} is not the participant's current connection. Changes nothing.
     */
    java.util.OptionalLong nextSeq(SessionId session, Member sender);

    void ack(SessionId session, Member who, long dseq);

    /** What a current connection should have been told: the peer present now, and its deliveries not yet acknowledged. */
    record Snapshot(Optional<Member> peer, List<Frame.Deliver> pending) {}

    /** {@code who}'s {@link Snapshot}, or empty when {@code who} is not its participant's current connection. Changes nothing. */
    Optional<Snapshot> snapshot(SessionId session, Member who);

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

    /**
     * Registers {@code check}, run when the shared state may have been lost or changed unseen (the
     * shared store came back after an outage). The memory store never loses state while the node
     * runs and never calls it.
     */
    default void onStateMayBeLost(Runnable check) {}

    @Override
    void close();
}
