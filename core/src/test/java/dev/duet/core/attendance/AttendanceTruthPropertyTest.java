package dev.duet.core.attendance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.Booking;
import dev.duet.core.ConnectionId;
import dev.duet.core.DepartureReason;
import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Sessions with a known truth. A generator decides, per seed, when each participant was really
 * connected (zero to three stays, reconnects included) and when media really flowed each way; it
 * then writes the events the relay would record: joins and departures at their true times, and each
 * side's media reports at the real sampler's cadence (every 3 s of a connection, each saying it
 * covers 3 s, stamped by the relay up to 250 ms late), delivered in any order with duplicates. The
 * ledger's report is then held against the truth, computed here independently:
 * <ul>
 *   <li>presence and the time both were present: exact (to the millisecond);</li>
 *   <li>the first arrival's wait: exact;</li>
 *   <li>media both ways: within one sampling interval (3 s) of the truth, and never above it by
 *       more than the delivery jitter (each side's run of reports is placed by its least delayed
 *       report, so the two sides' edges can differ by up to that much);</li>
 *   <li>the charge never exceeds the booked price, and never bills more minutes than the true media
 *       time, plus that jitter, rounds up to.</li>
 * </ul>
 * {@code -Dduet.attendance.truthSeeds=N} sets the number of sessions (default 10,000; {@code .ci/run}
 * prints the count); a failure names its seed.
 */
class AttendanceTruthPropertyTest {
    private static final int SEEDS = Integer.getInteger("duet.attendance.truthSeeds", 10_000);
    private static final Duration SAMPLING = Duration.ofSeconds(3);
    private static final int MAX_JITTER_MS = 250;
    private static final SessionId SESSION = SessionId.of("s-truth");
    private static final ParticipantId EXPERT = ParticipantId.of("expert-ada");
    private static final ParticipantId LEARNER = ParticipantId.of("learner-bo");
    /** 10:00 to 10:20, room open from 09:55, grace until 10:25. */
    private static final Booking BOOKING = Booking.builder(SESSION).expert(Participant.expert(EXPERT.value(), "Ada"))
            .learner(Participant.learner(LEARNER.value(), "Bo")).start(Instant.parse("2026-11-24T10:00:00Z"))
            .duration(Duration.ofMinutes(20)).roomOpensBefore(Duration.ofMinutes(5)).graceAfterEnd(Duration.ofMinutes(5))
            .build();
    private static final BillingPolicy POLICY = new BillingPolicy(Money.of("EUR", "60.00"), Duration.ofMinutes(1),
            BillingPolicy.Rounding.UP, Money.of("EUR", "0.00"), Money.of("EUR", "5.00"));

    /** One generated session: the events as recorded, and the truth they came from. */
    private record Generated(List<AttendanceEvent> events, Intervals expertPresent, Intervals learnerPresent,
            Intervals mediaBothWays) {}

    private static Generated generate(Random random) {
        List<AttendanceEvent> events = new ArrayList<>();
        int[] ids = {0};
        Intervals window = Intervals.of(BOOKING.opensAt(), BOOKING.closesAt());
        List<Intervals.Span> expertStays = stays(random);
        List<Intervals.Span> learnerStays = stays(random);
        Intervals expertPresent = Intervals.of(expertStays).intersect(window);
        Intervals learnerPresent = Intervals.of(learnerStays).intersect(window);
        for (ParticipantId who : List.of(EXPERT, LEARNER)) {
            List<Intervals.Span> mine = who == EXPERT ? expertStays : learnerStays;
            for (int i = 0; i < mine.size(); i++) {
                ConnectionId c = ConnectionId.of(who.value().charAt(0) + "-c" + i);
                events.add(new AttendanceEvent.ParticipantJoined("j" + (++ids[0]), SESSION, mine.get(i).start(), who, c));
                events.add(new AttendanceEvent.ParticipantLeft("l" + (++ids[0]), SESSION, mine.get(i).end(), who, c,
                        DepartureReason.LEFT));
            }
        }
        // Media each way: the receiver samples every 3 s of each of its stays; what flowed in a sample
        // window is the truth for that window (media is on or off for whole windows, switching now and
        // then). A window counts only when its report reached the relay while the receiver was there.
        List<Intervals.Span> toExpert = new ArrayList<>();
        List<Intervals.Span> toLearner = new ArrayList<>();
        for (ParticipantId receiver : List.of(EXPERT, LEARNER)) {
            Intervals senderPresent = receiver == EXPERT ? learnerPresent : expertPresent;
            List<Intervals.Span> truth = receiver == EXPERT ? toExpert : toLearner;
            boolean on = random.nextInt(4) > 0;
            for (Intervals.Span stay : receiver == EXPERT ? expertStays : learnerStays) {
                for (Instant from = stay.start(); ; from = from.plus(SAMPLING)) {
                    Instant to = from.plus(SAMPLING);
                    Instant stamped = to.plusMillis(random.nextInt(MAX_JITTER_MS + 1));
                    if (stamped.isAfter(stay.end())) {
                        break;
                    }
                    if (random.nextInt(40) == 0) {
                        on = !on;
                    }
                    boolean flowing = on && senderPresent.intersect(Intervals.of(from, to)).total().equals(SAMPLING);
                    if (flowing) {
                        truth.add(new Intervals.Span(from, to));
                    }
                    events.add(new AttendanceEvent.MediaReported("m" + (++ids[0]), SESSION, stamped, receiver, false,
                            List.of(MediaFlow.of(MediaDirection.INBOUND, MediaKind.AUDIO, flowing),
                                    MediaFlow.of(MediaDirection.INBOUND, MediaKind.VIDEO, flowing),
                                    MediaFlow.of(MediaDirection.OUTBOUND, MediaKind.AUDIO, true),
                                    MediaFlow.of(MediaDirection.OUTBOUND, MediaKind.VIDEO, true)),
                            Optional.of(SAMPLING)));
                }
            }
        }
        Intervals both = Intervals.of(toExpert).intersect(Intervals.of(toLearner)).intersect(expertPresent)
                .intersect(learnerPresent);
        // Delivered in any order, some twice.
        List<AttendanceEvent> delivered = new ArrayList<>(events);
        for (int i = 0; i < events.size() / 10; i++) {
            delivered.add(events.get(random.nextInt(events.size())));
        }
        Collections.shuffle(delivered, random);
        return new Generated(delivered, expertPresent, learnerPresent, both);
    }

    /** Zero to three stays of one participant, in order, between 30 s before the opening and after the close. */
    private static List<Intervals.Span> stays(Random random) {
        int n = random.nextInt(4);
        long from = BOOKING.opensAt().minusSeconds(30).toEpochMilli();
        long until = BOOKING.closesAt().plusSeconds(120).toEpochMilli();
        List<Long> points = new ArrayList<>();
        for (int i = 0; i < 2 * n; i++) {
            points.add(from + (long) (random.nextDouble() * (until - from)));
        }
        Collections.sort(points);
        List<Intervals.Span> out = new ArrayList<>();
        for (int i = 0; i + 1 < points.size(); i += 2) {
            if (points.get(i + 1) > points.get(i)) {
                out.add(new Intervals.Span(Instant.ofEpochMilli(points.get(i)), Instant.ofEpochMilli(points.get(i + 1))));
            }
        }
        return out;
    }

    /** The first arrival's wait, from the truth: its presence from the booked start (or its arrival) until the other came. */
    private static Duration trueWait(Intervals first, Intervals second) {
        Instant firstCame = first.spans().get(0).start();
        Instant secondCame = second.spans().get(0).start();
        Instant from = firstCame.isAfter(BOOKING.start()) ? firstCame : BOOKING.start();
        return secondCame.isAfter(from) ? first.intersect(Intervals.of(from, secondCame)).total() : Duration.ZERO;
    }

    @Test
    void tenThousandSessionsWithAKnownTruth() {
        Duration worstUnder = Duration.ZERO;
        Duration worstOver = Duration.ZERO;
        for (long seed = 1; seed <= SEEDS; seed++) {
            Generated g = generate(new Random(seed));
            AttendanceLedger ledger = new AttendanceLedger(BOOKING, AttendanceRules.defaults());
            ledger.addAll(g.events());
            SessionReport r = ledger.report();
            String at = "seed " + seed + " (rerun with -Dduet.attendance.truthSeeds=" + seed + ")";

            assertThat(r.expert().presence()).as(at).isEqualTo(g.expertPresent().total());
            assertThat(r.learner().presence()).as(at).isEqualTo(g.learnerPresent().total());
            assertThat(r.bothPresent()).as(at).isEqualTo(g.expertPresent().intersect(g.learnerPresent()).total());
            if (!g.expertPresent().isEmpty() && !g.learnerPresent().isEmpty()) {
                boolean expertFirst = g.expertPresent().spans().get(0).start().isBefore(g.learnerPresent().spans().get(0).start());
                Duration wait = expertFirst ? trueWait(g.expertPresent(), g.learnerPresent())
                        : trueWait(g.learnerPresent(), g.expertPresent());
                assertThat(r.firstArrivalWaited()).as(at).isEqualTo(wait);
            }

            Duration truth = g.mediaBothWays().total();
            Duration error = r.mediaBothWays().minus(truth);
            assertThat(error.abs()).as(at + ": media both ways %s, truth %s", r.mediaBothWays(), truth)
                    .isLessThanOrEqualTo(SAMPLING);
            assertThat(error).as(at + ": never above the truth by more than the delivery jitter")
                    .isLessThanOrEqualTo(Duration.ofMillis(MAX_JITTER_MS));
            worstUnder = error.isNegative() && error.abs().compareTo(worstUnder) > 0 ? error.abs() : worstUnder;
            worstOver = error.compareTo(worstOver) > 0 ? error : worstOver;

            Charge charge = POLICY.charge(r);
            assertThat(charge.total().minorUnits()).as(at + ": at most the booked price, EUR 20.00").isLessThanOrEqualTo(2000);
            long trueMinutesRoundedUp = (truth.plusMillis(MAX_JITTER_MS).toMillis() + 59_999) / 60_000;
            assertThat(charge.billed().toMinutes()).as(at + ": billed minutes").isLessThanOrEqualTo(trueMinutesRoundedUp);
        }
        System.out.printf("attendance truth property: %d seeds from 1, 0 failed; media both ways at most %d ms under"
                + " and %d ms over the truth%n", SEEDS, worstUnder.toMillis(), worstOver.toMillis());
    }
}
