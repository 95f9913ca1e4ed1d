package dev.duet.signaling.server;

import dev.duet.core.attendance.AttendanceEvent;
import static dev.duet.signaling.server.TestSession.EXPERT;
import static dev.duet.signaling.server.TestSession.LEARNER;
import static dev.duet.signaling.server.TestSession.SESSION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.Booking;
import dev.duet.core.SessionId;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.core.DepartureReason;
import dev.duet.signaling.client.wire.Frame;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client that stops reading costs the node a bounded amount of memory and nobody else any time. */
class SlowConsumerTest {
    private static final int CAP = 256 * 1024;
    private final TestSession.SettableClock clock = new TestSession.SettableClock();
    private final List<AttendanceEvent> events = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private <T extends AutoCloseable> T keep(T r) {
        resources.add(0, r);
        return r;
    }

    @Test
    void aClientThatStopsReadingIsClosedAtItsCapWhileAnotherSessionForwardsAsFastAsBefore() throws Exception {
        // A generous rate, so that the flood is limited only by the reader; idle timeout far away.
        RelayLimits limits = new RelayLimits(2_000, 4_000, 100, Duration.ofSeconds(3), Duration.ofSeconds(60),
                Duration.ofSeconds(10), 1024, CAP);
        RelayServer relay = keep(RelayServer.builder(TestSession.VERIFIER).clock(clock).limits(limits)
                .eventSink(events::add).start());

        // Another session, to measure forwarding latency next to the flood.
        SessionId other = SessionId.of("s-43");
        Booking otherBooking = new Booking(other, TestSession.BOOKING.expert(), TestSession.BOOKING.learner(),
                TestSession.BOOKING.start(), TestSession.BOOKING.duration(), Duration.ofMinutes(10), Duration.ofMinutes(15));
        Instant issued = Instant.parse("2026-11-24T09:55:00Z");
        RawClient a = keep(new RawClient(relay.sessionUri(other)));
        a.send(new Frame.Join(TestSession.ISSUER.issue(otherBooking, EXPERT, issued), "other-expert-1", 0));
        a.next(Frame.JoinAccepted.class);
        RawClient b = keep(new RawClient(relay.sessionUri(other)));
        b.send(new Frame.Join(TestSession.ISSUER.issue(otherBooking, LEARNER, issued), "other-learner-1", 0));
        b.next(Frame.JoinAccepted.class);
        a.next(Frame.PeerJoined.class);
        long before = roundTripNanos(a, b, 1, 20);

        RawClient flooder = keep(new RawClient(relay.sessionUri(SESSION)));
        flooder.send(new Frame.Join(TestSession.ticket(EXPERT), "expert-client-1", 0));
        flooder.next(Frame.JoinAccepted.class);
        MuteClient stalled = keep(new MuteClient(relay.sessionUri(SESSION),
                RawClient.CODEC.encode(new Frame.Join(TestSession.ticket(LEARNER), "learner-client-1", 0))));
        flooder.next(Frame.PeerJoined.class);

        String chunk = "x".repeat(1900);
        long maxQueued = 0;
        int sent = 0;
        while (relay.slowConsumersClosed() == 0 && sent < 20_000) {
            flooder.send(new Frame.Send(++sent, new ChatMessage(chunk)));
            maxQueued = Math.max(maxQueued, relay.queuedBytes());
        }
        assertThat(relay.slowConsumersClosed()).as("the stalled reader is closed (after %d frames)", sent).isEqualTo(1);
        assertThat(maxQueued).as("bytes waiting on the node at any time").isLessThanOrEqualTo(CAP + 64 * 1024);
        Frame f;
        do {
            f = flooder.next();
        } while (!(f instanceof Frame.PeerLeft));
        Frame.PeerLeft left = (Frame.PeerLeft) f;
        assertThat(left.reason()).isIn(DepartureReason.CONNECTION_LOST);

        long after = roundTripNanos(a, b, 21, 20);
        assertThat(Duration.ofNanos(after)).as("the other session's worst round trip after the flood (before: %s ms)",
                before / 1_000_000).isLessThan(Duration.ofMillis(Math.max(1000, 10 * before / 1_000_000)));
        stalled.close();
    }

    /** The worst of {@code n} message round trips a -> b -> a, in nanoseconds. */
    private static long roundTripNanos(RawClient a, RawClient b, int firstSeq, int n) {
        long worst = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            a.send(new Frame.Send(firstSeq + i, new ChatMessage("ping " + i)));
            Frame f;
            do {
                f = b.next();
            } while (!(f instanceof Frame.Deliver));
            b.send(new Frame.Send(firstSeq + i, new ChatMessage("pong " + i)));
            do {
                f = a.next();
            } while (!(f instanceof Frame.Deliver));
            worst = Math.max(worst, System.nanoTime() - t0);
        }
        return worst;
    }
}
