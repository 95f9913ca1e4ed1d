package dev.duet.signaling.server;

import dev.duet.core.attendance.AttendanceEvent;
import static dev.duet.signaling.server.TestSession.EXPERT;
import static dev.duet.signaling.server.TestSession.LEARNER;
import static dev.duet.signaling.server.TestSession.SESSION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.ParticipantId;
import dev.duet.core.Epoch;
import dev.duet.core.negotiation.Signal;
import dev.duet.core.DepartureReason;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.CloseCode;
import dev.duet.signaling.client.wire.Frame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Departures carry a typed reason, and the relay closes a session by itself when it is over. */
class SessionSettlingTest {
    private final TestSession.SettableClock clock = new TestSession.SettableClock();
    private final List<AttendanceEvent> events = new CopyOnWriteArrayList<>();
    private final CompletableFuture<AttendanceEvent.SessionClosed> closed = new CompletableFuture<>();
    private final List<RawClient> clients = new ArrayList<>();
    private RelayServer relay;

    private void relay(Duration settleGrace, BookingLookup bookings) throws Exception {
        relay = RelayServer.builder(TestSession.VERIFIER).clock(clock).settleGrace(settleGrace).bookings(bookings)
                .eventSink(e -> {
                    events.add(e);
                    if (e instanceof AttendanceEvent.SessionClosed c) {
                        closed.complete(c);
                    }
                }).start();
    }

    @AfterEach
    void stop() {
        clients.forEach(RawClient::close);
        if (relay != null) {
            relay.close();
        }
    }

    private RawClient join(ParticipantId who, String clientId) {
        RawClient client = new RawClient(relay.sessionUri(SESSION));
        clients.add(client);
        client.send(new Frame.Join(TestSession.ticket(who), clientId, 0));
        return client;
    }

    private record Pair(RawClient expert, RawClient learner, Member expertSelf, Member learnerSelf) {}

    private Pair pair() {
        RawClient expert = join(EXPERT, "expert-client-1");
        Member expertSelf = expert.next(Frame.JoinAccepted.class).self();
        RawClient learner = join(LEARNER, "learner-client-1");
        Member learnerSelf = learner.next(Frame.JoinAccepted.class).self();
        expert.next(Frame.PeerJoined.class);
        return new Pair(expert, learner, expertSelf, learnerSelf);
    }

    private static <T extends Frame> T nextOf(RawClient client, Class<T> type) {
        while (true) {
            Frame f = client.next();
            if (type.isInstance(f)) {
                return type.cast(f);
            }
        }
    }

    private List<AttendanceEvent.ParticipantLeft> departures() {
        return events.stream().filter(AttendanceEvent.ParticipantLeft.class::isInstance).map(AttendanceEvent.ParticipantLeft.class::cast).toList();
    }

    @Test
    void byeThenBothLeaveClosesTheSessionAfterTheGraceWithTypedDepartures() throws Exception {
        relay(Duration.ZERO, BookingLookup.none());
        Pair p = pair();
        Epoch epoch = Epoch.of(p.expertSelf().connection(), p.learnerSelf().connection());
        p.expert().send(new Frame.Send(1, new PeerMessage.Negotiation(new Signal.Bye(epoch, "lesson over"))));
        assertThat(nextOf(p.expert(), Frame.Accepted.class).seq()).isEqualTo(1);
        p.expert().send(new Frame.Leave("lesson over"));
        Frame.PeerLeft left = nextOf(p.learner(), Frame.PeerLeft.class);
        assertThat(left.reason()).isEqualTo(DepartureReason.HUNG_UP);
        p.learner().send(new Frame.Leave("peer said bye"));
        assertThat(p.learner().closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.NORMAL.code());

        AttendanceEvent.SessionClosed c = closed.get(5, TimeUnit.SECONDS);
        assertThat(c.reason()).isEqualTo("hung-up");
        assertThat(departures()).extracting(AttendanceEvent.ParticipantLeft::participant, AttendanceEvent.ParticipantLeft::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(EXPERT, DepartureReason.HUNG_UP),
                        org.assertj.core.groups.Tuple.tuple(LEARNER, DepartureReason.PEER_HUNG_UP));
        assertThat(events.indexOf(c)).as("the close comes after both departures").isEqualTo(events.size() - 1);

        RawClient late = join(LEARNER, "learner-client-2");
        assertThat(late.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.SESSION_CLOSED.code());
        assertThat(events.stream().filter(AttendanceEvent.SessionClosed.class::isInstance)).hasSize(1);
    }

    @Test
    void aLeaveWithHangUpEndsTheSessionEvenWhenTheByeWasLost() throws Exception {
        relay(Duration.ZERO, BookingLookup.none());
        Pair p = pair();
        p.expert().send(new Frame.Leave("lesson over", true));
        assertThat(nextOf(p.learner(), Frame.PeerLeft.class).reason()).isEqualTo(DepartureReason.HUNG_UP);
        p.learner().kill(); // the learner's connection drops instead of leaving
        AttendanceEvent.SessionClosed c = closed.get(5, TimeUnit.SECONDS);
        assertThat(c.reason()).isEqualTo("hung-up");
        assertThat(departures()).extracting(AttendanceEvent.ParticipantLeft::reason)
                .containsExactly(DepartureReason.HUNG_UP, DepartureReason.PEER_HUNG_UP);
    }

    @Test
    void aPlainLeaveOrALostConnectionDoesNotEndTheSession() throws Exception {
        relay(Duration.ZERO, BookingLookup.none());
        Pair p = pair();
        p.learner().kill();
        assertThat(nextOf(p.expert(), Frame.PeerLeft.class).reason()).isEqualTo(DepartureReason.CONNECTION_LOST);
        RawClient back = join(LEARNER, "learner-client-1");
        back.next(Frame.JoinAccepted.class);
        nextOf(p.expert(), Frame.PeerJoined.class);
        back.send(new Frame.Leave("closing the tab"));
        assertThat(nextOf(p.expert(), Frame.PeerLeft.class).reason()).isEqualTo(DepartureReason.LEFT);
        p.expert().send(new Frame.Leave("stepping out"));
        assertThat(p.expert().closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.NORMAL.code());
        // Nobody hung up: the session stays open (no booking known, so no window end either), and both may come back.
        RawClient again = join(EXPERT, "expert-client-2");
        assertThat(again.next(Frame.JoinAccepted.class).peer()).isEmpty();
        assertThat(events.stream().filter(AttendanceEvent.SessionClosed.class::isInstance)).isEmpty();
    }

    @Test
    void aReconnectWithinTheGraceKeepsTheSessionOpen() throws Exception {
        relay(Duration.ofSeconds(30), BookingLookup.none());
        Pair p = pair();
        p.expert().send(new Frame.Leave("lesson over", true));
        nextOf(p.learner(), Frame.PeerLeft.class);
        p.learner().kill();
        RawClient back = join(LEARNER, "learner-client-1");
        assertThat(back.next(Frame.JoinAccepted.class).self().participant()).isEqualTo(LEARNER);
        assertThat(closed).isNotDone();
    }

    @Test
    void theRelayClosesASessionWhenItsBookedWindowEnds() throws Exception {
        relay(Duration.ofSeconds(30), session -> session.equals(SESSION) ? Optional.of(TestSession.BOOKING) : Optional.empty());
        Pair p = pair();
        clock.set(TestSession.BOOKING.closesAt());
        assertThat(p.expert().closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.SESSION_CLOSED.code());
        assertThat(p.learner().closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.SESSION_CLOSED.code());
        AttendanceEvent.SessionClosed c = closed.get(5, TimeUnit.SECONDS);
        assertThat(c.reason()).isEqualTo("window-ended");
        assertThat(c.at()).isEqualTo(TestSession.BOOKING.closesAt());
        // The relay's own close closes each connection with a typed departure; the session is closed once.
        assertThat(relay.closeSession(SESSION, "again")).isFalse();
        assertThat(events.stream().filter(AttendanceEvent.SessionClosed.class::isInstance)).hasSize(1);
    }
}
