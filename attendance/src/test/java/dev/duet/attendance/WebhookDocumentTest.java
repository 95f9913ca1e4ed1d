package dev.duet.attendance;

import dev.duet.core.DepartureReason;
import dev.duet.core.MediaKind;
import dev.duet.core.MediaDirection;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.Booking;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.attendance.AttendanceLedger;
import dev.duet.core.attendance.AttendanceRules;
import dev.duet.core.attendance.BillingPolicy;
import dev.duet.core.attendance.Charge;
import dev.duet.core.attendance.MediaFlow;
import dev.duet.core.attendance.Money;
import dev.duet.core.attendance.SessionReport;
import dev.duet.core.ConnectionId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/webhooks.md cannot drift: its example body is exactly what the sender posts for its session, and every field is listed. */
class WebhookDocumentTest {
    private static final Path DOC = Path.of("..", "docs", "webhooks.md");
    private static final Pattern JSON_BLOCK = Pattern.compile("```json\\n(.*?)\\n```", Pattern.DOTALL);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The documented session: booked 10:00-11:00, the expert 2 min late, media both ways until the expert hangs up at 10:50. */
    static String exampleBody() {
        SessionId id = SessionId.of("s-42");
        Booking booking = new Booking(id, Participant.expert("expert-ada", "Ada"), Participant.learner("learner-bo", "Bo"),
                Instant.parse("2026-11-24T10:00:00Z"), Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
        ParticipantId expert = ParticipantId.of("expert-ada");
        ParticipantId learner = ParticipantId.of("learner-bo");
        List<AttendanceEvent> events = new ArrayList<>();
        Instant t0 = Instant.parse("2026-11-24T09:58:30Z");
        Instant t1 = Instant.parse("2026-11-24T10:02:00Z");
        Instant end = Instant.parse("2026-11-24T10:50:00Z");
        events.add(new AttendanceEvent.JoinRefused("r1", id, Instant.parse("2026-11-24T09:49:00Z"), learner,
                AttendanceEvent.Refusal.TOO_EARLY, "ticket is valid from 2026-11-24T09:50:00Z; it is 2026-11-24T09:49:00Z"));
        events.add(new AttendanceEvent.ParticipantJoined("e1", id, t0, learner, ConnectionId.of("c-1")));
        events.add(new AttendanceEvent.ParticipantJoined("e2", id, t1, expert, ConnectionId.of("c-2")));
        int n = 3;
        for (Instant t = t1.plusSeconds(3); !t.isAfter(end); t = t.plusSeconds(3)) {
            for (ParticipantId who : List.of(expert, learner)) {
                events.add(new AttendanceEvent.MediaReported("m" + (n++), id, t, who, false, List.of(
                        flow(MediaDirection.INBOUND, MediaKind.AUDIO), flow(MediaDirection.INBOUND, MediaKind.VIDEO),
                        flow(MediaDirection.OUTBOUND, MediaKind.AUDIO), flow(MediaDirection.OUTBOUND, MediaKind.VIDEO))));
            }
        }
        events.add(new AttendanceEvent.ParticipantLeft("e3", id, end, expert, ConnectionId.of("c-2"), DepartureReason.HUNG_UP));
        events.add(new AttendanceEvent.ParticipantLeft("e4", id, end.plusMillis(12), learner, ConnectionId.of("c-1"),
                DepartureReason.PEER_HUNG_UP));
        events.add(new AttendanceEvent.SessionClosed("e5", id, end.plusSeconds(30), "hung-up"));
        AttendanceLedger ledger = new AttendanceLedger(booking, AttendanceRules.defaults());
        ledger.addAll(events);
        SessionReport report = ledger.report();
        Charge charge = new BillingPolicy(Money.of("EUR", "60.00"), Duration.ofMinutes(1), BillingPolicy.Rounding.UP,
                Money.of("EUR", "10.00"), Money.of("EUR", "15.00")).charge(report);
        return WebhookSender.body(report, charge);
    }

    private static MediaFlow flow(MediaDirection d, MediaKind k) {
        return new MediaFlow(d, k, true, 0.0, OptionalDouble.of(40), OptionalDouble.of(3), OptionalDouble.empty(),
                OptionalInt.empty(), OptionalInt.empty());
    }

    @Test
    void theDocumentedBodyIsWhatTheSenderPosts() throws Exception {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        Matcher m = JSON_BLOCK.matcher(doc);
        assertThat(m.find()).as("a JSON example in docs/webhooks.md").isTrue();
        JsonNode documented = MAPPER.readTree(m.group(1));
        String body = exampleBody();
        JsonNode actual = MAPPER.readTree(body);
        assertThat(documented).as("docs/webhooks.md's example; the sender posts:%n%s",
                MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(actual)).isEqualTo(actual);
    }

    @Test
    void everyFieldOfTheBodyIsListedInTheFieldTable() throws Exception {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        List<String> paths = new ArrayList<>();
        collect(MAPPER.readTree(exampleBody()), "", paths);
        for (String path : paths) {
            assertThat(doc).as("field %s in docs/webhooks.md's table", path).contains("| `" + path + "` |");
        }
    }

    private static void collect(JsonNode node, String prefix, List<String> out) {
        if (node.isObject()) {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                String path = prefix.isEmpty() ? name : prefix + "." + name;
                out.add(path);
                collect(node.get(name), path, out);
            }
        } else if (node.isArray() && node.size() > 0) {
            collect(node.get(0), prefix + "[]", out);
        }
    }
}
