package dev.duet.signaling.server;

import dev.duet.core.attendance.Charge;
import dev.duet.core.attendance.SessionReport;

/**
 * Told, once per session, what happened and what it costs, when the session is closed
 * ({@link RelayServer#closeSession}). Called on {@link SessionOutcomes}' own executor, never on a
 * relay thread; an exception it throws is logged.
 */
@FunctionalInterface
public interface SessionOutcomeListener {
    void sessionClosed(SessionReport report, Charge charge);
}
