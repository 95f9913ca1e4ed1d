package dev.duet.core.attendance;

import dev.duet.core.SessionId;
import java.util.List;

/**
 * Where attendance events are kept for good. The relay appends each event before it acknowledges
 * the message it came from, so an acknowledged event is never lost.
 *
 * <p>Implementations: {@code JsonLinesAttendanceStore} (an append-only file, the embedded default)
 * and {@code JdbcAttendanceStore} (SQLite, PostgreSQL), both in {@code duet-signaling-server}.
 * Thread-safe.
 */
public interface AttendanceStore extends AutoCloseable {

    /**
     * Appends {@code event}; returns only once it is durable (on disk, committed). Appending an
     * event whose id is already stored does nothing.
     *
     * @throws AttendanceStoreException if it could not be made durable (then nothing may be acknowledged)
     */
    void append(AttendanceEvent event);

    /** Every stored event of {@code session}, in the order they were appended. */
    List<AttendanceEvent> events(SessionId session);

    @Override
    void close();

    /** The store could not do what was asked; the cause says why. */
    final class AttendanceStoreException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public AttendanceStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
