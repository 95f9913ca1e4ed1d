package dev.duet.signaling.client.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duet.core.Booking;
import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import dev.duet.core.Participant;
import dev.duet.core.Role;
import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.attendance.AttendanceLedger;
import dev.duet.core.attendance.AttendanceRules;
import dev.duet.core.attendance.SessionReport;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.StreamReport;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.wire.FrameCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Pusher's webhooks of a session turned into attendance events, then into the ledger's report: a
 * learner who arrives early and whose connection flaps once, an expert who arrives 3 minutes late,
 * ten minutes of media both ways, the expert hanging up. Figures computed by hand from that
 * timeline; the same report whatever order the webhooks come in, each delivered twice.
 */
class PusherAttendanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FrameCodec CODEC = new FrameCodec();
    private static final Instant START = Instant.parse("2026-11-30T10:00:00Z");
    private static final String CHANNEL = "presence-duet-s-42";
    private final Booking booking = new Booking(SessionId.of("s-42"), Participant.expert("expert-ada", "Ada"),
            Participant.learner("learner-bo", "Bo"), START, Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));

    private static Instant at(String hhmmss) {
        return Instant.parse("2026-11-30T" + hhmmss + "Z");
    }

    private static PusherWebhooks.Event presence(String name, String user) {
        return new PusherWebhooks.Event(name, CHANNEL, Optional.of(user), Optional.empty(), Optional.empty(), Optional.empty());
    }

    private static PusherWebhooks.Event clientEvent(String user, String event, ObjectNode data) {
        return new PusherWebhooks.Event("client_event", CHANNEL, Optional.of(user), Optional.of(event), Optional.of(data.toString()),
                Optional.of("1.2"));
    }

    /** A media report of {@code user}'s sampler, all four streams flowing, covering 5 s, as message {@code seq} of its client. */
    private static PusherWebhooks.Event report(String user, String client, long seq) {
        List<StreamReport> streams = new ArrayList<>();
        for (MediaDirection d : MediaDirection.values()) {
            for (MediaKind k : MediaKind.values()) {
                streams.add(StreamReport.of(d, k, true, 300));
            }
        }
        MediaReport r = new MediaReport(Optional.empty(), START, false, streams, Optional.of(Duration.ofSeconds(5)));
        ObjectNode data = JSON.createObjectNode().put("client", client).put("to", "PeerClient000001");
        data.putArray("msgs").addObject().put("s", seq).put("p", 0).put("n", 1).put("t", CODEC.encode(new Frame.Send(seq, r)));
        return clientEvent(user, PusherTransport.SIGNALS_EVENT, data);
    }

    private static PusherWebhooks.Webhook hook(Instant time, PusherWebhooks.Event... events) {
        return new PusherWebhooks.Webhook(time, List.of(events));
    }

    /** The session's webhooks, as Pusher would send them, in time order. */
    private static List<PusherWebhooks.Webhook> timeline() {
        List<PusherWebhooks.Webhook> hooks = new ArrayList<>();
        hooks.add(hook(at("09:58:00"), presence("member_added", "learner-bo")));
        hooks.add(hook(at("10:03:00"), presence("member_added", "expert-ada")));
        // The learner's network drops at 10:06:00; it is back 2 s later on a new socket.
        hooks.add(hook(at("10:06:00"), presence("member_removed", "learner-bo")));
        hooks.add(hook(at("10:06:02"), presence("member_added", "learner-bo")));
        // Both samplers report every 5 s from 10:04:05 to 10:14:00 (120 reports each), each with its own numbering.
        for (int i = 1; i <= 120; i++) {
            Instant t = at("10:04:00").plusSeconds(5L * i);
            hooks.add(hook(t, report("expert-ada", "ExpertClient0001", i + 2), report("learner-bo", "LearnerClient001", i + 3)));
        }
        ObjectNode hangUp = JSON.createObjectNode().put("client", "ExpertClient0001").put("connection", "7.8").put("reason", "lesson over")
                .put("hang_up", true);
        hooks.add(hook(at("10:14:00"), clientEvent("expert-ada", PusherTransport.LEAVE_EVENT, hangUp)));
        hooks.add(hook(at("10:14:01"), presence("member_removed", "expert-ada")));
        hooks.add(hook(at("10:14:05"), presence("member_removed", "learner-bo")));
        // Webhooks Duet ignores: another app's channel, an occupied channel, a client event of its own kind.
        hooks.add(hook(at("10:14:06"), new PusherWebhooks.Event("channel_vacated", CHANNEL, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty()), new PusherWebhooks.Event("member_added", "presence-chat-room",
                Optional.of("someone"), Optional.empty(), Optional.empty(), Optional.empty())));
        return hooks;
    }

    private SessionReport report(List<AttendanceEvent> events) {
        AttendanceLedger ledger = new AttendanceLedger(booking, AttendanceRules.defaults());
        events.forEach(ledger::add);
        return ledger.report();
    }

    @Test
    void webhooksInTimeOrderGiveTheReportComputedByHand() {
        PusherAttendance attendance = new PusherAttendance();
        List<AttendanceEvent> events = new ArrayList<>();
        timeline().forEach(h -> events.addAll(attendance.accept(h)));

        assertThat(events.stream().filter(AttendanceEvent.ParticipantJoined.class::isInstance)).hasSize(3);
        assertThat(events.stream().filter(AttendanceEvent.MediaReported.class::isInstance)).hasSize(240);
        SessionReport r = report(events);
        assertThat(r.expert().showed()).isTrue();
        assertThat(r.learner().showed()).isTrue();
        assertThat(r.expert().firstJoin()).hasValue(at("10:03:00"));
        assertThat(r.learner().firstJoin()).hasValue(at("09:58:00"));
        assertThat(r.learner().stays()).as("the flap is two stays").isEqualTo(2);
        assertThat(r.expert().lateBy()).isEqualTo(Duration.ofMinutes(3));
        assertThat(r.firstArrival()).hasValue(Role.LEARNER);
        // Both present from 10:03:00 to 10:14:00 (the expert hung up), less the learner's 2 s away.
        assertThat(r.bothPresent()).isEqualTo(Duration.ofMinutes(11).minusSeconds(2));
        // Reports cover 10:04:00 to 10:14:00, both ways, less the 2 s the learner was away.
        assertThat(r.mediaBothWays()).isEqualTo(Duration.ofMinutes(10).minusSeconds(2));
        assertThat(r.expert().lastLeave()).hasValue(at("10:14:00"));
    }

    @Test
    void theReportIsTheSameWhateverOrderTheWebhooksComeInEachDeliveredTwice() {
        SessionReport inOrder;
        {
            PusherAttendance attendance = new PusherAttendance();
            List<AttendanceEvent> events = new ArrayList<>();
            timeline().forEach(h -> events.addAll(attendance.accept(h)));
            inOrder = report(events);
        }
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int round = 0; round < 20; round++) {
            List<PusherWebhooks.Webhook> shuffled = new ArrayList<>(timeline());
            shuffled.addAll(timeline());
            Collections.shuffle(shuffled, random);
            PusherAttendance attendance = new PusherAttendance();
            List<AttendanceEvent> events = new ArrayList<>();
            shuffled.forEach(h -> events.addAll(attendance.accept(h)));
            assertThat(events.stream().map(AttendanceEvent::eventId)).as("seed %d: no event returned twice", seed).doesNotHaveDuplicates();
            assertThat(report(events)).as("seed %d, round %d", seed, round).isEqualTo(inOrder);
        }
    }

    @Test
    void aWebhookSeenAgainAddsNothingAndMalformedClientEventsAreSkipped() {
        PusherAttendance attendance = new PusherAttendance();
        PusherWebhooks.Webhook added = hook(at("10:00:00"), presence("member_added", "learner-bo"));
        assertThat(attendance.accept(added)).hasSize(1);
        assertThat(attendance.accept(added)).isEmpty();
        ObjectNode broken = JSON.createObjectNode().put("client", "x y");
        broken.putArray("msgs").addObject().put("s", 1).put("p", 0).put("n", 1).put("t", "{not json");
        assertThat(attendance.accept(hook(at("10:00:01"), clientEvent("learner-bo", PusherTransport.SIGNALS_EVENT, broken),
                new PusherWebhooks.Event("client_event", CHANNEL, Optional.of("learner-bo"), Optional.of(PusherTransport.SIGNALS_EVENT),
                        Optional.of("[1,2"), Optional.empty())))).isEmpty();
    }
}
