package dev.duet.signaling.server;

import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.attendance.SessionOutcomes;
import dev.duet.core.attendance.AttendanceStore;
import dev.duet.core.internal.Checks;

/**
 * Receives every {@link AttendanceEvent} the relay records (arrivals, departures with their reason,
 * media reports, the session's close), the same events an {@link AttendanceStore} keeps. Called on
 * the relay's connection threads, in each session's order; it must not block for long.
 *
 * <p>A media report is recorded <em>before</em> the relay accepts it, and only when the relay is
 * about to accept it (its {@code seq} is the next one): a report the relay refuses is never
 * recorded. If the sink throws, the
 * message is not accepted (nor forwarded), the sender's connection is closed with 1001
 * (going away), and the client sends it again after reconnecting; the event id is the same
 * each time, so a store keeps it once. An exception on any other event is logged and does not
 * disturb the relay.
 */
@FunctionalInterface
public interface RelayEventSink {
    void accept(AttendanceEvent event);

    /** A sink that drops every event. */
    static RelayEventSink none() {
        return event -> { };
    }

    /** Appends every event to {@code store} (durably, before returning). */
    static RelayEventSink storing(AttendanceStore store) {
        Checks.notNull(store, "store");
        return store::append;
    }

    /**
     * Settles each session the relay closes, on {@code outcomes}' executor: put it after
     * {@link #storing} so that the close is stored before the session is read back.
     */
    static RelayEventSink settling(SessionOutcomes outcomes) {
        Checks.notNull(outcomes, "outcomes");
        return event -> {
            if (event instanceof AttendanceEvent.SessionClosed closed) {
                outcomes.settleLater(closed.session());
            }
        };
    }

    /** This sink, then {@code next} (only if this one did not throw). */
    default RelayEventSink andThen(RelayEventSink next) {
        Checks.notNull(next, "next");
        return event -> {
            accept(event);
            next.accept(event);
        };
    }
}
