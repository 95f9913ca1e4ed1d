package dev.duet.signaling.client.pusher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duet.core.JoinTicket;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.SessionId;
import dev.duet.core.TicketCheck;
import dev.duet.core.internal.Checks;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The app backend's answer to a Pusher client's subscription request, for Duet's channels only:
 * it signs a subscription to {@code presence-duet-<sessionId>} (or {@code private-duet-<sessionId>})
 * for a socket only when the request carries a Duet join ticket that is valid now for that
 * session, so only the booking's two participants get in. The presence member is the ticket's
 * participant, with the facts both peers need to agree on who arrived last (Pusher gives clients
 * no server timestamps, so the backend's clock at the moment it signs stands in for the relay's):
 * {@code {"user_id":"<participant id>","user_info":{"role":"expert"|"learner","connection":"<socket id>","arrived_at":<epoch ms>}}}.
 * A re-subscription after a reconnect is signed again, with the new socket id and a later
 * {@code arrived_at}: the rejoining side is the later arrival, as with the relay.
 *
 * <p>The signature is Pusher's: {@code <key>:<hex HMAC-SHA256(secret, "<socket_id>:<channel>[:<channel_data>]")>}.
 * Wire it to the endpoint the client's channel authorizer calls (pusher-js {@code channelAuthorization},
 * Duet's {@code ChannelAuthorizer}); answer a {@link PusherAuthException} with HTTP 403 and its
 * message. Thread-safe.
 */
public final class PusherChannelAuth {
    /** The prefix of a session's presence channel; the session id follows. */
    public static final String PRESENCE_PREFIX = "presence-duet-";
    /** The prefix of a session's private channel (no member list); the session id follows. */
    public static final String PRIVATE_PREFIX = "private-duet-";
    private static final Pattern SOCKET_ID = Pattern.compile("\\d{1,20}\\.\\d{1,20}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PusherApp app;
    private final JoinTicketVerifier tickets;

    public PusherChannelAuth(PusherApp app, JoinTicketVerifier tickets) {
        this.app = Checks.notNull(app, "app");
        this.tickets = Checks.notNull(tickets, "tickets");
    }

    /** The presence channel of {@code session}: {@code presence-duet-<sessionId>}. */
    public static String presenceChannel(SessionId session) {
        return PRESENCE_PREFIX + Checks.notNull(session, "session").value();
    }

    /** What the endpoint answers: {@code auth}, and for a presence channel {@code channel_data}. */
    public record Authorization(String auth, Optional<String> channelData) {
        public Authorization {
            Checks.notNull(auth, "auth");
            Checks.notNull(channelData, "channelData");
        }

        /** The JSON body Pusher clients expect: {@code {"auth":"...","channel_data":"..."}}. */
        public String toJson() {
            ObjectNode body = JSON.createObjectNode().put("auth", auth);
            channelData.ifPresent(data -> body.put("channel_data", data));
            return body.toString();
        }
    }

    /**
     * Signs {@code socketId}'s subscription to {@code channel} for the holder of {@code ticket} at
     * {@code now}, or throws {@link PusherAuthException} saying what was wrong (nothing is signed).
     */
    public Authorization authorize(String socketId, String channel, String ticket, Instant now) {
        Checks.notNull(now, "now");
        if (socketId == null || !SOCKET_ID.matcher(socketId).matches()) {
            throw new PusherAuthException(PusherAuthException.Reason.MALFORMED_REQUEST,
                    "socket_id must be two dot-separated numbers as Pusher assigns them (like 123.456)");
        }
        boolean presence = channel != null && channel.startsWith(PRESENCE_PREFIX);
        if (channel == null || !(presence || channel.startsWith(PRIVATE_PREFIX))) {
            throw new PusherAuthException(PusherAuthException.Reason.NOT_A_DUET_CHANNEL,
                    "channel must be " + PRESENCE_PREFIX + "<sessionId> or " + PRIVATE_PREFIX + "<sessionId>");
        }
        SessionId session;
        try {
            session = SessionId.of(channel.substring(presence ? PRESENCE_PREFIX.length() : PRIVATE_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new PusherAuthException(PusherAuthException.Reason.NOT_A_DUET_CHANNEL,
                    "the channel does not name a session: " + e.getMessage());
        }
        if (ticket == null || ticket.isBlank()) {
            throw new PusherAuthException(PusherAuthException.Reason.TICKET_REFUSED, "a Duet join ticket is required");
        }
        TicketCheck check = tickets.verify(ticket, session, now);
        if (check instanceof TicketCheck.Refused refused) {
            throw new PusherAuthException(PusherAuthException.Reason.TICKET_REFUSED,
                    "the join ticket was refused for session " + session.value() + ": " + refused.reason() + " (" + refused.message() + ")");
        }
        JoinTicket admitted = ((TicketCheck.Accepted) check).ticket();
        if (!presence) {
            return new Authorization(app.key() + ":" + app.sign(socketId + ":" + channel), Optional.empty());
        }
        ObjectNode member = JSON.createObjectNode().put("user_id", admitted.participantId().value());
        member.putObject("user_info").put("role", admitted.role().code()).put("connection", socketId)
                .put("arrived_at", now.toEpochMilli());
        String channelData = member.toString();
        return new Authorization(app.key() + ":" + app.sign(socketId + ":" + channel + ":" + channelData), Optional.of(channelData));
    }

    @Override
    public String toString() {
        return "PusherChannelAuth[" + app + "]";
    }
}
