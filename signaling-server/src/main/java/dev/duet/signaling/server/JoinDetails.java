package dev.duet.signaling.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.internal.Checks;
import dev.duet.turn.IceServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;

/**
 * What one participant's client needs to join a session: the relay's WebSocket address, a signed
 * join ticket, and the ICE servers (TURN first, with this participant's own credential). Hand it to
 * that participant only: it holds secrets, which {@link #toString()} leaves out.
 *
 * @param session          the session
 * @param participant      who it is for
 * @param relayUrl         the session's WebSocket address ({@code ws://} or {@code wss://})
 * @param ticket           the signed join ticket (docs/protocol.md §8)
 * @param ticketExpiresAt  when the ticket stops being accepted; ask for a new one after that
 * @param iceServers       the ICE servers and transport policy
 */
public record JoinDetails(SessionId session, ParticipantId participant, URI relayUrl, String ticket, Instant ticketExpiresAt,
        IceServers iceServers) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public JoinDetails {
        Checks.notNull(session, "session");
        Checks.notNull(participant, "participant");
        Checks.notNull(relayUrl, "relayUrl");
        Checks.notNull(ticket, "ticket");
        Checks.notNull(ticketExpiresAt, "ticketExpiresAt");
        Checks.notNull(iceServers, "iceServers");
        if (!"ws".equals(relayUrl.getScheme()) && !"wss".equals(relayUrl.getScheme())) {
            throw new IllegalArgumentException("relayUrl must be a ws:// or wss:// address, but was " + relayUrl);
        }
    }

    /**
     * The JSON a page spreads into duet-web's {@code DuetCall} options:
     * {@code {"url":"wss://...","ticket":"duet1....","iceServers":[...],"iceTransportPolicy":"all"}}, as in
     * {@code new DuetCall({ ...details, listener })}. It holds the ticket and the TURN password.
     */
    public String toJson() {
        try {
            ObjectNode node = JSON.createObjectNode();
            node.put("url", relayUrl.toString());
            node.put("ticket", ticket);
            ObjectNode rtc = (ObjectNode) JSON.readTree(iceServers.toRtcConfigurationJson());
            node.setAll(rtc);
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the join details as JSON", e);
        }
    }

    @Override
    public String toString() {
        return "JoinDetails[session=" + session.value() + ", participant=" + participant.value() + ", relayUrl=" + relayUrl
                + ", ticket=(redacted), ticketExpiresAt=" + ticketExpiresAt + ", iceServers=" + iceServers + "]";
    }
}
