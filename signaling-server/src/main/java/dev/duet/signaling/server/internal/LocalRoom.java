package dev.duet.signaling.server.internal;

import dev.duet.core.SessionId;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.CloseCode;
import dev.duet.signaling.client.wire.Frame;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's connections of one session. Turns the session's {@link SessionStore.Event}s into
 * frames for them: a join tells the other participant (and closes a replaced connection of the same
 * participant, wherever the new one joined), a delivery goes to its recipient, a departure to the
 * other participant, a close to everyone.
 */
final class LocalRoom {
    private final SessionId id;
    private final Set<ConnectionHandler> handlers = ConcurrentHashMap.newKeySet();

    LocalRoom(SessionId id) {
        this.id = id;
    }

    SessionId id() {
        return id;
    }

    void add(ConnectionHandler handler) {
        handlers.add(handler);
    }

    /** The connections of this room that have joined (at most 64). */
    java.util.List<dev.duet.core.ConnectionId> joinedConnections() {
        java.util.List<dev.duet.core.ConnectionId> out = new java.util.ArrayList<>();
        for (ConnectionHandler h : handlers) {
            dev.duet.signaling.client.Member m = h.member();
            if (m != null && out.size() < 64) {
                out.add(m.connection());
            }
        }
        return out;
    }

    void remove(ConnectionHandler handler) {
        handlers.remove(handler);
    }

    boolean isEmpty() {
        return handlers.isEmpty();
    }

    void dispatch(SessionStore.Event event) {
        if (event instanceof SessionStore.Event.MemberJoined joined) {
            Member member = joined.member();
            for (ConnectionHandler h : handlers) {
                Member mine = h.member();
                if (mine == null || h.holds(member.connection())) {
                    continue;
                }
                if (mine.participant().equals(member.participant())) {
                    h.closeAsReplaced();
                } else {
                    h.relay(new Frame.PeerJoined(member, joined.newClient()));
                }
            }
        } else if (event instanceof SessionStore.Event.Delivered delivered) {
            for (ConnectionHandler h : handlers) {
                Member mine = h.member();
                if (mine != null && mine.participant().equals(delivered.to())) {
                    h.relay(delivered.deliver());
                }
            }
        } else if (event instanceof SessionStore.Event.MemberLeft left) {
            Member member = left.member();
            for (ConnectionHandler h : handlers) {
                Member mine = h.member();
                if (mine != null && !mine.participant().equals(member.participant())) {
                    h.relay(new Frame.PeerLeft(member.participant(), member.connection(), left.at(), left.reason()));
                }
            }
        } else if (event instanceof SessionStore.Event.Closed closed) {
            handlers.forEach(h -> h.closeForSession(closed.reason()));
        }
    }
}
