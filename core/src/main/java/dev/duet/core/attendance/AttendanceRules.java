package dev.duet.core.attendance;

import dev.duet.core.internal.Checks;
import java.time.Duration;

/**
 * How the ledger reads the events.
 *
 * @param maxReportInterval the longest stretch one media report speaks for (a report covers the time
 *                          since the same participant's previous report, at most this): 1 s to 5 min
 * @param videoRequired     whether "media both ways" needs video both ways too (a video session) or
 *                          audio alone (a voice session)
 * @param completionRatio   the share of the booked duration media must flow both ways for the
 *                          session to count as {@link SessionReport.Outcome#COMPLETED}: 0 to 1
 */
public record AttendanceRules(Duration maxReportInterval, boolean videoRequired, double completionRatio) {
    public AttendanceRules {
        Checks.notNull(maxReportInterval, "maxReportInterval");
        if (maxReportInterval.compareTo(Duration.ofSeconds(1)) < 0 || maxReportInterval.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("maxReportInterval must be from 1 s to 5 min, but was " + maxReportInterval);
        }
        if (!(completionRatio >= 0 && completionRatio <= 1)) {
            throw new IllegalArgumentException("completionRatio must be between 0 and 1, but was " + completionRatio);
        }
    }

    /**
     * Reports speak for at most 5 s (Duet's peer samples every 3 s; set it to the peers' sampling
     * interval plus some delivery delay), video required, completed at 80 %.
     */
    public static AttendanceRules defaults() {
        return new AttendanceRules(Duration.ofSeconds(5), true, 0.8);
    }

    public AttendanceRules withVideoRequired(boolean required) {
        return new AttendanceRules(maxReportInterval, required, completionRatio);
    }
}
