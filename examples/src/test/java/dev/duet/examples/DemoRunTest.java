package dev.duet.examples;

import dev.duet.core.attendance.AttendanceEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.duet.core.Role;
import dev.duet.core.attendance.SessionReport;
import dev.duet.testing.TestNetwork;
import dev.duet.core.DepartureReason;
import dev.duet.webrtc.HostNetwork;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The demo's flow, ten times: each time the printed report is the one the relay settled by itself,
 * and it agrees with the demo's own timeline (the relay's stamps): the expert hung up, and presence
 * matches the time between arrival and departure within a second.
 */
class DemoRunTest {
    @Test
    void theReportAgreesWithTheTimelineEveryTime() throws Exception {
        InetAddress address = TestNetwork.requireUsableInterface(HostNetwork.usableAddress());
        DemoOptions.Order[] orders = {DemoOptions.Order.TOGETHER, DemoOptions.Order.EXPERT_FIRST, DemoOptions.Order.TOGETHER,
                DemoOptions.Order.LEARNER_FIRST, DemoOptions.Order.TOGETHER};
        List<Path> tempBefore = demoTempDirs();
        for (int run = 0; run < 10; run++) {
            DemoOptions.Order order = orders[run % orders.length];
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            CallDemo.Result result = new CallDemo(new PrintStream(printed, true, StandardCharsets.UTF_8)).run(order, 3, address);
            String text = printed.toString(StandardCharsets.UTF_8);
            String label = "run " + run + " (" + order.code() + ")\n" + text;

            assertThat(result.exitCode()).as(label).isEqualTo(CallDemo.OK);
            assertThat(text).as(label).contains("Session report (settled by the relay", "ended: the expert hung up", "Call completed.");
            SessionReport report = result.report().orElseThrow();
            List<AttendanceEvent> events = result.relayEvents();
            AttendanceEvent.ParticipantLeft expertLeft = left(events, Role.EXPERT, report);
            AttendanceEvent.ParticipantLeft learnerLeft = left(events, Role.LEARNER, report);
            assertThat(expertLeft.reason()).as(label).isEqualTo(DepartureReason.HUNG_UP);
            assertThat(learnerLeft.reason()).as(label).isEqualTo(DepartureReason.PEER_HUNG_UP);
            assertThat(report.expert().lastLeave()).as(label).contains(expertLeft.at());
            assertThat(report.learner().lastLeave()).as(label).contains(learnerLeft.at());
            // Both leave within milliseconds, in either order; who ended the session is the relay's typed fact.
            report.endedEarlyBy().ifPresent(role -> assertThat(role).as(label).isEqualTo(Role.EXPERT));
            if (report.outcome() == SessionReport.Outcome.CUT_SHORT) {
                assertThat(report.outcomeReason()).as(label).endsWith("the expert hung up");
            }
            assertThat(text).as(label).doesNotContain("the learner left first", "the learner hung up");

            for (Role role : Role.values()) {
                Instant joined = joined(events, role, report);
                Instant leftAt = role == Role.EXPERT ? expertLeft.at() : learnerLeft.at();
                double timeline = seconds(Duration.between(joined, leftAt));
                double presence = seconds(report.attendance(role).presence());
                assertThat(presence).as(label + "\n" + role + " presence vs. the timeline").isCloseTo(timeline, within(1.0));
            }
            Instant bothFrom = max(joined(events, Role.EXPERT, report), joined(events, Role.LEARNER, report));
            assertThat(seconds(report.bothPresent())).as(label + "\nboth present vs. second arrival to hang-up")
                    .isCloseTo(seconds(Duration.between(bothFrom, expertLeft.at())), within(1.0));
            assertThat(seconds(report.bothPresent())).as(label + "\nboth present is about the talk, not the window")
                    .isLessThan(3 + 10);
        }
        assertThat(demoTempDirs()).as("the demo deletes what it writes").isEqualTo(tempBefore);
    }

    private static AttendanceEvent.ParticipantLeft left(List<AttendanceEvent> events, Role role, SessionReport report) {
        return events.stream().filter(AttendanceEvent.ParticipantLeft.class::isInstance).map(AttendanceEvent.ParticipantLeft.class::cast)
                .filter(l -> l.participant().equals(report.attendance(role).participant())).findFirst().orElseThrow();
    }

    private static Instant joined(List<AttendanceEvent> events, Role role, SessionReport report) {
        return events.stream().filter(AttendanceEvent.ParticipantJoined.class::isInstance).map(AttendanceEvent.ParticipantJoined.class::cast)
                .filter(j -> j.participant().equals(report.attendance(role).participant())).map(AttendanceEvent::at)
                .findFirst().orElseThrow();
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static List<Path> demoTempDirs() throws Exception {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("duet-demo")).sorted().toList();
        }
    }
}
