package dev.duet.attendance;

import dev.duet.core.attendance.Charge;
import dev.duet.core.attendance.SessionReport;

/**
 * Told, once per session, what happened and what it costs, when {@link SessionOutcomes} settles
 * it (after the relay closed it). Called on the thread that settles: {@link SessionOutcomes}' own
 * executor when a relay asked, never a relay thread; an exception it throws is logged.
 */
@FunctionalInterface
public interface SessionOutcomeListener {
    void sessionClosed(SessionReport report, Charge charge);
}
