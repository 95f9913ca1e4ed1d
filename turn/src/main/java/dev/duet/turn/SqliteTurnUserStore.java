package dev.duet.turn;

import dev.duet.core.internal.Checks;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * coturn's SQLite user database ({@code userdb=<file>}): table
 * {@code turnusers_lt(realm, name, hmackey)}, written with sqlite-jdbc (never by shelling out to
 * {@code turnadmin}, which exits 0 even when it fails). SQLite has no expiry: {@code expiresAt} is
 * not stored; remove the users at session end ({@link TurnCredentialProvider#revoke}).
 * Needs {@code org.xerial:sqlite-jdbc} on the class path.
 */
public final class SqliteTurnUserStore implements TurnUserStore {
    private static final String SCHEMA = "CREATE TABLE IF NOT EXISTS turnusers_lt ( realm varchar(127) default '', "
            + "name varchar(512), hmackey char(128), PRIMARY KEY (realm,name))";

    private final Connection connection;

    /** Opens (and if needed creates, with coturn's schema) the database file coturn reads. */
    public SqliteTurnUserStore(Path database) {
        Checks.notNull(database, "database");
        try {
            this.connection = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath());
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA busy_timeout = 5000");
                s.execute(SCHEMA);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open coturn's SQLite user database " + database + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void put(String realm, String name, String ha1Hex, Instant expiresAt) {
        update("INSERT OR REPLACE INTO turnusers_lt(realm, name, hmackey) VALUES (?, ?, ?)", realm, name, ha1Hex);
    }

    @Override
    public synchronized void remove(String realm, String name) {
        update("DELETE FROM turnusers_lt WHERE realm = ? AND name = ?", realm, name);
    }

    @Override
    public synchronized boolean contains(String realm, String name) {
        try (PreparedStatement s = connection.prepareStatement("SELECT 1 FROM turnusers_lt WHERE realm = ? AND name = ?")) {
            s.setString(1, realm);
            s.setString(2, name);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("coturn user database query failed: " + e.getMessage(), e);
        }
    }

    private void update(String sql, String... args) {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setString(i + 1, args[i]);
            }
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("coturn user database update failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IllegalStateException("closing coturn's user database failed: " + e.getMessage(), e);
        }
    }
}
