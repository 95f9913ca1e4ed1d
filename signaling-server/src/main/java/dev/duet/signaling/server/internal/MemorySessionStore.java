package dev.duet.signaling.server.internal;

import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.DepartureReason;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.wire.Frame;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Session state for one node, in memory. Each session has its own lock; events are published to
 * subscribers under it, so every subscriber sees a session's events in the order they happened.
 */
public final class MemorySessionStore implements SessionStore {
    private static final Duration RETENTION = Duration.ofHours(2);

    private final int maxPendingDeliveries;
    private final ConcurrentHashMap<SessionId, State> sessions = new ConcurrentHashMap<>();
    /** Closed sessions and when; kept longer than any ticket can live (48 h), so none is rejoined. */
    private final ConcurrentHashMap<SessionId, Instant> closed = new ConcurrentHashMap<>();
    private static final Duration CLOSED_RETENTION = Duration.ofHours(49);
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();

    public MemorySessionStore(int maxPendingDeliveries) {
        this.maxPendingDeliveries = maxPendingDeliveries;
    }

    /** Deliveries to one participant, numbered from 1, kept until acknowledged. */
    private static final class Mailbox {
        long nextDseq = 1;
        final Deque<Frame.Deliver> pending = new ArrayDeque<>();
    }

    private static final class State {
        final Map<ParticipantId, Member> present = new HashMap<>();
        final Map<ParticipantId, String> clientIds = new HashMap<>();
        final Map<ParticipantId, Long> lastAccepted = new HashMap<>();
        final Map<ParticipantId, Mailbox> mailboxes = new HashMap<>();
        final Set<ParticipantId> known = new LinkedHashSet<>();
        /** Who holds each role: one expert and one learner per session. */
        final java.util.Map<dev.duet.core.Role, ParticipantId> roles = new java.util.EnumMap<>(dev.duet.core.Role.class);
        final String incarnation = SessionStore.newIncarnation();
        /** Every connection id this incarnation admitted: a resumed id must not be one of them. */
        final Set<dev.duet.core.ConnectionId> issued = new java.util.HashSet<>();
        Mailbox unclaimed = new Mailbox();
        Instant lastActivity = Instant.MIN;
        ParticipantId hungUpBy;
    }

    @Override
    public void subscribe(Subscriber subscriber) {
        subscribers.add(subscriber);
    }

    @Override
    public JoinOutcome join(SessionId session, Member proposed, String clientId, long lastDelivered,
            Optional<Frame.Resume> resume) {
        State s = state(session);
        synchronized (s) {
            if (closed.containsKey(session)) {
                return new JoinOutcome.Closed();
            }
            ParticipantId who = proposed.participant();
            ParticipantId holder = s.roles.get(proposed.role());
            if (holder != null && !holder.equals(who)) {
                return new JoinOutcome.RoleTaken();
            }
            if (!s.known.contains(who) && s.known.size() >= 2) {
                return new JoinOutcome.Full();
            }
            if (s.present.containsKey(who) && !clientId.equals(s.clientIds.get(who))) {
                return new JoinOutcome.InUse();
            }
            boolean newClient = s.clientIds.containsKey(who) && !clientId.equals(s.clientIds.get(who));
            Member member = proposed;
            if (resume.isPresent() && !resume.get().incarnation().equals(s.incarnation)) {
                lastDelivered = 0; // counted by a state this store no longer has
                Frame.Resume r = resume.get();
                boolean taken = s.issued.contains(r.connection()) || s.issued.size() >= MAX_ISSUED_CONNECTIONS;
                if (!taken && !r.arrivedAt().isAfter(proposed.arrivedAt())) {
                    member = new Member(who, proposed.role(), r.connection(), r.arrivedAt());
                }
            }
            if (s.issued.size() < MAX_ISSUED_CONNECTIONS) {
                s.issued.add(member.connection());
            }
            s.roles.put(member.role(), who);
            if (s.known.add(who) && s.known.size() == 2) {
                s.mailboxes.putIfAbsent(who, s.unclaimed);
                s.unclaimed = null;
            }
            s.lastActivity = proposed.arrivedAt();
            Member replaced = s.present.put(who, member);
            if (!clientId.equals(s.clientIds.get(who))) {
                s.clientIds.put(who, clientId);
                s.lastAccepted.put(who, 0L);
            }
            Optional<Member> peer = s.present.values().stream().filter(m -> !m.participant().equals(who)).findFirst();
            Mailbox mailbox = s.mailboxes.computeIfAbsent(who, p -> new Mailbox());
            long processed = lastDelivered;
            mailbox.pending.removeIf(d -> d.dseq() <= processed);
            List<Frame.Deliver> replay = new ArrayList<>(mailbox.pending);
            publish(session, new Event.MemberJoined(member, newClient));
            return new JoinOutcome.Admitted(member, s.lastAccepted.get(who), peer, replay, Optional.ofNullable(replaced),
                    s.incarnation);
        }
    }

    @Override
    public SendOutcome send(SessionId session, Member sender, long seq, PeerMessage message, Instant now) {
        State s = state(session);
        synchronized (s) {
            ParticipantId who = sender.participant();
            if (!sender.equals(s.present.get(who))) {
                return new SendOutcome.Stale();
            }
            s.lastActivity = now;
            long last = s.lastAccepted.get(who);
            if (seq <= last) {
                return new SendOutcome.Duplicate(last);
            }
            if (seq != last + 1) {
                return new SendOutcome.Gap(last + 1);
            }
            s.lastAccepted.put(who, seq);
            ParticipantId to = s.known.stream().filter(p -> !p.equals(who)).findFirst().orElse(null);
            Mailbox mailbox = to == null ? s.unclaimed : s.mailboxes.computeIfAbsent(to, p -> new Mailbox());
            Frame.Deliver deliver = new Frame.Deliver(mailbox.nextDseq++, who, now, message);
            mailbox.pending.addLast(deliver);
            while (mailbox.pending.size() > maxPendingDeliveries) {
                mailbox.pending.removeFirst();
            }
            if (to != null) {
                publish(session, new Event.Delivered(to, deliver));
            }
            return new SendOutcome.Accepted();
        }
    }

    @Override
    public Optional<Snapshot> snapshot(SessionId session, Member who) {
        State s = state(session);
        synchronized (s) {
            if (!who.equals(s.present.get(who.participant()))) {
                return Optional.empty();
            }
            Optional<Member> peer = s.present.values().stream().filter(m -> !m.participant().equals(who.participant())).findFirst();
            Mailbox mailbox = s.mailboxes.get(who.participant());
            return Optional.of(new Snapshot(peer, mailbox == null ? List.of() : List.copyOf(mailbox.pending)));
        }
    }

    @Override
    public java.util.OptionalLong nextSeq(SessionId session, Member sender) {
        State s = state(session);
        synchronized (s) {
            if (!sender.equals(s.present.get(sender.participant()))) {
                return java.util.OptionalLong.empty();
            }
            return java.util.OptionalLong.of(s.lastAccepted.get(sender.participant()) + 1);
        }
    }

    @Override
    public void ack(SessionId session, Member who, long dseq) {
        State s = state(session);
        synchronized (s) {
            if (who.equals(s.present.get(who.participant()))) {
                Mailbox mailbox = s.mailboxes.get(who.participant());
                if (mailbox != null) {
                    mailbox.pending.removeIf(d -> d.dseq() <= dseq);
                }
            }
        }
    }

    @Override
    public boolean left(SessionId session, Member who, Instant now, DepartureReason reason) {
        State s = sessions.get(session);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            if (!who.equals(s.present.get(who.participant()))) {
                return false;
            }
            s.present.remove(who.participant());
            s.lastActivity = now;
            publish(session, new Event.MemberLeft(who, now, reason));
            return true;
        }
    }

    @Override
    public boolean close(SessionId session, String reason) {
        State s = state(session);
        synchronized (s) {
            if (closed.putIfAbsent(session, Instant.MIN) != null) { // stamped by the next sweep, on the node's clock
                return false;
            }
            publish(session, new Event.Closed(reason));
            return true;
        }
    }

    @Override
    public boolean isClosed(SessionId session) {
        return closed.containsKey(session);
    }

    @Override
    public void markHungUp(SessionId session, ParticipantId who) {
        State s = state(session);
        synchronized (s) {
            if (s.hungUpBy == null) {
                s.hungUpBy = who;
            }
        }
    }

    @Override
    public Status status(SessionId session) {
        State s = sessions.get(session);
        if (s == null) {
            return new Status(0, Optional.empty(), closed.containsKey(session));
        }
        synchronized (s) {
            return new Status(s.present.size(), Optional.ofNullable(s.hungUpBy), closed.containsKey(session));
        }
    }

    /** Forgets sessions nobody is in and nothing happened in for two hours. */
    @Override
    public java.util.List<Departure> sweep(Set<SessionId> localSessions, Instant now) {
        Instant cutoff = now.minus(RETENTION);
        closed.replaceAll((id, at) -> at.equals(Instant.MIN) ? now : at);
        Instant closedCutoff = now.minus(CLOSED_RETENTION);
        closed.values().removeIf(at -> at.isBefore(closedCutoff));
        sessions.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                // A closed session needs only its closed mark (kept above): its state goes once nobody is on it.
                return e.getValue().present.isEmpty() && (closed.containsKey(e.getKey()) || e.getValue().lastActivity.isBefore(cutoff));
            }
        });
        return java.util.List.of();
    }

    @Override
    public void close() {
        sessions.clear();
    }

    private State state(SessionId session) {
        return sessions.computeIfAbsent(session, k -> new State());
    }

    private void publish(SessionId session, Event event) {
        for (Subscriber s : subscribers) {
            s.onEvent(session, event);
        }
    }
}
