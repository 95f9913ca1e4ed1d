package dev.duet.core.attendance;

import dev.duet.core.ParticipantId;
import dev.duet.core.Role;
import dev.duet.core.SessionId;
import dev.duet.core.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What happened in a session, from the relay's facts: who showed, who waited, how long media really
 * flowed both ways, and the outcome. Built by {@link AttendanceLedger#report}.
 *
 * <p>Everything is counted inside the window from the room's opening to the booked end plus
 * grace ({@code countedFrom} to {@code countedUntil}), and not after the session was closed.
 *
 * @param firstArrival    who arrived first; empty when only one or neither showed, or both at the same instant
 * @param firstArrivalWaited how long the first arrival ({@code firstArrival}) waited for the other:
 *                        the time it was connected from the booked start (or its later arrival)
 *                        until the other first came. Never more than its own presence; zero when
 *                        the other came before the start, or when only one or neither showed
 * @param bothPresent     time both were connected to the relay
 * @param mediaBothWays   time audio (and video, when required) flowed in both directions, each direction
 *                        confirmed by its receiver's reports, while both were present
 * @param oneWayMedia     time audio flowed in one direction only while both were present
 * @param interruptions   how often media both ways stopped and later came back
 * @param endedEarlyBy    for {@link Outcome#CUT_SHORT}: who left for good first, before the booked end;
 *                        empty when both stayed (media failed) or for other outcomes
 * @param refusedJoins    joins refused although the ticket was genuine (too early, expired, session
 *                        over or full), whenever they happened: they explain, they are not billed
 */
public record SessionReport(SessionId session, Instant countedFrom, Instant bookedStart, Instant bookedEnd,
        Instant countedUntil, Duration bookedDuration, ParticipantAttendance expert, ParticipantAttendance learner,
        Optional<Role> firstArrival, Duration firstArrivalWaited, Duration bothPresent, Duration mediaBothWays,
        Duration oneWayMedia, int interruptions, Outcome outcome, String outcomeReason, Optional<Role> endedEarlyBy,
        QualitySummary quality, List<RefusedJoin> refusedJoins) {

    public SessionReport {
        refusedJoins = List.copyOf(Checks.notNull(refusedJoins, "refusedJoins"));
    }

    /**
     * A join the relay refused although the ticket was genuine ({@link AttendanceEvent.JoinRefused}), in
     * time order. {@code role} is empty for someone the booking does not name (a ticket issued for a
     * participant since replaced, say): support sees that attempt too.
     */
    public record RefusedJoin(Instant at, ParticipantId participant, Optional<Role> role, AttendanceEvent.Refusal reason,
            String message) {
        public RefusedJoin {
            Checks.notNull(at, "at");
            Checks.notNull(participant, "participant");
            Checks.notNull(role, "role");
            Checks.notNull(reason, "reason");
            Checks.notNull(message, "message");
        }
    }

    /**
     * How the session went. In order of precedence:
     * <ol>
     *   <li>{@code NEITHER_SHOWED}: neither participant was present inside the window.</li>
     *   <li>{@code EXPERT_NO_SHOW}: the learner was present, the expert never.</li>
     *   <li>{@code LEARNER_NO_SHOW}: the expert was present, the learner never.</li>
     *   <li>When both were present but <em>never at the same time</em>, the one who missed the
     *       other is the no-show ({@code EXPERT_NO_SHOW} or {@code LEARNER_NO_SHOW}): the first
     *       arrival if it left before the booked start (it never waited into the booked time),
     *       otherwise the second, who came only after the first had left. A learner who connects
     *       only during grace, after the expert waited and left, is a learner no-show and pays the
     *       no-show fee; an expert who does the same is an expert no-show.</li>
     *   <li>{@code COMPLETED}: media flowed both ways for at least the rules' completion ratio of the
     *       booked duration (80 % by default).</li>
     *   <li>{@code CUT_SHORT}: both showed, but media flowed both ways for less than that
     *       ({@code endedEarlyBy} says who left first, if someone did).</li>
     * </ol>
     */
    public enum Outcome { COMPLETED, LEARNER_NO_SHOW, EXPERT_NO_SHOW, NEITHER_SHOWED, CUT_SHORT }

    /**
     * One participant: present at all inside the window, first join, last departure, total presence,
     * how many separate stays, and how late after the booked start it first arrived. {@code firstJoin}
     * is the relay's real time of the join, even when the relay admitted it a few seconds before the
     * room opened (its clock-skew tolerance); {@code presence} still counts only from the opening.
     */
    public record ParticipantAttendance(ParticipantId participant, Role role, boolean showed, Optional<Instant> firstJoin,
            Optional<Instant> lastLeave, Duration presence, int stays, Duration lateBy) {
        public ParticipantAttendance {
            Checks.notNull(participant, "participant");
            Checks.notNull(role, "role");
        }
    }

    public ParticipantAttendance attendance(Role role) {
        return role == Role.EXPERT ? expert : learner;
    }

    private static final java.time.format.DateTimeFormatter DAY_AND_TIME = java.time.format.DateTimeFormatter
            .ofPattern("uuuu-MM-dd HH:mm:ss", java.util.Locale.ROOT).withZone(java.time.ZoneOffset.UTC);
    private static final java.time.format.DateTimeFormatter TIME = java.time.format.DateTimeFormatter
            .ofPattern("HH:mm:ss", java.util.Locale.ROOT).withZone(java.time.ZoneOffset.UTC);

    /**
     * A plain-text account for support, in UTC: the booking, the outcome and why, each participant's
     * arrival, departure and presence, who waited for whom, the media figures, the quality verdict and
     * every refused join. The same facts as the webhook's JSON form (docs/webhooks.md), for a person.
     */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append("Session ").append(session.value()).append(", booked ").append(DAY_AND_TIME.format(bookedStart))
                .append(" to ").append(TIME.format(bookedEnd)).append(" UTC (").append(Durations.words(bookedDuration))
                .append("); counted from ").append(TIME.format(countedFrom)).append(" to ").append(TIME.format(countedUntil))
                .append('\n');
        out.append("Outcome: ").append(outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')).append(": ")
                .append(outcomeReason).append('\n');
        for (ParticipantAttendance p : List.of(expert, learner)) {
            out.append(capitalized(p.role().code())).append(' ').append(p.participant().value()).append(": ");
            if (!p.showed()) {
                out.append("never connected\n");
                continue;
            }
            out.append("first joined ").append(TIME.format(p.firstJoin().get()))
                    .append(p.lateBy().isZero() ? " (on time)" : " (" + Durations.words(p.lateBy()) + " late)")
                    .append(", last left ").append(p.lastLeave().map(TIME::format).orElse("-"))
                    .append(", present ").append(Durations.words(p.presence())).append(" in ").append(p.stays())
                    .append(p.stays() == 1 ? " stay" : " stays").append('\n');
        }
        firstArrival.ifPresent(role -> out.append("The ").append(role.code()).append(" came first and waited ")
                .append(Durations.words(firstArrivalWaited)).append(" for the ")
                .append(role == Role.EXPERT ? Role.LEARNER.code() : Role.EXPERT.code()).append(".\n"));
        out.append("Both present ").append(Durations.words(bothPresent)).append("; media both ways ")
                .append(Durations.words(mediaBothWays)).append("; one way only ").append(Durations.words(oneWayMedia))
                .append("; ").append(interruptions).append(interruptions == 1 ? " interruption" : " interruptions").append('\n');
        out.append("Quality: ").append(quality.verdict().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '))
                .append(": ").append(quality.verdictReason()).append('\n');
        if (refusedJoins.isEmpty()) {
            out.append("Refused joins: none\n");
        } else {
            out.append("Refused joins:\n");
            for (RefusedJoin r : refusedJoins) {
                out.append("  ").append(TIME.format(r.at())).append(' ').append(r.role().map(Role::code).orElse("not booked"))
                        .append(' ').append(r.participant().value()).append(": ").append(r.reason().code().replace('-', ' '))
                        .append(" (").append(r.message()).append(")\n");
            }
        }
        return out.toString();
    }

    private static String capitalized(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}
