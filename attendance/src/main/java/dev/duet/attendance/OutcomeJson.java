package dev.duet.attendance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duet.core.Role;
import dev.duet.core.attendance.Charge;
import dev.duet.core.attendance.SessionReport;
import dev.duet.core.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;

/**
 * The stable JSON form of a settled session: its {@link SessionReport} and {@link Charge}, as the
 * webhook posts them ({@code docs/webhooks.md} lists every field). Version 1: fields are only ever
 * added; a receiver ignores fields it does not know. Durations are whole milliseconds
 * ({@code ...Ms}), instants ISO-8601 UTC with milliseconds, money in the currency's minor units
 * ({@code ...Minor}) plus the same amount as a decimal string.
 */
public final class OutcomeJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final java.time.format.DateTimeFormatter INSTANT = java.time.format.DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(java.time.ZoneOffset.UTC);

    private OutcomeJson() {}

    /** The {@code session.closed} document for {@code report} and {@code charge}. */
    public static String encode(SessionReport report, Charge charge) {
        Checks.notNull(report, "report");
        Checks.notNull(charge, "charge");
        ObjectNode o = MAPPER.createObjectNode();
        o.put("v", 1).put("type", "session.closed").put("session", report.session().value());
        ObjectNode booking = o.putObject("booking");
        booking.put("start", instant(report.bookedStart())).put("end", instant(report.bookedEnd()))
                .put("durationMs", report.bookedDuration().toMillis())
                .put("countedFrom", instant(report.countedFrom())).put("countedUntil", instant(report.countedUntil()));
        o.put("outcome", report.outcome().name().toLowerCase(Locale.ROOT)).put("outcomeReason", report.outcomeReason());
        role(o, "endedEarlyBy", report.endedEarlyBy());
        role(o, "firstArrival", report.firstArrival());
        o.put("firstArrivalWaitedMs", report.firstArrivalWaited().toMillis());
        for (SessionReport.ParticipantAttendance p : java.util.List.of(report.expert(), report.learner())) {
            ObjectNode n = o.putObject(p.role().code());
            n.put("participant", p.participant().value()).put("showed", p.showed());
            optionalInstant(n, "firstJoin", p.firstJoin());
            optionalInstant(n, "lastLeave", p.lastLeave());
            n.put("presenceMs", p.presence().toMillis()).put("stays", p.stays()).put("lateByMs", p.lateBy().toMillis());
        }
        o.put("bothPresentMs", report.bothPresent().toMillis()).put("mediaBothWaysMs", report.mediaBothWays().toMillis())
                .put("oneWayMediaMs", report.oneWayMedia().toMillis()).put("interruptions", report.interruptions());
        ArrayNode refused = o.putArray("refusedJoins");
        for (SessionReport.RefusedJoin r : report.refusedJoins()) {
            ObjectNode n = refused.addObject().put("at", instant(r.at())).put("participant", r.participant().value());
            role(n, "role", r.role());
            n.put("reason", r.reason().code()).put("message", r.message());
        }
        ObjectNode quality = o.putObject("quality");
        quality.put("verdict", report.quality().verdict().name().toLowerCase(Locale.ROOT))
                .put("reason", report.quality().verdictReason())
                .put("relayedMs", report.quality().relayedTime().toMillis())
                .put("directMs", report.quality().directTime().toMillis());
        ObjectNode c = o.putObject("charge");
        c.put("currency", charge.total().currency().getCurrencyCode()).put("totalMinor", charge.total().minorUnits())
                .put("total", charge.total().major().toPlainString())
                .put("deliveredMs", charge.delivered().toMillis()).put("billedMs", charge.billed().toMillis());
        ArrayNode lines = c.putArray("lines");
        for (Charge.LineItem line : charge.lines()) {
            lines.addObject().put("description", line.description()).put("amountMinor", line.amount().minorUnits())
                    .put("amount", line.amount().major().toPlainString());
        }
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode the outcome of " + report.session(), e);
        }
    }

    private static String instant(Instant t) {
        return INSTANT.format(t.truncatedTo(ChronoUnit.MILLIS));
    }

    private static void role(ObjectNode o, String field, Optional<Role> role) {
        if (role.isPresent()) {
            o.put(field, role.get().code());
        } else {
            o.putNull(field);
        }
    }

    private static void optionalInstant(ObjectNode o, String field, Optional<Instant> t) {
        if (t.isPresent()) {
            o.put(field, instant(t.get()));
        } else {
            o.putNull(field);
        }
    }
}
