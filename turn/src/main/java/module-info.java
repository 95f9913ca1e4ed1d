/**
 * Duet TURN: credentials bound to a booking and ordered ICE server lists. The SQLite and Redis user
 * stores need their drivers (sqlite-jdbc, Jedis) present; they are optional dependencies.
 */
module dev.duet.turn {
    requires transitive dev.duet.core;
    requires java.sql;
    requires static org.xerial.sqlitejdbc;
    requires static redis.clients.jedis;

    exports dev.duet.turn;
}
