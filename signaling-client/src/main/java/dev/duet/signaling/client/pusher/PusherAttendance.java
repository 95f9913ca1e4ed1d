package dev.duet.signaling.client.pusher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.ConnectionId;
import dev.duet.core.DepartureReason;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.client.wire.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns Pusher's webhooks for Duet's channels into Duet attendance events, for an app whose calls
 * signal over Pusher instead of Duet's relay: with no relay to stamp arrivals, departures and media
 * reports, Pusher's webhooks (stamped with Pusher's clock, {@code time_ms}) are the record. Store
 * what {@link #accept} returns in the {@code AttendanceStore}; the ledger then reports as for the
 * relay.
 *
 * <ul>
 *   <li>{@code member_added} and {@code member_removed} of {@code presence-duet-<sessionId>}: a stay
 *       of the participant (Pusher counts users, not sockets), as {@code ParticipantJoined} and
 *       {@code ParticipantLeft} ({@code connection-lost}) of one connection id per stay.</li>
 *   <li>{@code client_event} {@code client-duet-leave}: the participant left ({@code left}) or hung
 *       up ({@code hung-up}) at that moment; the {@code member_removed} that follows changes
 *       nothing (the first departure of a stay counts).</li>
 *   <li>{@code client_event} {@code client-duet-signals} carrying a media report (in one part):
 *       {@code MediaReported}, once per message (resends are recognised).</li>
 * </ul>
 * Client events need the app's "client events" webhook turned on, presence the "presence" one.
 *
 * <p>Webhooks arrive unordered and sometimes twice: every event id is made from what it records, a
 * webhook seen again returns nothing new, and a departure whose arrival has not come yet is held
 * until it does. Keeps the presence facts of each session it has seen, in memory: feed all of a
 * session's webhooks to one instance, and {@link #forget} a session once it is settled.
 * Thread-safe.
 */
public final class PusherAttendance {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FrameCodec CODEC = new FrameCodec();

    private enum Kind { ADDED, LEFT, HUNG_UP, REMOVED }

    private record Fact(Instant at, Kind kind) {}

    private static final Comparator<Fact> ORDER = Comparator.comparing(Fact::at).thenComparing(Fact::kind);

    /** Per session, per participant: the presence facts seen, in time order. */
    private final Map<SessionId, Map<ParticipantId, TreeSet<Fact>>> facts = new HashMap<>();
    /** Ids of the events already returned, per session. */
    private final Map<SessionId, Set<String>> returned = new HashMap<>();

    public PusherAttendance() {
        // no state until the first webhook
    }

    /**
     * The attendance events {@code hook} adds (none that an earlier call returned). Events of other
     * channels than Duet's presence channels, and client events that are not Duet's or are
     * malformed, are skipped.
     */
    public synchronized List<AttendanceEvent> accept(PusherWebhooks.Webhook hook) {
        dev.duet.core.internal.Checks.notNull(hook, "hook");
        List<AttendanceEvent> out = new ArrayList<>();
        Map<SessionId, Set<ParticipantId>> touched = new HashMap<>();
        for (PusherWebhooks.Event e : hook.events()) {
            if (!e.channel().startsWith(PusherChannelAuth.PRESENCE_PREFIX) || e.userId().isEmpty()) {
                continue;
            }
            SessionId session;
            ParticipantId participant;
            try {
                session = SessionId.of(e.channel().substring(PusherChannelAuth.PRESENCE_PREFIX.length()));
                participant = ParticipantId.of(e.userId().get());
            } catch (IllegalArgumentException notDuets) {
                continue;
            }
            Kind kind = switch (e.name()) {
                case "member_added" -> Kind.ADDED;
                case "member_removed" -> Kind.REMOVED;
                case "client_event" -> readClientEvent(e, session, participant, hook.time(), out);
                default -> null;
            };
            if (kind != null) {
                facts.computeIfAbsent(session, s -> new HashMap<>()).computeIfAbsent(participant, p -> new TreeSet<>(ORDER))
                        .add(new Fact(hook.time(), kind));
                touched.computeIfAbsent(session, s -> new HashSet<>()).add(participant);
            }
        }
        touched.forEach((session, participants) -> participants.forEach(p -> stays(session, p, out)));
        List<AttendanceEvent> fresh = new ArrayList<>();
        for (AttendanceEvent event : out) {
            if (returned.computeIfAbsent(event.session(), s -> new HashSet<>()).add(event.eventId())) {
                fresh.add(event);
            }
        }
        return fresh;
    }

    /** Drops what is kept of {@code session} (once its report is settled). */
    public synchronized void forget(SessionId session) {
        facts.remove(session);
        returned.remove(session);
    }

    /**
     * Reads one of Duet's client events: the media reports it carries are added to {@code out} at once;
     * a leave is returned as the presence fact it is (null for anything else).
     */
    private static Kind readClientEvent(PusherWebhooks.Event e, SessionId session, ParticipantId participant, Instant at,
            List<AttendanceEvent> out) {
        String name = e.event().orElse("");
        JsonNode data;
        try {
            data = JSON.readTree(e.data().orElse(""));
        } catch (Exception malformed) {
            return null;
        }
        if (data == null || !data.isObject()) {
            return null;
        }
        if (PusherTransport.LEAVE_EVENT.equals(name)) {
            return data.path("hang_up").asBoolean(false) ? Kind.HUNG_UP : Kind.LEFT;
        }
        if (PusherTransport.SIGNALS_EVENT.equals(name) && data.path("msgs").isArray()) {
            String client = data.path("client").asText("");
            if (!client.matches("[A-Za-z0-9]{1,32}")) {
                return null;
            }
            for (JsonNode part : data.path("msgs")) {
                if (part.path("n").asInt(0) != 1 || !part.path("t").isTextual()) {
                    continue; // a message in several parts is an offer or an answer, never a media report
                }
                try {
                    Frame.ClientFrame frame = CODEC.decodeClientFrame(part.path("t").asText());
                    if (frame instanceof Frame.Send send && send.message() instanceof MediaReport report) {
                        String id = "pm-" + digest(participant.value() + "/" + client + "/" + part.path("s").asLong());
                        out.add(report.toEvent(id, session, at, participant));
                    }
                } catch (ProtocolException | IllegalArgumentException broken) {
                    // not a message Duet sends: nothing to record
                }
            }
        }
        return null;
    }

    /**
     * The participant's stays from its facts in time order: a stay opens at a {@code member_added}
     * while none is open, and closes at the next {@code member_removed}; a leave inside it records
     * the departure (hung up or left) at its own time, before the removal. A removal with no stay
     * open waits for its arrival to be seen.
     */
    private void stays(SessionId session, ParticipantId participant, List<AttendanceEvent> out) {
        ConnectionId open = null;
        for (Fact f : facts.get(session).get(participant)) {
            switch (f.kind()) {
                case ADDED -> {
                    if (open == null) {
                        open = ConnectionId.of("p" + f.at().toEpochMilli() + "-" + digest(participant.value()).substring(0, 8));
                        out.add(new AttendanceEvent.ParticipantJoined("pj-" + open.value(), session, f.at(), participant, open));
                    }
                }
                case LEFT, HUNG_UP, REMOVED -> {
                    if (open != null) {
                        DepartureReason reason = f.kind() == Kind.HUNG_UP ? DepartureReason.HUNG_UP
                                : f.kind() == Kind.LEFT ? DepartureReason.LEFT : DepartureReason.CONNECTION_LOST;
                        out.add(new AttendanceEvent.ParticipantLeft("pl-" + open.value() + "-" + f.at().toEpochMilli() + "-"
                                + reason.code(), session, f.at(), participant, open, reason));
                        if (f.kind() == Kind.REMOVED) {
                            open = null;
                        }
                    }
                }
                default -> throw new IllegalStateException("unknown fact " + f);
            }
        }
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "PusherAttendance[" + facts.size() + " session(s)]";
    }
}
