package dev.duet.attendance;

import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.attendance.AttendanceStore;
import dev.duet.core.internal.Checks;
import dev.duet.attendance.internal.AttendanceJson;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link AttendanceStore} in a SQL database through JDBC: SQLite (sqlite-jdbc, embedded) or
 * PostgreSQL (the driver is the app's dependency). One table, {@code duet_attendance_events}
 * ({@code event_id} primary key, {@code session_id}, {@code at_epoch_ms}, {@code body} as JSON text),
 * created if missing. An append commits before it returns; a repeated event id is ignored
 * ({@code ON CONFLICT DO NOTHING}). Thread-safe; operations are serialised, and appends from many
 * threads share transactions (group commit, see {@link #append}).
 *
 * <p>Connections: {@link #of(DataSource, String)} borrows one from the app's {@link DataSource} (a
 * pool such as HikariCP) for every operation and gives it back, so the pool's own checks and
 * reconnects apply. {@link #open(String, Properties)} keeps one connection of its own and, when an
 * operation fails because that connection broke (the database restarted, the network dropped),
 * opens a new one and tries the operation once more before it gives up.
 */
public final class JdbcAttendanceStore implements AttendanceStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcAttendanceStore.class);

    /** Where connections come from: borrowed per operation, given back (or thrown away when broken). */
    private interface Connections {
        Connection borrow() throws SQLException;

        void giveBack(Connection c, boolean broken);

        void close() throws SQLException;
    }

    /** Group commit: appends waiting for the next transaction, and whether a thread is writing one. */
    private static final class Commits {
        final List<Pending> queued = new ArrayList<>();
        boolean leading;
        long count;
    }

    private final Connections connections;
    private final String description;
    private final Commits commits = new Commits();
    private boolean closed; // guarded by commits

    private JdbcAttendanceStore(Connections connections, String description) throws SQLException {
        this.connections = connections;
        this.description = description;
        run(c -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("CREATE TABLE IF NOT EXISTS duet_attendance_events (event_id VARCHAR(64) PRIMARY KEY,"
                        + " session_id VARCHAR(64) NOT NULL, at_epoch_ms BIGINT NOT NULL, seq BIGINT NOT NULL, body TEXT NOT NULL)");
                s.executeUpdate("CREATE INDEX IF NOT EXISTS duet_attendance_by_session ON duet_attendance_events (session_id, seq)");
            }
            return null;
        });
    }

    /**
     * A store over the app's {@code dataSource} (a pool, normally); {@code description} names it in
     * messages (never put a password in it).
     */
    public static JdbcAttendanceStore of(DataSource dataSource, String description) {
        Checks.notNull(dataSource, "dataSource");
        Checks.notNull(description, "description");
        Connections borrowed = new Connections() {
            @Override
            public Connection borrow() throws SQLException {
                Connection c = dataSource.getConnection();
                c.setAutoCommit(true);
                return c;
            }

            @Override
            public void giveBack(Connection c, boolean broken) {
                try {
                    c.close();
                } catch (SQLException e) {
                    log.debug("giving a connection back to {} failed", description, e);
                }
            }

            @Override
            public void close() {
                // the pool is the app's
            }
        };
        try {
            return new JdbcAttendanceStore(borrowed, redact(description));
        } catch (SQLException e) {
            String message = redact(String.valueOf(e.getMessage()));
            throw new AttendanceStoreException("cannot prepare the attendance table in " + redact(description) + ": " + message,
                    new SQLException(message, e.getSQLState(), e.getErrorCode()));
        }
    }

    /**
     * Connects to {@code jdbcUrl} ({@code jdbc:sqlite:/path/attendance.db},
     * {@code jdbc:postgresql://host/db}) with optional {@code user} and {@code password} (never
     * logged), keeping one connection and replacing it when it breaks.
     */
    public static JdbcAttendanceStore open(String jdbcUrl, Properties credentials) {
        Checks.notNull(jdbcUrl, "jdbcUrl");
        Checks.notNull(credentials, "credentials");
        String safe = redact(jdbcUrl);
        Properties copy = new Properties();
        copy.putAll(credentials);
        Connections own = new Connections() {
            private Connection current;

            @Override
            public Connection borrow() throws SQLException {
                if (current == null || current.isClosed()) {
                    current = DriverManager.getConnection(jdbcUrl, copy);
                    current.setAutoCommit(true);
                }
                return current;
            }

            @Override
            public void giveBack(Connection c, boolean broken) {
                if (broken) {
                    try {
                        c.close();
                    } catch (SQLException e) {
                        log.debug("closing a broken connection to {} failed", safe, e);
                    }
                    current = null;
                }
            }

            @Override
            public void close() throws SQLException {
                if (current != null) {
                    current.close();
                    current = null;
                }
            }
        };
        try {
            return new JdbcAttendanceStore(own, safe);
        } catch (SQLException e) {
            // The driver's message may repeat the URL with its password: redact it, and do not chain the original.
            String message = redact(String.valueOf(e.getMessage()));
            throw new AttendanceStoreException("cannot open the attendance database " + safe + ": " + message,
                    new SQLException(message, e.getSQLState(), e.getErrorCode()));
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T on(Connection c) throws SQLException;
    }

    /** Runs {@code work} on a connection; if the connection was broken, once more on a fresh one. */
    private synchronized <T> T run(Work<T> work) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            Connection c = connections.borrow();
            try {
                T result = work.on(c);
                connections.giveBack(c, false);
                return result;
            } catch (SQLException e) {
                boolean broken = broken(c, e);
                connections.giveBack(c, broken);
                if (!broken || attempt >= 2) {
                    throw e;
                }
                log.warn("the connection to {} broke ({}); reconnecting", description, redact(String.valueOf(e.getMessage())));
            }
        }
    }

    /** A connection error (SQL state class 08) or a connection that no longer answers. */
    private static boolean broken(Connection c, SQLException e) {
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || state.equals("57P01"))) {
            return true;
        }
        try {
            return c.isClosed() || !c.isValid(2);
        } catch (SQLException stillBroken) {
            return true;
        }
    }

    private static String redact(String text) {
        return text.replaceAll("(?i)password=[^&;\\s]*", "password=(redacted)");
    }

    /** An append waiting for the group commit that stores it. */
    private static final class Pending {
        final AttendanceEvent event;
        final String body;
        boolean done;
        Exception failure;

        Pending(AttendanceEvent event, String body) {
            this.event = event;
            this.body = body;
        }
    }

    /**
     * Stores {@code event} and returns once it is committed. Group commit: appends that arrive while
     * another thread is writing wait together, and the next of them to lead inserts all of their
     * events in one transaction, so many sessions writing at once share commits. If that
     * transaction fails for a reason other than a broken connection, the leader stores the batch's
     * events one by one, so one event the database refuses fails only its own append.
     */
    @Override
    public void append(AttendanceEvent event) {
        Checks.notNull(event, "event");
        Pending mine = new Pending(event, AttendanceJson.encode(event));
        List<Pending> batch = null;
        synchronized (commits) {
            if (closed) {
                throw new AttendanceStoreException("the attendance store " + description + " is closed", null);
            }
            commits.queued.add(mine);
            while (!mine.done) {
                if (!commits.leading) {
                    if (closed) {
                        commits.queued.remove(mine);
                        throw new AttendanceStoreException("the attendance store " + description
                                + " was closed before event " + event.eventId() + " was stored", null);
                    }
                    commits.leading = true;
                    batch = new ArrayList<>(commits.queued); // holds mine: a waiter's event stays queued until a leader takes it
                    commits.queued.clear();
                    break;
                }
                try {
                    commits.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AttendanceStoreException("interrupted while waiting to store event " + event.eventId()
                            + " (it may still be stored)", null);
                }
            }
        }
        if (batch != null) {
            commit(batch);
        }
        if (mine.failure != null) {
            throw new AttendanceStoreException("cannot store event " + event.eventId() + " in " + description, mine.failure);
        }
    }

    private void commit(List<Pending> batch) {
        try {
            try {
                run(c -> insert(c, batch));
            } catch (SQLException e) {
                if (batch.size() == 1) {
                    batch.get(0).failure = e;
                } else {
                    for (Pending p : batch) {
                        try {
                            run(c -> insert(c, List.of(p)));
                        } catch (SQLException alone) {
                            p.failure = alone;
                        }
                    }
                }
            }
        } catch (RuntimeException unexpected) {
            // Never tell a waiter its event is stored unless it is: an event that was stored after all
            // is only appended again when resent, and a repeated id is ignored.
            for (Pending p : batch) {
                if (p.failure == null) {
                    p.failure = unexpected;
                }
            }
        } finally {
            synchronized (commits) {
                for (Pending p : batch) {
                    p.done = true;
                }
                commits.leading = false;
                commits.count++;
                commits.notifyAll();
            }
        }
    }

    /** Inserts {@code batch} in one transaction; each event's seq is one more than its session's last. */
    private static Void insert(Connection c, List<Pending> batch) throws SQLException {
        boolean transaction = batch.size() > 1; // one event needs none: auto-commit is its transaction
        boolean autoCommit = c.getAutoCommit();
        if (transaction) {
            c.setAutoCommit(false);
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO duet_attendance_events"
                + " (event_id, session_id, at_epoch_ms, seq, body) VALUES (?, ?, ?,"
                + " (SELECT COALESCE(MAX(seq), 0) + 1 FROM duet_attendance_events WHERE session_id = ?), ?)"
                + " ON CONFLICT (event_id) DO NOTHING")) {
            for (Pending p : batch) {
                insert.setString(1, p.event.eventId());
                insert.setString(2, p.event.session().value());
                insert.setLong(3, p.event.at().toEpochMilli());
                insert.setString(4, p.event.session().value());
                insert.setString(5, p.body);
                insert.addBatch();
            }
            insert.executeBatch();
            if (transaction) {
                c.commit();
            }
        } catch (SQLException e) {
            if (transaction) {
                try {
                    c.rollback();
                } catch (SQLException alsoBroken) {
                    e.addSuppressed(alsoBroken);
                }
            }
            throw e;
        } finally {
            if (transaction) {
                try {
                    c.setAutoCommit(autoCommit);
                } catch (SQLException broken) {
                    // the connection is broken: run() finds out and replaces it
                }
            }
        }
        return null;
    }

    /** How many group commits (transactions of appended events) there were since the store was opened. */
    public long commits() {
        synchronized (commits) {
            return commits.count;
        }
    }

    @Override
    public List<AttendanceEvent> events(SessionId session) {
        Checks.notNull(session, "session");
        try {
            return run(c -> {
                List<AttendanceEvent> out = new ArrayList<>();
                try (PreparedStatement select = c.prepareStatement(
                        "SELECT body FROM duet_attendance_events WHERE session_id = ? ORDER BY seq")) {
                    select.setString(1, session.value());
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            out.add(AttendanceJson.decode(rows.getString(1)));
                        }
                    }
                }
                return out;
            });
        } catch (SQLException e) {
            throw new AttendanceStoreException("cannot read session " + session + " from " + description, e);
        }
    }

    /** Waits for the transaction being written, then closes; appends after this are refused. */
    @Override
    public void close() {
        synchronized (commits) {
            if (closed) {
                return;
            }
            closed = true;
            while (commits.leading) {
                try {
                    commits.wait(); // let the batch being written finish and tell its waiters
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        synchronized (this) {
            closeConnections();
        }
    }

    private void closeConnections() {
        try {
            connections.close();
        } catch (SQLException e) {
            throw new AttendanceStoreException("closing " + description + " failed", e);
        }
    }

    @Override
    public String toString() {
        return "JdbcAttendanceStore[" + description + "]";
    }
}
