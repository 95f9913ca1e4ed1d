package dev.duet.webrtc;

import static dev.duet.webrtc.CallHarness.EXPERT;
import static dev.duet.webrtc.CallHarness.LEARNER;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.Participant;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import dev.duet.core.attendance.AttendanceRules;
import dev.duet.core.attendance.BillingPolicy;
import dev.duet.core.attendance.Money;
import dev.duet.core.attendance.SessionReport;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.attendance.JsonLinesAttendanceStore;
import dev.duet.signaling.server.RelayEventSink;
import dev.duet.signaling.server.RelayServer;
import dev.duet.attendance.SessionOutcomes;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A support engineer can follow a whole call in the log: the relay's INFO lines for join, leave
 * (with its typed reason), close and outcome, each with the session in the MDC, and every line the
 * peers log naming the session; no line holds a ticket or a secret.
 */
class CallLogTest {
    @BeforeAll
    static void network() {
        NetworkCheck.requireUsableInterface();
    }

    @Test
    void theLogOfAFullCallTellsItsStoryUnderTheSessionsId(@TempDir Path dir) throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        TicketKey key = TicketKey.of("k1", secret);
        Instant now = Instant.now();
        Booking booking = new Booking(SessionId.of("log-" + now.toEpochMilli()), Participant.expert(EXPERT.value(), "Ada"),
                Participant.learner(LEARNER.value(), "Bo"), now, Duration.ofMinutes(30), Duration.ofMinutes(10), Duration.ofMinutes(5));
        JoinTicketIssuer issuer = new JoinTicketIssuer(key, Duration.ofHours(1));
        String expertTicket = issuer.issue(booking, EXPERT, now);
        String learnerTicket = issuer.issue(booking, LEARNER, now);
        ExecutorService settling = Executors.newSingleThreadExecutor();
        CompletableFuture<SessionReport> settled = new CompletableFuture<>();
        try (MediaEngine engine = MediaEngine.synthetic();
                JsonLinesAttendanceStore store = JsonLinesAttendanceStore.open(dir.resolve("attendance.jsonl"))) {
            SessionOutcomes outcomes = new SessionOutcomes(store, id -> Optional.of(booking), AttendanceRules.defaults(),
                    BillingPolicy.perMinute(Money.of("EUR", "60.00")), List.of((report, charge) -> settled.complete(report)), settling);
            try (RelayServer relay = RelayServer.builder(new JoinTicketVerifier(List.of(key), Duration.ofSeconds(30)))
                    .settleGrace(Duration.ZERO).eventSink(RelayEventSink.storing(store).andThen(RelayEventSink.settling(outcomes))).start()) {
                CallRecorder expert = new CallRecorder("expert");
                CallRecorder learner = new CallRecorder("learner");
                try (DuetCall expertCall = DuetCall.builder(engine, RelayTransport.webSocket(relay.sessionUri(booking.sessionId()),
                                TicketSource.of(expertTicket), Runnable::run)).listener(expert).media(LocalMedia.synthetic()).build();
                        DuetCall learnerCall = DuetCall.builder(engine, RelayTransport.webSocket(relay.sessionUri(booking.sessionId()),
                                TicketSource.of(learnerTicket), Runnable::run)).listener(learner).media(LocalMedia.synthetic()).build()) {
                    expertCall.start().get(10, TimeUnit.SECONDS);
                    learnerCall.start().get(10, TimeUnit.SECONDS);
                    expert.await(expert.connected, Duration.ofSeconds(15), "connected");
                    expertCall.hangUp("lesson over").get(10, TimeUnit.SECONDS);
                    learner.await(learner.ended, Duration.ofSeconds(10), "the learner's end");
                    settled.get(15, TimeUnit.SECONDS);
                }
            }
        } finally {
            root.detachAppender(log);
            settling.shutdownNow();
        }
        // Closed calls, engine and transports leave no thread that would keep the app's JVM alive.
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(Thread::isAlive).filteredOn(t -> !t.isDaemon())
                .extracting(Thread::getName)
                .noneMatch(name -> name.startsWith("duet-") || name.startsWith("OkHttp") || name.contains("okhttp"));
        String session = booking.sessionId().value();
        List<ILoggingEvent> events = List.copyOf(log.list);
        String story = String.join("\n", events.stream().map(e -> e.getLevel() + " " + e.getLoggerName() + " "
                + e.getMDCPropertyMap() + " " + e.getFormattedMessage()).toList());

        assertLine(events, story, "the expert's join at the relay", relayInfo(session, "expert-ada (expert) joined"));
        assertLine(events, story, "the learner's join at the relay", relayInfo(session, "learner-bo (learner) joined"));
        assertLine(events, story, "the expert's leave, typed", relayInfo(session, "expert-ada (expert) left").and(
                e -> e.getFormattedMessage().endsWith(": hung-up")));
        assertLine(events, story, "the learner's leave, typed", relayInfo(session, "learner-bo (learner) left").and(
                e -> e.getFormattedMessage().endsWith(": peer-hung-up")));
        assertLine(events, story, "the session's close", relayInfo(session, "closed (hung-up)"));
        assertLine(events, story, "the outcome", info("dev.duet.attendance", session, "settled: CUT_SHORT"));
        assertLine(events, story, "each peer's join", e -> e.getLoggerName().equals(DuetCall.class.getName())
                && e.getFormattedMessage().contains("joined as expert-ada"));
        assertLine(events, story, "each peer's end", e -> e.getLoggerName().equals(DuetCall.class.getName())
                && e.getFormattedMessage().startsWith("call ended"));

        List<ILoggingEvent> client = events.stream().filter(e -> e.getLoggerName().startsWith("dev.duet.webrtc")
                || e.getLoggerName().startsWith("dev.duet.signaling.client")).toList();
        assertThat(client).as("the peers' lines%n%s", story).isNotEmpty()
                .allSatisfy(e -> assertThat(e.getMDCPropertyMap()).as(e.getFormattedMessage()).containsEntry("duet.session", session));
        assertThat(events.stream().filter(e -> e.getLoggerName().startsWith("dev.duet.signaling.server.internal"))
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)))
                .as("the relay's lines about connections").allSatisfy(e ->
                        assertThat(e.getMDCPropertyMap()).as(e.getFormattedMessage()).containsEntry("duet.session", session));
        for (String secretText : List.of(expertTicket, learnerTicket, Base64.getEncoder().encodeToString(secret))) {
            assertThat(story).as("no ticket or key in the log").doesNotContain(secretText);
        }
    }

    private static Predicate<ILoggingEvent> relayInfo(String session, String text) {
        return info("dev.duet.signaling.server", session, text);
    }

    /** An INFO line of a logger under {@code prefix}, with the session's MDC key, containing {@code text}. */
    private static Predicate<ILoggingEvent> info(String prefix, String session, String text) {
        return e -> e.getLevel() == Level.INFO && e.getLoggerName().startsWith(prefix)
                && session.equals(e.getMDCPropertyMap().get("duet.session")) && e.getFormattedMessage().contains(text);
    }

    private static void assertLine(List<ILoggingEvent> events, String story, String what, Predicate<ILoggingEvent> line) {
        assertThat(events.stream().anyMatch(line)).as("a log line for %s in:%n%s", what, story).isTrue();
    }
}
