package dev.duet.signaling.server;

import dev.duet.testing.Await;

import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.MediaKind;
import dev.duet.core.MediaDirection;
import static dev.duet.signaling.server.TestSession.EXPERT;
import static dev.duet.signaling.server.TestSession.LEARNER;
import static dev.duet.signaling.server.TestSession.SESSION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.Booking;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.ConnectionId;
import dev.duet.core.Epoch;
import dev.duet.core.negotiation.Signal;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.StreamReport;
import dev.duet.signaling.client.CloseCode;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.testkit.Malformed;
import dev.duet.signaling.client.wire.ProtocolError;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RelayServerTest {
    private final TestSession.SettableClock clock = new TestSession.SettableClock();
    private final List<AttendanceEvent> events = new CopyOnWriteArrayList<>();
    private final List<RawClient> clients = new ArrayList<>();
    private RelayServer relay;

    private RelayServer relay(RelayLimits limits) throws Exception {
        relay = RelayServer.builder(TestSession.VERIFIER).clock(clock).limits(limits).eventSink(events::add).start();
        return relay;
    }

    private RelayServer relay() throws Exception {
        return relay(RelayLimits.defaults());
    }

    @AfterEach
    void stop() {
        clients.forEach(RawClient::close);
        if (relay != null) {
            relay.close();
        }
    }

    private RawClient connect(SessionId session) {
        RawClient client = new RawClient(relay.sessionUri(session));
        clients.add(client);
        return client;
    }

    private RawClient join(ParticipantId who, String clientId, long lastDelivered) {
        RawClient client = connect(SESSION);
        client.send(new Frame.Join(TestSession.ticket(who), clientId, lastDelivered));
        return client;
    }

    private record JoinedPair(RawClient expert, RawClient learner, Member learnerSelf) {}

    /** The expert joins, then the learner; both joined frames and the expert's peer-joined are consumed. */
    private JoinedPair joinedPair() {
        RawClient expert = join(EXPERT, "expert-client-1", 0);
        expert.next(Frame.JoinAccepted.class);
        RawClient learner = join(LEARNER, "learner-client-1", 0);
        Member learnerSelf = learner.next(Frame.JoinAccepted.class).self();
        expert.next(Frame.PeerJoined.class);
        return new JoinedPair(expert, learner, learnerSelf);
    }

    // ------------------------------------------------------------------ arrival facts

    @Test
    void aCopiedTicketCannotTakeOverALiveConnectionAndThePeerIsToldWhenAnotherClientJoins() throws Exception {
        relay();
        RawClient expert = join(EXPERT, "expert-client-1", 0);
        expert.next(Frame.JoinAccepted.class);
        RawClient learner = join(LEARNER, "learner-client-1", 0);
        learner.next(Frame.JoinAccepted.class);
        assertThat(expert.next(Frame.PeerJoined.class).newClient()).as("a first arrival").isFalse();

        // Someone with a copy of the learner's ticket, while the learner is connected: refused.
        RawClient intruder = join(LEARNER, "intruder-client", 0);
        Frame.Refused refused = intruder.next(Frame.Refused.class);
        assertThat(refused.code()).isEqualTo(CloseCode.TICKET_IN_USE.code());
        assertThat(refused.message()).contains("another client");
        assertThat(intruder.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.TICKET_IN_USE.code());
        learner.send(new Frame.Send(1, new ChatMessage("still mine")));
        assertThat(learner.next(Frame.Accepted.class).seq()).isEqualTo(1);
        assertThat(expert.next(Frame.Deliver.class).message()).as("the expert hears only the learner")
                .isEqualTo(new ChatMessage("still mine"));

        // The same client instance reconnecting replaces its own connection: not a new client.
        RawClient again = join(LEARNER, "learner-client-1", 1);
        again.next(Frame.JoinAccepted.class);
        assertThat(learner.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.REPLACED.code());
        assertThat(expert.next(Frame.PeerJoined.class).newClient()).isFalse();

        // Once the learner is gone, another client instance is admitted, and the expert is told it is one.
        again.send(new Frame.Leave("closing the tab"));
        expert.next(Frame.PeerLeft.class);
        RawClient other = join(LEARNER, "intruder-client", 0);
        other.next(Frame.JoinAccepted.class);
        assertThat(expert.next(Frame.PeerJoined.class).newClient()).as("another client instance").isTrue();
    }

    @Test
    void whenTheExpertArrivesFirstBothSidesGetTheSameArrivalFacts() throws Exception {
        relay();
        RawClient expert = join(EXPERT, "expert-client-1", 0);
        Frame.JoinAccepted expertJoined = expert.next(Frame.JoinAccepted.class);
        assertThat(expertJoined.peer()).isEmpty();
        assertThat(expertJoined.self().arrivedAt()).isEqualTo(Instant.parse("2026-11-24T09:58:00Z"));

        clock.advance(Duration.ofMinutes(3));
        RawClient learner = join(LEARNER, "learner-client-1", 0);
        Frame.JoinAccepted learnerJoined = learner.next(Frame.JoinAccepted.class);
        assertThat(learnerJoined.peer()).contains(expertJoined.self());
        assertThat(expert.next(Frame.PeerJoined.class).peer()).isEqualTo(learnerJoined.self());
        assertThat(learnerJoined.self().arrivedAt()).isEqualTo(Instant.parse("2026-11-24T10:01:00Z"));
        assertThat(learnerJoined.self().presence().arrivedAfter(expertJoined.self().presence())).isTrue();
    }

    @Test
    void whenTheLearnerArrivesFirstTheFactsAreMirrored() throws Exception {
        relay();
        RawClient learner = join(LEARNER, "learner-client-1", 0);
        Member learnerSelf = learner.next(Frame.JoinAccepted.class).self();
        clock.advance(Duration.ofSeconds(30));
        RawClient expert = join(EXPERT, "expert-client-1", 0);
        Frame.JoinAccepted expertJoined = expert.next(Frame.JoinAccepted.class);
        assertThat(expertJoined.peer()).contains(learnerSelf);
        assertThat(learner.next(Frame.PeerJoined.class).peer()).isEqualTo(expertJoined.self());
        assertThat(expertJoined.self().role().code()).isEqualTo("expert");
    }

    @Test
    void whenBothArriveAtOnceEachSeesTheOtherExactlyAsTheRelayStampedIt() throws Exception {
        relay();
        RawClient expert = join(EXPERT, "expert-client-1", 0);
        RawClient learner = join(LEARNER, "learner-client-1", 0);
        Frame.JoinAccepted e = expert.next(Frame.JoinAccepted.class);
        Frame.JoinAccepted l = learner.next(Frame.JoinAccepted.class);
        Member expertView = e.peer().orElseGet(() -> expert.next(Frame.PeerJoined.class).peer());
        Member learnerView = l.peer().orElseGet(() -> learner.next(Frame.PeerJoined.class).peer());
        assertThat(expertView).isEqualTo(l.self());
        assertThat(learnerView).isEqualTo(e.self());
        assertThat(e.self().arrivedAt()).isEqualTo(l.self().arrivedAt()); // same clock instant: a tie
        assertThat(e.self().connection()).isNotEqualTo(l.self().connection());
    }

    // ------------------------------------------------------------------ forwarding

    @Test
    void signalsAndChatFlowBothWaysInOrderStampedWithTheSender() throws Exception {
        relay();
        RawClient expert = join(EXPERT, "expert-client-1", 0);
        RawClient learner = join(LEARNER, "learner-client-1", 0);
        Epoch epoch = Epoch.of(expert.next(Frame.JoinAccepted.class).self().connection(),
                learner.next(Frame.JoinAccepted.class).self().connection());
        expert.next(Frame.PeerJoined.class);

        for (int i = 1; i <= 40; i++) {
            expert.send(new Frame.Send(i, i % 2 == 0 ? new ChatMessage("expert line " + i)
                    : new PeerMessage.Negotiation(new Signal.Ready(epoch))));
            learner.send(new Frame.Send(i, new ChatMessage("learner line " + i)));
        }
        List<Long> expertAccepted = new ArrayList<>();
        List<String> expertGot = new ArrayList<>();
        List<String> learnerGot = new ArrayList<>();
        while (expertAccepted.size() < 40 || expertGot.size() < 40) {
            Frame f = expert.next();
            if (f instanceof Frame.Accepted a) {
                expertAccepted.add(a.seq());
            } else if (f instanceof Frame.Deliver d) {
                assertThat(d.from()).isEqualTo(LEARNER);
                expertGot.add(((ChatMessage) d.message()).text());
                assertThat(d.dseq()).isEqualTo(expertGot.size());
            }
        }
        while (learnerGot.size() < 40) {
            Frame f = learner.next();
            if (f instanceof Frame.Deliver d) {
                assertThat(d.from()).isEqualTo(EXPERT);
                learnerGot.add(d.message() instanceof ChatMessage c ? c.text() : "ready");
            }
        }
        assertThat(expertAccepted).isSorted().hasSize(40);
        assertThat(expertGot).first().isEqualTo("learner line 1");
        assertThat(expertGot).last().isEqualTo("learner line 40");
        assertThat(learnerGot.subList(0, 4)).containsExactly("ready", "expert line 2", "ready", "expert line 4");
    }

    @Test
    void aMediaReportBecomesARelayEventStampedByTheRelay() throws Exception {
        relay();
        RawClient expert = join(EXPERT, "expert-client-1", 0);
        ConnectionId c = expert.next(Frame.JoinAccepted.class).self().connection();
        MediaReport report = new MediaReport(Epoch.of(c, ConnectionId.of("c-x")), Instant.parse("2000-01-01T00:00:00Z"),
                false, List.of(StreamReport.of(MediaDirection.INBOUND, MediaKind.AUDIO, true, 32)));
        expert.send(new Frame.Send(1, report));
        expert.next(Frame.Accepted.class);
        assertThat(events).filteredOn(AttendanceEvent.MediaReported.class::isInstance).singleElement()
                .satisfies(e -> assertThat(e.at()).isEqualTo(clock.instant()));
        assertThat(events).first().isInstanceOf(AttendanceEvent.ParticipantJoined.class);
    }

    @Test
    void aMediaReportTheRelayRefusesIsNotRecordedOnlyAcceptedOnesCount() throws Exception {
        relay();
        RawClient expert = join(EXPERT, "expert-client-1", 0);
        ConnectionId c = expert.next(Frame.JoinAccepted.class).self().connection();
        MediaReport report = new MediaReport(Epoch.of(c, ConnectionId.of("c-x")), Instant.parse("2000-01-01T00:00:00Z"),
                false, List.of(StreamReport.of(MediaDirection.INBOUND, MediaKind.AUDIO, true, 32)));
        for (long seq = 2; seq <= 11; seq++) { // ten reports out of order: every one refused
            expert.send(new Frame.Send(seq, report));
            assertThat(expert.next(Frame.Error.class).code()).isEqualTo(ProtocolError.OUT_OF_ORDER);
        }
        expert.send(new Frame.Send(1, report));
        expert.next(Frame.Accepted.class);
        expert.send(new Frame.Send(1, report)); // a resend of an accepted one: acknowledged again, not recorded again
        expert.next(Frame.Accepted.class);
        assertThat(events).filteredOn(AttendanceEvent.MediaReported.class::isInstance).as("only the accepted report")
                .hasSize(1);
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void forgedExpiredEarlyAndOtherSessionTicketsAreRefusedWithTheirOwnCodes() throws Exception {
        relay();
        String good = TestSession.ticket(EXPERT);
        String forged = good.substring(0, good.length() - 4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertThat(refusal(SESSION, forged)).isEqualTo(CloseCode.TICKET_INVALID.code());
        assertThat(refusal(SESSION, "not a ticket")).isEqualTo(CloseCode.TICKET_INVALID.code());
        assertThat(refusal(SESSION, "")).as("an empty ticket is a malformed ticket (§8.2)").isEqualTo(CloseCode.TICKET_INVALID.code());
        assertThat(refusal(SESSION, "duet1." + "a".repeat(1100) + ".b")).as("so is one over 1,024 characters")
                .isEqualTo(CloseCode.TICKET_INVALID.code());
        assertThat(refusal(SessionId.of("s-43"), good)).isEqualTo(CloseCode.TICKET_WRONG_SESSION.code());
        clock.set(Instant.parse("2026-11-24T09:40:00Z"));
        assertThat(refusal(SESSION, good)).isEqualTo(CloseCode.TOO_EARLY.code());
        assertThat(refusal(SESSION, good)).as("again at once").isEqualTo(CloseCode.TOO_EARLY.code());
        clock.set(Instant.parse("2026-11-24T11:30:00Z"));
        assertThat(refusal(SESSION, good)).isEqualTo(CloseCode.TICKET_EXPIRED.code());
        // Genuine tickets refused for their time are on the record (the retry within 10 s once);
        // forged, malformed and other-session tickets name nobody for sure and leave no trace.
        assertThat(events).map(e -> (AttendanceEvent.JoinRefused) e)
                .extracting(AttendanceEvent.JoinRefused::participant, AttendanceEvent.JoinRefused::reason,
                        AttendanceEvent::at)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(EXPERT, AttendanceEvent.Refusal.TOO_EARLY,
                                Instant.parse("2026-11-24T09:40:00Z")),
                        org.assertj.core.groups.Tuple.tuple(EXPERT, AttendanceEvent.Refusal.TICKET_EXPIRED,
                                Instant.parse("2026-11-24T11:30:00Z")));
        assertThat(((AttendanceEvent.JoinRefused) events.get(0)).message()).contains("valid from");
    }

    @Test
    void aJoinToAClosedSessionIsOnTheRecord() throws Exception {
        relay();
        join(EXPERT, "expert-client-1", 0).next(Frame.JoinAccepted.class);
        relay.closeSession(SESSION, "ended by the app");
        assertThat(refusal(SESSION, TestSession.ticket(LEARNER))).isEqualTo(CloseCode.SESSION_CLOSED.code());
        assertThat(events).filteredOn(AttendanceEvent.JoinRefused.class::isInstance).map(e -> (AttendanceEvent.JoinRefused) e)
                .singleElement().satisfies(r -> {
                    assertThat(r.participant()).isEqualTo(LEARNER);
                    assertThat(r.reason()).isEqualTo(AttendanceEvent.Refusal.SESSION_CLOSED);
                });
    }

    @Test
    void aSessionAdmitsOneExpertAndOneLearnerNotTwoExperts() throws Exception {
        relay();
        join(EXPERT, "expert-client-1", 0).next(Frame.JoinAccepted.class);
        // A genuine ticket for this session naming another expert (a booking since changed, say).
        Booking other = new Booking(SESSION, Participant.expert("expert-eve", "Eve"), TestSession.BOOKING.learner(),
                TestSession.BOOKING.start(), Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
        RawClient eve = connect(SESSION);
        eve.send(new Frame.Join(TestSession.ISSUER.issue(other, ParticipantId.of("expert-eve"),
                Instant.parse("2026-11-24T09:55:00Z")), "client-eve", 0));
        assertThat(eve.closeCode(Duration.ofSeconds(5))).as("the expert's place is taken").isEqualTo(CloseCode.TICKET_WRONG_SESSION.code());
        assertThat(join(LEARNER, "learner-client-1", 0).next(Frame.JoinAccepted.class).peer()).as("the booked learner gets in")
                .hasValueSatisfying(p -> assertThat(p.participant()).isEqualTo(EXPERT));
    }

    @Test
    void binaryFramesCountAgainstTheLimitsAndOversizedFramesAreNotRead() throws Exception {
        relay();
        RawClient first = connect(SESSION);
        first.sendBinary(new byte[] {1, 2, 3});
        assertThat(first.closeCode(Duration.ofSeconds(5))).as("a binary first frame is no join").isEqualTo(CloseCode.BAD_JOIN.code());

        RawClient expert = join(EXPERT, "expert-client-1", 0);
        expert.next(Frame.JoinAccepted.class);
        expert.sendBinary(new byte[] {1});
        assertThat(expert.next(Frame.Error.class).code()).isEqualTo(ProtocolError.BINARY_FRAME);
        // A flood of binary frames is a flood like any other: dropped for rate, then closed with 4429.
        try {
            for (int i = 0; i < 2000; i++) {
                expert.sendBinary(new byte[] {1});
            }
        } catch (java.util.concurrent.CompletionException closedMeanwhile) {
            // the relay closed the connection while the flood was still being sent
        }
        assertThat(expert.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.RATE_LIMITED.code());

        RawClient learner = join(LEARNER, "learner-client-1", 0);
        learner.next(Frame.JoinAccepted.class);
        learner.sendText("{\"v\":1,\"type\":\"ack\",\"dseq\":1,\"pad\":\"" + "x".repeat(70_000) + "\"}");
        assertThat(learner.closeCode(Duration.ofSeconds(5))).as("over 65 KiB: not read, closed").isEqualTo(1009);
    }

    private int refusal(SessionId session, String ticket) throws Exception {
        RawClient client = connect(session);
        client.send(new Frame.Join(ticket, "client-0001", 0));
        return client.closeCode(Duration.ofSeconds(5));
    }

    @Test
    void aFirstFrameThatIsNotAJoinIsRefusedAndSoIsAThirdParticipant() throws Exception {
        relay();
        RawClient rude = connect(SESSION);
        rude.send(new Frame.Ack(1));
        assertThat(rude.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.BAD_JOIN.code());

        join(EXPERT, "expert-client-1", 0).next(Frame.JoinAccepted.class);
        join(LEARNER, "learner-client-1", 0).next(Frame.JoinAccepted.class);
        Booking other = new Booking(SESSION, Participant.expert("expert-eve", "Eve"), TestSession.BOOKING.learner(),
                TestSession.BOOKING.start(), Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
        RawClient third = connect(SESSION);
        third.send(new Frame.Join(TestSession.ISSUER.issue(other, ParticipantId.of("expert-eve"),
                Instant.parse("2026-11-24T09:55:00Z")), "client-0003", 0));
        assertThat(third.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.TICKET_WRONG_SESSION.code());
    }

    // The join timeout is tested in virtual time: RelayTimeoutsTest.

    // ------------------------------------------------------------------ departures and reconnection

    @Test
    void aKilledClientIsSeenAsLeftWithinTenSeconds() throws Exception {
        relay();
        JoinedPair pair = joinedPair();
        RawClient expert = pair.expert();
        RawClient learner = pair.learner();
        Member learnerSelf = pair.learnerSelf();

        long started = System.nanoTime();
        learner.kill();
        Frame.PeerLeft left = expert.next(Frame.PeerLeft.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(left.connection()).isEqualTo(learnerSelf.connection());
        // Recorded right after the store tells the peer: wait for it, at most 5 s.
        Await.until(() -> events.stream().anyMatch(AttendanceEvent.ParticipantLeft.class::isInstance), Duration.ofSeconds(5),
                "the departure on the record");
        assertThat(events).filteredOn(AttendanceEvent.ParticipantLeft.class::isInstance).hasSize(1);
    }

    @Test
    @SuppressWarnings("try") // the mute client is held open, never used: that is the point
    void aClientThatVanishesWithoutClosingIsSeenAsLeftWithinTenSeconds() throws Exception {
        relay();
        RawClient expert = join(EXPERT, "expert-client-1", 0);
        expert.next(Frame.JoinAccepted.class);
        try (MuteClient vanished = new MuteClient(relay.sessionUri(SESSION),
                RawClient.CODEC.encode(new Frame.Join(TestSession.ticket(LEARNER), "learner-client-1", 0)))) {
            Member learner = expert.next(Frame.PeerJoined.class).peer();
            long joinedAt = System.nanoTime();
            Frame.PeerLeft left = expert.next(Frame.PeerLeft.class, Duration.ofSeconds(12));
            assertThat(left.connection()).isEqualTo(learner.connection());
            assertThat(Duration.ofNanos(System.nanoTime() - joinedAt)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void aNewConnectionOfTheSameParticipantReplacesTheOldOne() throws Exception {
        relay();
        JoinedPair pair = joinedPair();
        RawClient expert = pair.expert();
        RawClient first = pair.learner();

        RawClient second = join(LEARNER, "learner-client-1", 0);
        Member again = second.next(Frame.JoinAccepted.class).self();
        assertThat(first.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.REPLACED.code());
        assertThat(expert.next(Frame.PeerJoined.class).peer()).isEqualTo(again);
        expert.assertNothingWithin(300); // no peer-left for the replaced connection
    }

    @Test
    void aClientThatReconnectsResendsWhatWasLostAndNothingIsDuplicated() throws Exception {
        relay();
        JoinedPair pair = joinedPair();
        RawClient expert = pair.expert();
        RawClient learner = pair.learner();

        learner.send(new Frame.Send(1, new ChatMessage("one")));
        learner.send(new Frame.Send(2, new ChatMessage("two")));
        assertThat(learner.next(Frame.Accepted.class).seq()).isEqualTo(1);
        assertThat(learner.next(Frame.Accepted.class).seq()).isEqualTo(2);
        assertThat(expert.next(Frame.Deliver.class).dseq()).isEqualTo(1);
        expert.send(new Frame.Ack(1));                     // the expert processed only "one"
        expert.next(Frame.Deliver.class);                   // "two" arrives but is never acknowledged
        learner.kill();
        expert.next(Frame.PeerLeft.class);
        expert.kill();

        // The learner comes back, not knowing whether 2 and 3 arrived: it resends both.
        RawClient learnerAgain = join(LEARNER, "learner-client-1", 0);
        assertThat(learnerAgain.next(Frame.JoinAccepted.class).lastAcceptedSeq()).isEqualTo(2);
        learnerAgain.send(new Frame.Send(2, new ChatMessage("two")));
        learnerAgain.send(new Frame.Send(3, new ChatMessage("three")));
        assertThat(learnerAgain.next(Frame.Accepted.class).seq()).isEqualTo(2);
        assertThat(learnerAgain.next(Frame.Accepted.class).seq()).isEqualTo(3);

        // The expert comes back with lastDelivered = 1: it gets "two" again and "three", once each.
        RawClient expertAgain = join(EXPERT, "expert-client-1", 1);
        expertAgain.next(Frame.JoinAccepted.class);
        Frame.Deliver two = expertAgain.next(Frame.Deliver.class);
        Frame.Deliver three = expertAgain.next(Frame.Deliver.class);
        assertThat(List.of(two.dseq(), three.dseq())).containsExactly(2L, 3L);
        assertThat(List.of(((ChatMessage) two.message()).text(), ((ChatMessage) three.message()).text()))
                .containsExactly("two", "three");
        learnerAgain.next(Frame.PeerJoined.class);
        expertAgain.assertNothingWithin(300);
    }

    @Test
    void aGapInSequenceNumbersIsRefusedAndChangesNothing() throws Exception {
        relay();
        RawClient expert = join(EXPERT, "expert-client-1", 0);
        expert.next(Frame.JoinAccepted.class);
        expert.send(new Frame.Send(5, new ChatMessage("five")));
        Frame.Error error = expert.next(Frame.Error.class);
        assertThat(error.code()).isEqualTo(ProtocolError.OUT_OF_ORDER);
        assertThat(error.seq()).contains(5L);
        expert.send(new Frame.Send(1, new ChatMessage("one")));
        assertThat(expert.next(Frame.Accepted.class).seq()).isEqualTo(1);
    }

    @Test
    void closingASessionClosesBothParticipantsForGoodAndRefusesLaterJoins() throws Exception {
        relay();
        RawClient expert = join(EXPERT, "expert-client-1", 0);
        expert.next(Frame.JoinAccepted.class);
        RawClient learner = join(LEARNER, "learner-client-1", 0);
        learner.next(Frame.JoinAccepted.class);
        relay.closeSession(SESSION, "the booking's window closed");
        assertThat(expert.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.SESSION_CLOSED.code());
        assertThat(learner.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.SESSION_CLOSED.code());
        assertThat(CloseCode.SESSION_CLOSED.retry()).isFalse();
        assertThat(events).filteredOn(AttendanceEvent.SessionClosed.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((AttendanceEvent.SessionClosed) e).reason()).isEqualTo("the booking's window closed"));
        RawClient late = join(EXPERT, "expert-client-2", 0);
        assertThat(late.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.SESSION_CLOSED.code());
    }

    // ------------------------------------------------------------------ hostile input

    @Test
    void aThousandMalformedFramesGetTypedErrorsAndTheSessionKeepsWorking() throws Exception {
        relay(new RelayLimits(10_000, 10_000, 100, Duration.ofSeconds(3), Duration.ofSeconds(9), Duration.ofSeconds(10), 1024));
        JoinedPair pair = joinedPair();
        RawClient expert = pair.expert();
        RawClient learner = pair.learner();

        long seed = 424242;
        Random random = new Random(seed);
        List<String> valid = List.of(RawClient.CODEC.encode(new Frame.Ack(1)),
                RawClient.CODEC.encode(new Frame.Send(1, new ChatMessage("x"))));
        int errors = 0;
        for (int i = 0; i < 1000; i++) {
            if (i % 100 == 99) {
                expert.sendBinary(new byte[] {0, 1, 2, (byte) i});
            } else {
                expert.sendText(Malformed.frame(random, valid));
            }
        }
        // A sentinel the relay answers with an error naming seq 999999: everything before it has been handled.
        expert.send(new Frame.Send(999_999, new ChatMessage("sentinel")));
        while (true) {
            Frame f = expert.next();
            if (f instanceof Frame.Error e && e.seq().equals(java.util.Optional.of(999_999L))) {
                break;
            }
            if (f instanceof Frame.Error) {
                errors++;
            }
        }
        assertThat(errors).as("typed errors for 1000 malformed frames (seed %s)", seed).isGreaterThan(900);

        // The session still works both ways.
        learner.send(new Frame.Send(1, new ChatMessage("still here?")));
        Frame.Deliver d = expert.next(Frame.Deliver.class);
        assertThat(((ChatMessage) d.message()).text()).isEqualTo("still here?");
        assertThat(relay.connectionCount()).isEqualTo(2);
    }

    @Test
    void aFloodIsRateLimitedWithErrorsThenClosed() throws Exception {
        relay(new RelayLimits(5, 5, 100, Duration.ofSeconds(3), Duration.ofSeconds(9), Duration.ofSeconds(10), 1024));
        RawClient expert = join(EXPERT, "expert-client-1", 0);
        expert.next(Frame.JoinAccepted.class);
        for (int i = 0; i < 60; i++) {
            expert.send(new Frame.Ack(1));
        }
        boolean sawRateError = false;
        while (!sawRateError) {
            Frame f = expert.next();
            sawRateError = f instanceof Frame.Error e && e.code() == ProtocolError.RATE_LIMITED;
        }
        assertThat(expert.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.RATE_LIMITED.code());
    }

    @Test
    void aPingIsAnsweredWithItsPong() throws Exception {
        relay();
        RawClient expert = join(EXPERT, "expert-client-1", 0);
        expert.next(Frame.JoinAccepted.class);
        expert.send(new Frame.Ping(7));
        assertThat(expert.next(Frame.Pong.class)).isEqualTo(new Frame.Pong(7));
    }

    @Test
    void aJoinTooEarlyIsRefusedWithTheOpeningTimeInAField() throws Exception {
        relay();
        clock.set(Instant.parse("2026-11-24T09:40:00Z")); // the room opens at 09:50
        RawClient early = join(EXPERT, "expert-client-1", 0);
        Frame.Refused refused = early.next(Frame.Refused.class);
        assertThat(refused.code()).isEqualTo(CloseCode.TOO_EARLY.code());
        assertThat(refused.name()).isEqualTo("too-early");
        assertThat(refused.opensAt()).contains(Instant.parse("2026-11-24T09:50:00Z"));
        assertThat(early.closeCode(Duration.ofSeconds(5))).isEqualTo(CloseCode.TOO_EARLY.code());

        // The Java transport hands the opening time to the app.
        java.util.concurrent.ExecutorService callbacks = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (dev.duet.signaling.client.relay.RelayTransport t = dev.duet.signaling.client.relay.RelayTransport.webSocket(
                relay.sessionUri(SESSION), dev.duet.signaling.client.TicketSource.of(TestSession.ticket(LEARNER)), callbacks)) {
            var join = t.join(new dev.duet.signaling.client.SignalingListener() { });
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> join.get(5, java.util.concurrent.TimeUnit.SECONDS))
                    .cause().isInstanceOfSatisfying(dev.duet.signaling.client.JoinRefusedException.class, e -> {
                        assertThat(e.code()).isEqualTo(CloseCode.TOO_EARLY);
                        assertThat(e.opensAt()).contains(Instant.parse("2026-11-24T09:50:00Z"));
                    });
        } finally {
            callbacks.shutdownNow();
        }
    }

    @Test
    void aMediaReportFromAParticipantWhoIsAloneIsRecorded() throws Exception {
        relay();
        RawClient expert = join(EXPERT, "expert-client-1", 0);
        expert.next(Frame.JoinAccepted.class);
        expert.send(new Frame.Send(1, new MediaReport(java.util.Optional.empty(), Instant.parse("2026-11-24T09:58:03Z"), false,
                List.of(StreamReport.of(MediaDirection.OUTBOUND, MediaKind.AUDIO, true, 32)))));
        assertThat(expert.next(Frame.Accepted.class).seq()).isEqualTo(1);
        assertThat(events).filteredOn(AttendanceEvent.MediaReported.class::isInstance).hasSize(1);
    }
}
