package dev.duet.signaling.server;

import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.attendance.AttendanceStore;
import dev.duet.core.internal.Checks;
import dev.duet.signaling.server.internal.AttendanceJson;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * An {@link AttendanceStore} in a SQL database through JDBC: SQLite (sqlite-jdbc, embedded) or
 * PostgreSQL (the driver is the app's dependency). One table, {@code duet_attendance_events}
 * ({@code event_id} primary key, {@code session_id}, {@code at_epoch_ms}, {@code body} as JSON text),
 * created if missing. An append commits before it returns; a repeated event id is ignored
 * ({@code ON CONFLICT DO NOTHING}). Thread-safe: one connection, appends serialised.
 */
public final class JdbcAttendanceStore implements AttendanceStore {
    private final Connection connection;
    private final String description;

    private JdbcAttendanceStore(Connection connection, String description) throws SQLException {
        this.connection = connection;
        this.description = description;
        connection.setAutoCommit(true);
        try (Statement s = connection.createStatement()) {
            s.executeUpdate("CREATE TABLE IF NOT EXISTS duet_attendance_events (event_id VARCHAR(64) PRIMARY KEY,"
                    + " session_id VARCHAR(64) NOT NULL, at_epoch_ms BIGINT NOT NULL, seq BIGINT NOT NULL, body TEXT NOT NULL)");
            s.executeUpdate("CREATE INDEX IF NOT EXISTS duet_attendance_by_session ON duet_attendance_events (session_id, seq)");
        }
    }

    /**
     * Connects to {@code jdbcUrl} ({@code jdbc:sqlite:/path/attendance.db},
     * {@code jdbc:postgresql://host/db}) with optional {@code user} and {@code password} (never logged).
     */
    public static JdbcAttendanceStore open(String jdbcUrl, Properties credentials) {
        Checks.notNull(jdbcUrl, "jdbcUrl");
        Checks.notNull(credentials, "credentials");
        String safe = redact(jdbcUrl);
        try {
            return new JdbcAttendanceStore(DriverManager.getConnection(jdbcUrl, credentials), safe);
        } catch (SQLException e) {
            // The driver's message may repeat the URL with its password: redact it, and do not chain the original.
            String message = redact(String.valueOf(e.getMessage()));
            throw new AttendanceStoreException("cannot open the attendance database " + safe + ": " + message,
                    new SQLException(message, e.getSQLState(), e.getErrorCode()));
        }
    }

    private static String redact(String text) {
        return text.replaceAll("(?i)password=[^&;\\s]*", "password=(redacted)");
    }

    @Override
    public synchronized void append(AttendanceEvent event) {
        Checks.notNull(event, "event");
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO duet_attendance_events"
                + " (event_id, session_id, at_epoch_ms, seq, body) VALUES (?, ?, ?,"
                + " (SELECT COALESCE(MAX(seq), 0) + 1 FROM duet_attendance_events), ?) ON CONFLICT (event_id) DO NOTHING")) {
            insert.setString(1, event.eventId());
            insert.setString(2, event.session().value());
            insert.setLong(3, event.at().toEpochMilli());
            insert.setString(4, AttendanceJson.encode(event));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new AttendanceStoreException("cannot store event " + event.eventId() + " in " + description, e);
        }
    }

    @Override
    public synchronized List<AttendanceEvent> events(SessionId session) {
        Checks.notNull(session, "session");
        List<AttendanceEvent> out = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT body FROM duet_attendance_events WHERE session_id = ? ORDER BY seq")) {
            select.setString(1, session.value());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    out.add(AttendanceJson.decode(rows.getString(1)));
                }
            }
        } catch (SQLException e) {
            throw new AttendanceStoreException("cannot read session " + session + " from " + description, e);
        }
        return out;
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new AttendanceStoreException("closing " + description + " failed", e);
        }
    }

    @Override
    public String toString() {
        return "JdbcAttendanceStore[" + description + "]";
    }
}
