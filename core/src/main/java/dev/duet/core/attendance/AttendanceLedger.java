package dev.duet.core.attendance;

import dev.duet.core.MediaKind;
import dev.duet.core.MediaDirection;
import dev.duet.core.Booking;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.Role;
import dev.duet.core.internal.Checks;
import dev.duet.core.ConnectionId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.ToDoubleFunction;

/**
 * The attendance events of one booked session, and the {@link SessionReport} they add up to.
 *
 * <p><b>Order and duplicates do not matter.</b> Events are kept by id: the same event added again is
 * ignored, and the report is computed from the set, sorted by the relay's timestamps (ties by id),
 * so any permutation and duplication of a session's events gives the same report. An event whose id
 * was already added with different content is refused ({@link IllegalArgumentException}) and
 * changes nothing, as is an event of another session.
 *
 * <p><b>How time is counted.</b>
 * <ul>
 *   <li>Presence: from each connection's {@code Joined} to its {@code Left} (or, with no
 *       {@code Left}, to the session's close or the window's end), united across connections.</li>
 *   <li>A media report speaks for the span its sender measured ({@code interval}); consecutive
 *       reports tile one timeline, placed by the relay's stamps so that delivery jitter opens no gap
 *       and counts nothing twice, and no span ends after its report's stamp. Without a span (older
 *       senders), a report speaks for the time since the previous one. Never more than
 *       {@link AttendanceRules#maxReportInterval()} per report.</li>
 *   <li>A direction flows when its <em>receiver</em> reports it inbound: expert to learner is the
 *       learner's inbound report.</li>
 *   <li>Everything is clipped to the window ({@link Booking#opensAt()} to {@link Booking#closesAt()},
 *       the booked end plus grace) and to the earliest {@code SessionClosed}.</li>
 * </ul>
 *
 * <p>Not thread-safe; pure (no clock: every instant comes from the events and the booking).
 */
public final class AttendanceLedger {
    private final Booking booking;
    private final AttendanceRules rules;
    private final Map<String, AttendanceEvent> events = new LinkedHashMap<>();

    public AttendanceLedger(Booking booking, AttendanceRules rules) {
        this.booking = Checks.notNull(booking, "booking");
        this.rules = Checks.notNull(rules, "rules");
    }

    /**
     * Adds an event.
     *
     * @return true if it was new, false if the same event was already there
     * @throws IllegalArgumentException if it belongs to another session, names a participant not
     *                                  booked into this one (a refused join may: it is reported
     *                                  without a role), or reuses an id with other content
     */
    public boolean add(AttendanceEvent event) {
        Checks.notNull(event, "event");
        if (!event.session().equals(booking.sessionId())) {
            throw new IllegalArgumentException("event " + event.eventId() + " is for session " + event.session()
                    + ", but this ledger is for " + booking.sessionId());
        }
        participantOf(event).filter(p -> !(event instanceof AttendanceEvent.JoinRefused)).ifPresent(p -> {
            if (booking.participant(p).isEmpty()) {
                throw new IllegalArgumentException("event " + event.eventId() + " names " + p + ", who is not booked into "
                        + booking.sessionId());
            }
        });
        AttendanceEvent known = events.get(event.eventId());
        if (known != null) {
            if (!known.equals(event)) {
                throw new IllegalArgumentException("event id " + event.eventId() + " was already recorded with other content");
            }
            return false;
        }
        events.put(event.eventId(), event);
        return true;
    }

    public void addAll(Collection<? extends AttendanceEvent> all) {
        all.forEach(this::add);
    }

    public int size() {
        return events.size();
    }

    private static Optional<ParticipantId> participantOf(AttendanceEvent event) {
        if (event instanceof AttendanceEvent.ParticipantJoined j) {
            return Optional.of(j.participant());
        } else if (event instanceof AttendanceEvent.ParticipantLeft l) {
            return Optional.of(l.participant());
        } else if (event instanceof AttendanceEvent.MediaReported m) {
            return Optional.of(m.participant());
        } else if (event instanceof AttendanceEvent.JoinRefused r) {
            return Optional.of(r.participant());
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- the report

    public SessionReport report() {
        List<AttendanceEvent> sorted = new ArrayList<>(events.values());
        sorted.sort(Comparator.comparing(AttendanceEvent::at).thenComparing(AttendanceEvent::eventId));
        Instant from = booking.opensAt();
        Instant until = booking.closesAt();
        for (AttendanceEvent e : sorted) {
            if (e instanceof AttendanceEvent.SessionClosed && e.at().isBefore(until)) {
                until = e.at().isBefore(from) ? from : e.at();
                break;
            }
        }
        Intervals window = Intervals.of(from, until);
        ParticipantId expertId = booking.expert().id();
        ParticipantId learnerId = booking.learner().id();

        Map<ParticipantId, List<Intervals.Span>> staysOf = stays(sorted, until);
        Intervals expertPresent = Intervals.of(staysOf.getOrDefault(expertId, List.of())).intersect(window);
        Intervals learnerPresent = Intervals.of(staysOf.getOrDefault(learnerId, List.of())).intersect(window);
        Intervals bothPresent = expertPresent.intersect(learnerPresent);

        List<Covered> expertReports = coverage(sorted, expertId, expertPresent);
        List<Covered> learnerReports = coverage(sorted, learnerId, learnerPresent);
        Intervals audioToLearner = flowing(learnerReports, MediaKind.AUDIO);
        Intervals audioToExpert = flowing(expertReports, MediaKind.AUDIO);
        Intervals both = audioToLearner.intersect(audioToExpert).intersect(bothPresent);
        if (rules.videoRequired()) {
            both = both.intersect(flowing(learnerReports, MediaKind.VIDEO)).intersect(flowing(expertReports, MediaKind.VIDEO));
        }
        Intervals oneWay = audioToLearner.minus(audioToExpert).union(audioToExpert.minus(audioToLearner)).intersect(bothPresent);

        SessionReport.ParticipantAttendance expert = attendance(expertId, Role.EXPERT, expertPresent,
                staysOf.getOrDefault(expertId, List.of()));
        SessionReport.ParticipantAttendance learner = attendance(learnerId, Role.LEARNER, learnerPresent,
                staysOf.getOrDefault(learnerId, List.of()));

        Optional<Role> first = Optional.empty();
        Duration waited = Duration.ZERO;
        SessionReport.ParticipantAttendance early = null;
        SessionReport.ParticipantAttendance late = null;
        if (expert.showed() && learner.showed()) {
            int order = expert.firstJoin().get().compareTo(learner.firstJoin().get());
            if (order != 0) {
                early = order < 0 ? expert : learner;
                late = order < 0 ? learner : expert;
                first = Optional.of(early.role());
                // The first arrival waited while it was there, from the booked start until the other came.
                Intervals earlyPresent = early.role() == Role.EXPERT ? expertPresent : learnerPresent;
                Instant waitingFrom = early.firstJoin().get().isAfter(booking.start()) ? early.firstJoin().get() : booking.start();
                waited = earlyPresent.intersect(Intervals.of(waitingFrom, max(waitingFrom, late.firstJoin().get()))).total();
            }
        }

        Duration media = both.total();
        SessionReport.Outcome outcome;
        String reason;
        Optional<Role> endedEarlyBy = Optional.empty();
        Duration needed = Duration.ofMillis(Math.round(booking.duration().toMillis() * rules.completionRatio()));
        if (!expert.showed() && !learner.showed()) {
            outcome = SessionReport.Outcome.NEITHER_SHOWED;
            reason = "neither participant connected between " + from + " and " + until;
        } else if (!expert.showed()) {
            outcome = SessionReport.Outcome.EXPERT_NO_SHOW;
            reason = "the learner connected; the expert never did";
        } else if (!learner.showed()) {
            outcome = SessionReport.Outcome.LEARNER_NO_SHOW;
            reason = "the expert connected; the learner never did";
        } else if (bothPresent.isEmpty() && early != null) {
            // Never connected at the same time: who missed the other (see SessionReport.Outcome).
            Instant earlyGone = early.lastLeave().get();
            boolean earlyLeftBeforeStart = !earlyGone.isAfter(booking.start());
            SessionReport.ParticipantAttendance missing = earlyLeftBeforeStart ? early : late;
            outcome = missing.role() == Role.EXPERT ? SessionReport.Outcome.EXPERT_NO_SHOW : SessionReport.Outcome.LEARNER_NO_SHOW;
            reason = "the expert and the learner were never connected at the same time: the " + early.role().code()
                    + " was there from " + early.firstJoin().get() + " to " + earlyGone + ", the " + late.role().code()
                    + " came at " + late.firstJoin().get() + (earlyLeftBeforeStart
                            ? "; the " + early.role().code() + " left before the booked start, " + booking.start()
                            : "; the " + late.role().code() + " came only after the " + early.role().code() + " had left");
        } else if (media.compareTo(needed) >= 0) {
            outcome = SessionReport.Outcome.COMPLETED;
            reason = "media flowed both ways for " + Durations.words(media) + ", at least "
                    + Math.round(rules.completionRatio() * 100) + " % of the booked " + Durations.words(booking.duration());
        } else {
            outcome = SessionReport.Outcome.CUT_SHORT;
            Optional<Role> hungUpEarly = hungUpBy(sorted, from, until).filter(h -> h.at().isBefore(booking.end()))
                    .map(HangUp::role);
            Instant expertGone = expert.lastLeave().orElse(until);
            Instant learnerGone = learner.lastLeave().orElse(until);
            String ended;
            if (hungUpEarly.isPresent()) {
                // Who ended the session is a fact the relay recorded; the other's departure follows it by milliseconds.
                endedEarlyBy = hungUpEarly;
                ended = "; the " + hungUpEarly.get().code() + " hung up";
            } else if (!expertGone.equals(learnerGone)
                    && (expertGone.isBefore(booking.end()) || learnerGone.isBefore(booking.end()))) {
                endedEarlyBy = Optional.of(expertGone.isBefore(learnerGone) ? Role.EXPERT : Role.LEARNER);
                ended = "; the " + endedEarlyBy.get().code() + " left first";
            } else if (until.isBefore(booking.end())) {
                ended = "; the session was closed at " + until + ", before the booked end";
            } else {
                ended = "; both were connected until " + (expertGone.isBefore(learnerGone) ? expertGone : learnerGone)
                        + ", so the media path between them failed";
            }
            reason = "media flowed both ways for only " + Durations.words(media) + " of the booked "
                    + Durations.words(booking.duration()) + ended;
        }

        QualitySummary quality = quality(expertReports, learnerReports, bothPresent, both, oneWay);
        return new SessionReport(booking.sessionId(), from, booking.start(), booking.end(), until, booking.duration(),
                expert, learner, first, waited, bothPresent.total(), media, oneWay.total(),
                Math.max(0, both.spans().size() - 1), outcome, reason, endedEarlyBy, quality, refusedJoins(sorted));
    }

    private record HangUp(Role role, Instant at) {}

    private List<SessionReport.RefusedJoin> refusedJoins(List<AttendanceEvent> sorted) {
        List<SessionReport.RefusedJoin> out = new ArrayList<>();
        for (AttendanceEvent e : sorted) {
            if (e instanceof AttendanceEvent.JoinRefused r) {
                Optional<Role> role = booking.participant(r.participant()).map(Participant::role);
                out.add(new SessionReport.RefusedJoin(r.at(), r.participant(), role, r.reason(), r.message()));
            }
        }
        return out;
    }

    /** The first hang-up inside the counted window, if any. */
    private Optional<HangUp> hungUpBy(List<AttendanceEvent> sorted, Instant from, Instant until) {
        for (AttendanceEvent e : sorted) {
            if (e instanceof AttendanceEvent.ParticipantLeft l && l.hungUp() && !l.at().isBefore(from) && l.at().isBefore(until)) {
                Optional<Participant> who = booking.participant(l.participant());
                if (who.isPresent()) {
                    return Optional.of(new HangUp(who.get().role(), l.at()));
                }
            }
        }
        return Optional.empty();
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    /**
     * Each participant's stays, one span per connection: its first join to its leave (a connection
     * resumed after a relay restart keeps its id, so its stay goes on). A connection with no
     * departure (its relay died before recording one) ends at the last moment it was known alive:
     * the last {@link AttendanceEvent.ConnectionsAlive} mark that lists it, or its join. Records of
     * relays that write no marks (before 0.1.0) keep the old reading: to {@code until}.
     */
    private static Map<ParticipantId, List<Intervals.Span>> stays(List<AttendanceEvent> sorted, Instant until) {
        Map<ConnectionId, AttendanceEvent.ParticipantJoined> joins = new HashMap<>();
        Map<ConnectionId, List<AttendanceEvent.ParticipantLeft>> leaves = new HashMap<>();
        Map<ConnectionId, Instant> lastAlive = new HashMap<>();
        boolean marked = false;
        for (AttendanceEvent e : sorted) {
            if (e instanceof AttendanceEvent.ParticipantJoined j) {
                joins.putIfAbsent(j.connection(), j);
            } else if (e instanceof AttendanceEvent.ParticipantLeft l) {
                leaves.computeIfAbsent(l.connection(), c -> new ArrayList<>()).add(l);
            } else if (e instanceof AttendanceEvent.ConnectionsAlive a) {
                marked = true;
                for (ConnectionId c : a.connections()) {
                    lastAlive.put(c, a.at()); // sorted by time: the last one wins
                }
            }
        }
        Map<ParticipantId, List<Intervals.Span>> out = new HashMap<>();
        for (AttendanceEvent.ParticipantJoined j : joins.values()) {
            // A connection's first join names its participant; a later join of the same id (a resume
            // after the relay restarted, docs/protocol.md §7.1) continues the stay, and only that
            // participant's departure ends it.
            Instant end = leaves.getOrDefault(j.connection(), List.of()).stream()
                    .filter(l -> l.participant().equals(j.participant())).map(AttendanceEvent::at).findFirst().orElse(null);
            if (end == null) {
                Instant alive = lastAlive.getOrDefault(j.connection(), j.at());
                end = !marked ? until : alive.isAfter(j.at()) ? alive : j.at();
            }
            out.computeIfAbsent(j.participant(), p -> new ArrayList<>()).add(new Intervals.Span(j.at(), end));
        }
        return out;
    }

    /**
     * {@code present} is clipped to the window; {@code stays} are the raw connections. The first join
     * is the real one: a join the relay admitted shortly before the room opened (its clock-skew
     * tolerance) shows its own time, while presence still counts from the opening.
     */
    private SessionReport.ParticipantAttendance attendance(ParticipantId id, Role role, Intervals present,
            List<Intervals.Span> stays) {
        List<Intervals.Span> spans = present.spans();
        if (spans.isEmpty()) {
            return new SessionReport.ParticipantAttendance(id, role, false, Optional.empty(), Optional.empty(), Duration.ZERO, 0,
                    Duration.ZERO);
        }
        Instant first = spans.get(0).start();
        for (Intervals.Span stay : stays) {
            if (stay.end().isAfter(first) && stay.start().isBefore(first) && !stay.start().isAfter(spans.get(0).start())) {
                first = stay.start(); // the stay that was clipped at the opening: its real start
            }
        }
        return new SessionReport.ParticipantAttendance(id, role, true, Optional.of(first),
                Optional.of(spans.get(spans.size() - 1).end()), present.total(), spans.size(),
                positive(Duration.between(booking.start(), first)));
    }

    /** A media report with the time it speaks for. */
    private record Covered(AttendanceEvent.MediaReported report, Intervals span) {}

    /**
     * The time each of {@code who}'s reports speaks for, inside its presence.
     *
     * <p>Reports that say their span ({@code interval}, measured by the sender) and follow each other
     * without a break (at most the maximum report interval between stamps, and no new connection of
     * the participant in between) form a run: the sender
     * sampled continuously, so their spans tile one timeline. The run is placed on the relay's clock
     * as late as every report's stamp allows (the earliest of stamp minus the spans up to it), so
     * delivery delay shifts it by the smallest delay in the run, never by each report's own: no gap
     * and no double count, whatever the jitter, and no span ends after its report's stamp. Each span
     * counts for at most the maximum report interval, and a run never reaches back before the
     * previous run's last span.
     *
     * <p>A report without a span (older senders) speaks for the time since the previous report's
     * credited end, at most the maximum report interval, up to its stamp.
     */
    private List<Covered> coverage(List<AttendanceEvent> sorted, ParticipantId who, Intervals present) {
        List<AttendanceEvent.MediaReported> reports = new ArrayList<>();
        List<Instant> joins = new ArrayList<>();
        for (AttendanceEvent e : sorted) {
            if (e instanceof AttendanceEvent.MediaReported m && m.participant().equals(who)) {
                reports.add(m);
            } else if (e instanceof AttendanceEvent.ParticipantJoined j && j.participant().equals(who)) {
                joins.add(j.at());
            }
        }
        Duration max = rules.maxReportInterval();
        List<Covered> out = new ArrayList<>();
        Instant previousEnd = null;
        int i = 0;
        while (i < reports.size()) {
            AttendanceEvent.MediaReported first = reports.get(i);
            if (first.interval().isEmpty()) {
                Instant earliest = first.at().minus(max);
                Instant start = previousEnd != null && previousEnd.isAfter(earliest) ? previousEnd : earliest;
                Instant end = start.isAfter(first.at()) ? start : first.at();
                out.add(new Covered(first, Intervals.of(start, end).intersect(present)));
                previousEnd = end;
                i++;
                continue;
            }
            // A run: consecutive reports with a span and no break between their stamps.
            int j = i + 1;
            while (j < reports.size() && reports.get(j).interval().isPresent()
                    && Duration.between(reports.get(j - 1).at(), reports.get(j).at()).compareTo(max) <= 0
                    && !joinedBetween(joins, reports.get(j - 1).at(), reports.get(j).at())) {
                j++;
            }
            Duration cumulative = Duration.ZERO;
            Instant origin = null;
            for (int k = i; k < j; k++) {
                cumulative = cumulative.plus(min(reports.get(k).interval().get(), max));
                Instant candidate = reports.get(k).at().minus(cumulative);
                origin = origin == null || candidate.isBefore(origin) ? candidate : origin;
            }
            Instant start = origin;
            for (int k = i; k < j; k++) {
                Instant end = start.plus(min(reports.get(k).interval().get(), max));
                Instant from = previousEnd != null && previousEnd.isAfter(start) ? previousEnd : start;
                Instant to = from.isAfter(end) ? from : end;
                out.add(new Covered(reports.get(k), Intervals.of(from, to).intersect(present)));
                previousEnd = to;
                start = end;
            }
            i = j;
        }
        return out;
    }

    /** Whether a new connection of the participant joined after {@code from} and up to {@code to}: its sampling restarted. */
    private static boolean joinedBetween(List<Instant> joins, Instant from, Instant to) {
        for (Instant join : joins) {
            if (join.isAfter(from) && !join.isAfter(to)) {
                return true;
            }
        }
        return false;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Intervals flowing(List<Covered> reports, MediaKind kind) {
        List<Intervals.Span> spans = new ArrayList<>();
        for (Covered c : reports) {
            if (c.report().flowing(MediaDirection.INBOUND, kind)) {
                spans.addAll(c.span().spans());
            }
        }
        return Intervals.of(spans);
    }

    // ---------------------------------------------------------------- quality

    private QualitySummary quality(List<Covered> expertReports, List<Covered> learnerReports, Intervals bothPresent,
            Intervals both, Intervals oneWay) {
        QualitySummary.DirectionQuality toLearner = direction(learnerReports);
        QualitySummary.DirectionQuality toExpert = direction(expertReports);
        List<Intervals.Span> relayed = new ArrayList<>();
        List<Intervals.Span> direct = new ArrayList<>();
        for (List<Covered> side : List.of(expertReports, learnerReports)) {
            for (Covered c : side) {
                (c.report().relayed() ? relayed : direct).addAll(c.span().spans());
            }
        }
        Intervals relayedTime = Intervals.of(relayed).intersect(bothPresent);
        Intervals directTime = Intervals.of(direct).intersect(bothPresent).minus(relayedTime);

        Duration present = bothPresent.total();
        QualitySummary.Verdict verdict;
        String why;
        if (toLearner.reports() + toExpert.reports() == 0 || present.isZero()) {
            verdict = QualitySummary.Verdict.NO_DATA;
            why = "no media report while both were present";
        } else {
            double loss = worse(toLearner.medianLossRatio(), toExpert.medianLossRatio());
            double rtt = worse(toLearner.medianRoundTripMs(), toExpert.medianRoundTripMs());
            double jitter = worse(toLearner.medianJitterMs(), toExpert.medianJitterMs());
            double fps = Math.min(toLearner.medianFramesPerSecond().orElse(Double.MAX_VALUE),
                    toExpert.medianFramesPerSecond().orElse(Double.MAX_VALUE));
            double oneWayShare = (double) oneWay.total().toMillis() / present.toMillis();
            double bothShare = (double) both.total().toMillis() / present.toMillis();
            if (loss > 0.05 || rtt > 400 || oneWayShare > 0.2 || bothShare < 0.5) {
                verdict = QualitySummary.Verdict.POOR;
            } else if (loss > 0.02 || rtt > 250 || jitter > 30 || (rules.videoRequired() && fps < 10) || oneWayShare > 0.05) {
                verdict = QualitySummary.Verdict.DEGRADED;
            } else {
                verdict = QualitySummary.Verdict.GOOD;
            }
            why = String.format(java.util.Locale.ROOT,
                    "median loss %.1f %%, round trip %.0f ms, jitter %.0f ms%s; media both ways %.0f %% and one way %.0f %% of the time both were present",
                    loss * 100, rtt, jitter, fps == Double.MAX_VALUE ? "" : String.format(java.util.Locale.ROOT, ", video %.0f fps", fps),
                    bothShare * 100, oneWayShare * 100);
        }
        return new QualitySummary(toLearner, toExpert, relayedTime.total(), directTime.total(), verdict, why);
    }

    private static double worse(OptionalDouble a, OptionalDouble b) {
        return Math.max(a.orElse(0), b.orElse(0));
    }

    /** Quality of one direction from its receiver's inbound flows while they flowed. */
    private static QualitySummary.DirectionQuality direction(List<Covered> receiverReports) {
        List<MediaFlow> audio = new ArrayList<>();
        List<MediaFlow> video = new ArrayList<>();
        for (Covered c : receiverReports) {
            if (c.span().isEmpty()) {
                continue;
            }
            for (MediaFlow f : c.report().flows()) {
                if (f.direction() == MediaDirection.INBOUND && f.flowing()) {
                    (f.kind() == MediaKind.AUDIO ? audio : video).add(f);
                }
            }
        }
        List<MediaFlow> all = new ArrayList<>(audio);
        all.addAll(video);
        double[] height = video.stream().filter(f -> f.height().isPresent()).mapToDouble(f -> f.height().getAsInt()).sorted().toArray();
        double[] fps = values(video, f -> f.framesPerSecond().orElse(Double.NaN));
        return new QualitySummary.DirectionQuality(audio.size() + video.size(),
                median(values(all, f -> f.roundTripMs().orElse(Double.NaN))), max(values(all, f -> f.roundTripMs().orElse(Double.NaN))),
                median(values(all, MediaFlow::lossRatio)), max(values(all, MediaFlow::lossRatio)),
                median(values(all, f -> f.jitterMs().orElse(Double.NaN))), max(values(all, f -> f.jitterMs().orElse(Double.NaN))),
                median(fps), fps.length == 0 ? OptionalDouble.empty() : OptionalDouble.of(fps[0]),
                height.length == 0 ? OptionalInt.empty() : OptionalInt.of((int) median(height).getAsDouble()),
                height.length == 0 ? OptionalInt.empty() : OptionalInt.of((int) height[0]));
    }

    private static double[] values(List<MediaFlow> flows, ToDoubleFunction<MediaFlow> figure) {
        return flows.stream().mapToDouble(figure).filter(v -> !Double.isNaN(v)).sorted().toArray();
    }

    private static OptionalDouble median(double[] sorted) {
        if (sorted.length == 0) {
            return OptionalDouble.empty();
        }
        int mid = sorted.length / 2;
        return OptionalDouble.of(sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2);
    }

    private static OptionalDouble max(double[] sorted) {
        return sorted.length == 0 ? OptionalDouble.empty() : OptionalDouble.of(Arrays.stream(sorted).max().getAsDouble());
    }

    @Override
    public String toString() {
        return "AttendanceLedger[" + booking.sessionId() + ", " + events.size() + " events]";
    }
}
